// Turns a training report, a saved classifier's examples and explanations into the compact
// models the webviews draw. The host does this once per message, so a 48-layer report never
// travels whole (its aggregation grid alone holds configurations x etas x L points).

import type { ExampleRow } from '../../core/artifact/types';
import type { Explanation, TokenSpan } from '../../core/explain/types';
import { cellName, configName } from '../../core/stc/configs';
import type { StcNeuron } from '../../core/stc/classifier';
import type { RowValue } from '../../core/stc/neuron-stats';
import { validationCaveat, type StcReport } from '../../core/stc/report';
import type { AggregationSeries, ExampleView, ExplanationView, ExplorerModel, MapNeuron, NeuronModel, ProbeSeries, Segment, SelectionActivation } from '../../../webview/shared/protocol';

/** Contributions an explanation shows (the rest are summed up by the prediction anyway). */
export const SHOWN_CONTRIBUTIONS = 12;

/** Weight per class, binary classifiers written as [-w, w] like the explanations' byLabel. */
export function classWeights(neuron: Pick<StcNeuron, 'weights'>, nClasses: number): number[] {
  const w = neuron.weights;
  return nClasses === 2 && w.length === 1 ? [-(w[0] as number), w[0] as number] : [...w];
}

function argMax(values: readonly number[]): number {
  let best = 0;
  values.forEach((v, i) => {
    if (v > (values[best] as number)) best = i;
  });
  return best;
}

function probeSeries(report: StcReport): ProbeSeries[] {
  const { kinds, poolings } = report.settings;
  return kinds.flatMap((kind) =>
    poolings.map((pooling) => ({
      kind,
      pooling,
      points: report.probes
        .filter((p) => p.kind === kind && p.pooling === pooling)
        .sort((a, b) => a.layer - b.layer)
        .map((p) => ({ layer: p.layer, score: p.valScore, support: p.support, dim: p.dim })),
    })),
  );
}

type AggregationEntry = StcReport['aggregation'][number];

const peak = (e: AggregationEntry) => Math.max(...e.curve.map((p) => p.valScore));

/** Each configuration at its best eta (ties: the smaller eta); the chosen configuration at the chosen eta. */
function aggregationSeries(report: StcReport): AggregationSeries[] {
  const chosenLabel = configName(report.chosen.config);
  const groups = new Map<string, AggregationEntry[]>();
  for (const entry of report.aggregation) {
    const label = configName(entry.config);
    groups.set(label, [...(groups.get(label) ?? []), entry]);
  }
  return [...groups].map(([label, entries]) => {
    const best = entries.reduce((a, b) => (peak(b) > peak(a) ? b : a));
    const chosen = label === chosenLabel ? entries.find((e) => e.eta === report.chosen.eta) : undefined;
    const entry = chosen ?? best;
    return {
      label,
      eta: entry.eta,
      chosen: chosen !== undefined,
      points: entry.curve.map((p) => ({ k: p.k, score: p.valScore, features: p.features, support: p.support })),
    };
  });
}

function mapNeuron(neuron: StcNeuron, nClasses: number): MapNeuron {
  const weights = classWeights(neuron, nClasses);
  const { name, kind, layer, pooling, index, importance } = neuron;
  return { name, kind, layer, pooling, index, importance, weights, classIndex: argMax(weights) };
}

export function explorerModel(report: StcReport, name: string): ExplorerModel {
  const dim = (kind: 'hid' | 'act') => Math.max(0, ...report.probes.filter((p) => p.kind === kind).map((p) => p.dim));
  const { chosen, classifier } = report;
  const caveat = validationCaveat(report);
  return {
    name,
    metric: report.settings.metric,
    classes: report.data.classes,
    numLayers: report.model.numLayers,
    probes: probeSeries(report),
    baselines: report.baselines.map((b) => ({ name: b.name, block: b.block, score: b.valScore })),
    aggregation: aggregationSeries(report),
    chosen: { label: configName(chosen.config), eta: chosen.eta, k: chosen.k, penalty: chosen.penalty, score: chosen.valScore, features: chosen.features, support: classifier.neurons.length, fittedOn: report.finalFit.on },
    ensemble: {
      members: report.ensemble.members.map((m) => `${cellName(m)}, ${m.penalty.toUpperCase()}`),
      k: report.ensemble.k,
      score: report.ensemble.valScore,
    },
    kept: report.keptPerLayer.map(({ layer, hid, act }) => ({ layer, hid, act })),
    dims: { hid: dim('hid'), act: dim('act') },
    candidates: report.probes.reduce((sum, p) => sum + p.dim, 0),
    neurons: classifier.neurons.map((n) => mapNeuron(n, classifier.nClasses)),
    ...(report.test ? { test: { accuracy: report.test.accuracy, macroF1: report.test.macroF1 } } : {}),
    ...(caveat === undefined ? {} : { validationCaveat: caveat }),
    warnings: report.warnings,
  };
}

