// Plain-text views of a training report, a prediction and an explanation, for the terminal.
import type { SavedClassifier } from '../core/artifact/types';
import type { Explanation, NeuronContribution } from '../core/explain/types';
import type { Prediction } from '../core/infer/types';
import type { ClassificationMetrics } from '../core/learn/metrics';
import { blockName, KINDS, POOLINGS } from '../core/neurons';
import { validationCaveat, type ChosenConfiguration, type StcReport } from '../core/stc/report';
import { configName } from '../core/stc/configs';
import { alignColumns } from '../core/workflow/evaluate';

export const percent = (x: number): string => `${(100 * x).toFixed(1)}%`;
const plural = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;
/** Three decimals, without the "-0.000" of tiny negative values. */
const fixed = (x: number): string => (Math.abs(x) < 5e-4 ? 0 : x).toFixed(3);
const signed = (x: number): string => `${x >= 5e-4 ? '+' : ''}${fixed(x)}`;

function metricName(report: StcReport): string {
  return report.settings.metric === 'macroF1' ? 'macro-F1' : 'accuracy';
}

function score(report: StcReport, m: ClassificationMetrics): number {
  return report.settings.metric === 'macroF1' ? m.macroF1 : m.accuracy;
}

/**
 * One row per layer: each probed block's validation score and probe support (neurons with a
 * non-zero weight), then the neurons the final classifier keeps there. Layers the early-exit graph
 * does not run are marked.
 */
export function formatLayerTable(report: StcReport): string {
  const probes = new Map(report.probes.map((p) => [p.block, p]));
  const columns = KINDS.flatMap((kind) => POOLINGS.map((pooling) => ({ kind, pooling }))).filter((c) =>
    report.probes.some((p) => p.kind === c.kind && p.pooling === c.pooling),
  );
  const k = report.ensemble.k;
  const rows = report.keptPerLayer.map(({ layer, hid, act }) => [
    `L${layer}`,
    ...columns.map((c) => {
      const p = probes.get(blockName({ ...c, layer }));
      return p ? `${percent(p.valScore)} (${p.support})` : '';
    }),
    String(hid),
    String(act),
    layer > k ? 'not run' : layer === k ? 'exit (hid only)' : '',
  ]);
  return [
    `Per-layer probes: validation ${metricName(report)} (probe support); kept: neurons in the final classifier.`,
    `The classifier runs k = ${plural(k, 'block')}: act layers 0..${k - 1}, hid layers 0..${k} (hid L${k} is the output of the last block run).`,
    ...alignColumns([['layer', ...columns.map((c) => `${c.kind}.${c.pooling}`), 'kept hid', 'kept act', ''], ...rows]),
  ].join('\n');
}

/** The chosen configuration and its test score next to the baselines' (validation without a test file). */
export function formatScores(report: StcReport): string {
  const metric = metricName(report);
  const { ensemble } = report;
  const neurons = report.classifier.neurons.length;
  const configuration = (m: ChosenConfiguration) => `${configName(m.config)}, eta ${m.eta}, k = ${plural(m.k, 'block')}, ${m.penalty.toUpperCase()} classifier`;
  const lines =
    ensemble.members.length === 1
      ? [`Chosen: ${configuration(report.chosen)}, ${plural(neurons, 'neuron')} (validation ${metric} ${percent(ensemble.valScore)})`]
      : [
          `Chosen: the average of the best ${ensemble.members.length} configurations, k = ${plural(ensemble.k, 'block')}, ${plural(neurons, 'neuron')} (validation ${metric} ${percent(ensemble.valScore)}):`,
          ...ensemble.members.map((m, i) => `  ${i + 1}. ${configuration(m)} (validation ${metric} ${percent(m.valScore)})`),
        ];
  if (report.finalFit.on === 'train+dev') {
    lines.push(`Refitted on train + validation (${report.finalFit.rows} rows), as were the baselines: validation scores are the train-only fits' that chose them.`);
  }
  const test = report.test;
  const rows: string[][] = [['classifier', 'validation', ...(test ? ['test'] : [])]];
  rows.push([`STC (k=${ensemble.k}, ${plural(neurons, 'neuron')})`, percent(ensemble.valScore), ...(test ? [percent(score(report, test))] : [])]);
  for (const b of report.baselines) {
    rows.push([`${b.name} (${b.block}, ${plural(b.support, 'neuron')})`, percent(b.valScore), ...(test ? [b.test ? percent(score(report, b.test)) : '-'] : [])]);
  }
  lines.push('', `${metric}:`, ...alignColumns(rows).map((l) => `  ${l}`));
  const caveat = validationCaveat(report);
  if (caveat) lines.push('', caveat);
  return lines.join('\n');
}

