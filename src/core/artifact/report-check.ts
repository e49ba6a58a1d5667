// report.json against its manifest: the same format family, labels, k and classifier (the
// manifest's copy is what inference uses; a difference means one of the two was edited).
import { REPORT_SCHEMA, REPORT_VERSION, type StcClassifier, type StcReport } from '../stc';
import { ArtifactError } from './errors';
import { JsonCheck } from './json-check';
import type { ClassifierManifest } from './types';

export function checkReport(raw: unknown, file: string, manifest: ClassifierManifest): StcReport {
  const c = new JsonCheck(file, 'invalid-report');
  const r = c.object(raw, 'the report');
  if (r.schema !== REPORT_SCHEMA) c.fail('schema', `is ${JSON.stringify(r.schema)}, expected "${REPORT_SCHEMA}"`);
  const version = c.integer(r.version, 'version', 1);
  if (version > REPORT_VERSION) {
    throw new ArtifactError('newer-version', file, `the training report has format version ${version}, newer than this STC Lens reads (${REPORT_VERSION}). Upgrade STC Lens to load it.`);
  }
  const classes = c.array(c.object(r.data, 'data').classes, 'data.classes');
  if (JSON.stringify(classes) !== JSON.stringify(manifest.labels)) c.fail('data.classes', `is ${JSON.stringify(classes)}, but manifest.json has the labels ${JSON.stringify(manifest.labels)}`);
  const chosen = c.object(r.chosen, 'chosen');
  upgradeEnsemble(r, chosen);
  const k = c.object(r.ensemble, 'ensemble').k;
  if (k !== manifest.k) c.fail('ensemble.k', `is ${JSON.stringify(k)}, but manifest.json has k = ${manifest.k}`);
  const classifier = c.object(r.classifier, 'classifier') as unknown as StcClassifier;
  if (JSON.stringify(knownFields(classifier)) !== JSON.stringify(knownFields(manifest.classifier))) c.fail('classifier', 'differs from the classifier in manifest.json');
  c.array(r.neuronStats, 'neuronStats').forEach((value, i) => {
    const s = c.object(value, `neuronStats[${i}]`);
    for (const side of ['top', 'bottom'] as const) {
      c.array(s[side], `neuronStats[${i}].${side}`).forEach((rv, j) => c.integer(c.object(rv, `neuronStats[${i}].${side}[${j}]`).row, `neuronStats[${i}].${side}[${j}].row`, 0));
    }
  });
  upgradePenalties(r, chosen);
  upgradeFinalFit(r, chosen);
  return r as unknown as StcReport;
}

/** Version 1 reports shipped the single best configuration, `chosen`. */
function upgradeEnsemble(r: Record<string, unknown>, chosen: Record<string, unknown>): void {
  if (r.settings && typeof r.settings === 'object') (r.settings as Record<string, unknown>).ensemble ??= 1;
  r.ensemble ??= { members: [chosen], k: chosen.k, valScore: chosen.valScore };
}

/** Reports written before the refit on train + validation shipped the train-only fit of `chosen`. */
function upgradeFinalFit(r: Record<string, unknown>, chosen: Record<string, unknown>): void {
  if (r.settings && typeof r.settings === 'object') (r.settings as Record<string, unknown>).refit ??= false;
  const rows = (r.data as { rows?: { train?: unknown } }).rows?.train;
  r.finalFit ??= { on: 'train', rows, support: chosen.support, converged: chosen.converged };
}

/** Reports written before the final classifier could be L2 have no penalty fields: theirs was L1. */
function upgradePenalties(r: Record<string, unknown>, chosen: Record<string, unknown>): void {
  chosen.penalty ??= 'l1';
  if (r.settings && typeof r.settings === 'object') (r.settings as Record<string, unknown>).penalties ??= ['l1'];
  if (!Array.isArray(r.aggregation)) return;
  for (const entry of r.aggregation as { curve?: unknown }[]) {
    if (Array.isArray(entry.curve)) for (const point of entry.curve as Record<string, unknown>[]) point.penalty ??= 'l1';
  }
}

/** The classifier fields this version defines (a newer minor may add others to either copy). */
function knownFields(c: StcClassifier): unknown {
  const neurons = Array.isArray(c.neurons) ? c.neurons : [];
  return [c.outputs, c.nClasses, c.intercepts, neurons.map((n) => [n.name, n.kind, n.layer, n.pooling, n.index, n.mean, n.scale, n.weights, n.importance])];
}