/** Cuts `text` at the placed tokens: each token piece carries its value, the text between tokens null. */
export function segments(text: string, tokens: readonly TokenSpan[], values: readonly number[]): Segment[] {
  const out: Segment[] = [];
  let at = 0;
  const placed = tokens.map((t, i) => ({ t, value: values[i] })).filter(({ t, value }) => !t.special && t.end > t.start && value !== undefined);
  placed.sort((a, b) => a.t.start - b.t.start);
  for (const { t, value } of placed) {
    if (t.start < at || t.end > text.length) continue;
    if (t.start > at) out.push({ text: text.slice(at, t.start), value: null });
    out.push({ text: text.slice(t.start, t.end), value: value ?? null });
    at = t.end;
  }
  if (at < text.length) out.push({ text: text.slice(at), value: null });
  return out;
}

/** Token values of one neuron on a text, when something can compute them. */
export type TokenValues = { readonly tokens: readonly TokenSpan[]; readonly values: readonly number[] } | undefined;

export function neuronModel(
  report: StcReport,
  classifierName: string,
  examples: ReadonlyMap<number, ExampleRow>,
  neuronName: string,
  tokenValues: ReadonlyMap<number, TokenValues> = new Map(),
): NeuronModel | undefined {
  const neuron = report.classifier.neurons.find((n) => n.name === neuronName);
  if (!neuron) return undefined;
  const stats = report.neuronStats.find((s) => s.name === neuronName);
  const exampleView = ({ row, value }: RowValue): ExampleView => {
    const ex = examples.get(row);
    const tv = tokenValues.get(row);
    return {
      row,
      value,
      raw: value * neuron.scale + neuron.mean,
      text: ex?.text ?? null,
      label: ex?.label ?? null,
      segments: ex && tv ? segments(ex.text, tv.tokens, tv.values) : undefined,
    };
  };
  const { name, kind, layer, pooling, index, importance, mean, scale } = neuron;
  return {
    classifier: classifierName,
    name,
    kind,
    layer,
    pooling,
    index,
    classes: report.data.classes,
    weights: classWeights(neuron, report.classifier.nClasses),
    importance,
    mean,
    scale,
    stats: stats ? { min: stats.min, max: stats.max, bins: stats.bins, histogram: stats.histogram, classMeans: stats.classMeans } : null,
    top: (stats?.top ?? []).map(exampleView),
    bottom: (stats?.bottom ?? []).map(exampleView),
  };
}

export function explanationView(e: Explanation, source: string, shown = SHOWN_CONTRIBUTIONS): ExplanationView {
  return {
    source,
    text: e.text,
    label: e.label,
    labels: [...e.labels],
    proba: [...e.proba],
    truncated: e.truncated,
    contributions: e.contributions.slice(0, shown).map(({ name, value, standardised, contribution }) => ({ name, value, standardised, contribution })),
    total: e.contributions.length,
  };
}

/** The neuron's share in an explanation; undefined when the classifier has no such neuron. */
export function selectionActivation(e: Explanation, neuronName: string, source: string): SelectionActivation | undefined {
  const c = e.contributions.find((x) => x.name === neuronName);
  if (!c) return undefined;
  const onTokens = e.onTokens.find((x) => x.name === neuronName);
  return {
    source,
    label: e.label,
    value: c.value,
    standardised: c.standardised,
    contribution: c.contribution,
    segments: onTokens ? segments(e.text, e.tokens, onTokens.values) : undefined,
  };
}