export function formatInspect(saved: SavedClassifier): string {
  const { manifest, report } = saved;
  const model = manifest.model;
  const test = manifest.metrics.test;
  const lines = [
    `classifier  ${manifest.name} (${saved.dir})`,
    `created     ${manifest.createdAt}`,
    `model       ${model.id} (${model.source}; ${model.onnxFile}; ${model.numLayers} blocks; sha256 ${model.sha256.slice(0, 12)})`,
    `max length  ${manifest.tokenizer.maxLength} tokens`,
    `labels      ${manifest.labels.join(', ')}`,
    `k           ${manifest.k} of ${model.numLayers} blocks run`,
    `neurons     ${manifest.classifier.neurons.length}`,
    `metric      ${manifest.metrics.metric}: validation ${percent(manifest.metrics.validation)}` +
      (test ? `; test accuracy ${percent(test.accuracy)}, macro-F1 ${percent(test.macroF1)}` : ''),
    `data        train ${report.data.rows.train}, validation ${report.data.rows.dev}` + (report.data.rows.test !== undefined ? `, test ${report.data.rows.test}` : ''),
    '',
    formatLayerTable(report),
    '',
    formatScores(report),
  ];
  if (report.warnings.length > 0) lines.push('', 'training warnings:', ...report.warnings.map((w) => `  ${w}`));
  return lines.join('\n');
}

function probabilities(labels: readonly string[], proba: readonly number[]): string {
  return labels.map((l, k) => `${l} ${percent(proba[k] ?? 0)}`).join(', ');
}

/** `label  confidence  text` for one prediction. */
export function formatPrediction(p: Prediction, text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  const shown = oneLine.length > 80 ? `${oneLine.slice(0, 79)}…` : oneLine;
  return `${p.label}\t${percent(p.proba[p.labelIndex] ?? 0)}\t${shown}`;
}

/** The prediction as a JSON line: label, probability per label, and the neurons that decided it. */
export function predictionJson(labels: readonly string[], p: Prediction, text: string, top: readonly NeuronContribution[]): string {
  return JSON.stringify({
    text,
    label: p.label,
    proba: Object.fromEntries(labels.map((l, k) => [l, p.proba[k] ?? 0])),
    truncated: p.truncated,
    neurons: top.map((n) => ({ name: n.name, contribution: n.contribution })),
  });
}

/** Label, probabilities, the ranked contributions, and the top neurons' values on every token. */
export function formatExplanation(e: Explanation, shown: number): string {
  const lines = [`label: ${e.label}  (${probabilities(e.labels, e.proba)})`];
  if (e.truncated) lines.push('note: the text is longer than the model reads; only its beginning was classified.');
  const top = e.contributions.slice(0, shown);
  lines.push(
    '',
    `Neurons by contribution toward "${e.label}" (weight x standardised value; intercept ${signed(e.intercepts[e.labelIndex] ?? 0)}):`,
    ...alignColumns([
      ['#', 'neuron', 'value', 'standardised', 'contribution'],
      ...top.map((c, i) => [String(i + 1), c.name, fixed(c.value), signed(c.standardised), signed(c.contribution)]),
    ], 2).map((l) => `  ${l}`),
  );
  const more = e.contributions.length - top.length;
  if (more > 0) lines.push(`  (${more} more neuron${more === 1 ? '' : 's'}; --top N shows more)`);
  const strongest = e.onTokens[0];
  if (strongest) {
    const fires = e.tokens.some((t, i) => !t.special && (strongest.values[i] ?? 0) > 0);
    lines.push(
      '',
      fires
        ? `Where ${strongest.name} fires most (tokens at half its peak or more, in brackets):\n  ${markStrongest(e, strongest.values)}`
        : `${strongest.name} does not fire on this text (no token above 0).`,
    );
  }
  if (e.onTokens.length > 0) {
    lines.push(
      '',
      'Top neurons on each token (raw value):',
      ...alignColumns([
        ['token', 'text', ...e.onTokens.map((n) => n.name)],
        ...e.tokens.map((t, i) => [
          t.token,
          t.start < t.end ? JSON.stringify(e.text.slice(t.start, t.end)) : '',
          ...e.onTokens.map((n) => fixed(n.values[i] ?? 0)),
        ]),
      ], 2).map((l) => `  ${l}`),
    );
  }
  return lines.join('\n');
}

/** The text on one line with the tokens where a neuron reaches half its peak (or more) in
 *  brackets; marked tokens with only spaces between them share one bracket. */
export function markStrongest(e: Explanation, values: readonly number[]): string {
  const placed = e.tokens.map((t, i) => ({ ...t, value: values[i] ?? 0 })).filter((t) => !t.special && t.start < t.end);
  const peak = Math.max(0, ...placed.map((t) => t.value));
  const marked = placed.filter((t) => peak > 0 && t.value >= peak / 2);
  let out = '';
  let at = 0;
  let open = false;
  for (const t of placed) {
    const mark = marked.includes(t);
    const gap = e.text.slice(at, t.start);
    if (open && (!mark || gap.trim() !== '')) {
      out += ']';
      open = false;
    }
    out += gap;
    if (mark && !open) {
      out += '[';
      open = true;
    }
    out += e.text.slice(t.start, t.end);
    at = t.end;
  }
  if (open) out += ']';
  return (out + e.text.slice(at)).replace(/\s+/g, ' ');
}
