// The messages between the extension host and the Layer Explorer / neuron view webviews. Both
// sides import this file and check every message they receive with these schemas.

import { arr, bool, int, lit, nullable, num, obj, opt, str, tagged, type Infer } from './guard';

const kind = lit('hid', 'act');
const pooling = lit('mean', 'max', 'single');
/** A neuron's name and its parts (`L{layer}.{kind}.{pooling}#{index}`). */
const neuronId = { name: str, kind, layer: int, pooling, index: int };

/** Text cut into pieces, each with the neuron's raw value on it (null between tokens). */
const segment = obj({ text: str, value: nullable(num) });
export type Segment = Infer<typeof segment>;

const probeSeries = obj({
  kind,
  pooling,
  points: arr(obj({ layer: int, score: num, support: int, dim: int })),
});
export type ProbeSeries = Infer<typeof probeSeries>;

const curve = obj({
  label: str,
  eta: num,
  chosen: bool,
  points: arr(obj({ k: int, score: num, features: int, support: int })),
});
export type AggregationSeries = Infer<typeof curve>;

const mapNeuron = obj({
  ...neuronId,
  importance: num,
  /** Weight per class on the standardised value (binary: [-w, w], the explanation's convention). */
  weights: arr(num),
  /** The class it pushes toward most. */
  classIndex: int,
});
export type MapNeuron = Infer<typeof mapNeuron>;

const explorerModel = obj({
  name: str,
  metric: lit('accuracy', 'macroF1'),
  classes: arr(str),
  numLayers: int,
  probes: arr(probeSeries),
  baselines: arr(obj({ name: str, block: str, score: num })),
  /** Per configuration its best eta's curve over k, the chosen one flagged. */
  aggregation: arr(curve),
  /** `penalty`: the final classifier's, l1 (sparse) or l2 (ridge, every kept neuron weighted). */
  chosen: obj({ label: str, eta: num, k: int, penalty: lit('l1', 'l2'), score: num, features: int, support: int, fittedOn: lit('train', 'train+dev') }),
  /** The shipped classifier: the average of these configurations (the first is `chosen`), its
   *  exit point and validation score. */
  ensemble: obj({ members: arr(str), k: int, score: num }),
  kept: arr(obj({ layer: int, hid: int, act: int })),
  /** Neurons per block of each kind: the neuron map's width. */
  dims: obj({ hid: int, act: int }),
  candidates: int,
  neurons: arr(mapNeuron),
  test: opt(obj({ accuracy: num, macroF1: num })),
  /** Without a test score: why the validation score is optimistic (core's validationCaveat). */
  validationCaveat: opt(str),
  warnings: arr(str),
});
export type ExplorerModel = Infer<typeof explorerModel>;

const explanationView = obj({
  /** Where the text came from, e.g. `notes.txt:12`. */
  source: str,
  text: str,
  label: str,
  labels: arr(str),
  proba: arr(num),
  truncated: bool,
  contributions: arr(obj({ name: str, value: num, standardised: num, contribution: num })),
  /** Kept neurons in the classifier (contributions holds the strongest of them). */
  total: int,
});
export type ExplanationView = Infer<typeof explanationView>;

const example = obj({
  row: int,
  /** Standardised value and raw activation. */
  value: num,
  raw: num,
  text: nullable(str),
  label: nullable(str),
  segments: opt(arr(segment)),
});
export type ExampleView = Infer<typeof example>;

const neuronModel = obj({
  classifier: str,
  ...neuronId,
  classes: arr(str),
  weights: arr(num),
  importance: num,
  mean: num,
  scale: num,
  stats: nullable(obj({ min: num, max: num, bins: int, histogram: arr(arr(num)), classMeans: arr(num) })),
  top: arr(example),
  bottom: arr(example),
});
export type NeuronModel = Infer<typeof neuronModel>;

const selectionActivation = obj({
  source: str,
  label: str,
  value: num,
  standardised: num,
  contribution: num,
  segments: opt(arr(segment)),
});
export type SelectionActivation = Infer<typeof selectionActivation>;

export const toWebview = tagged({
  model: obj({ type: lit('model'), model: explorerModel }),
  empty: obj({ type: lit('empty'), reason: str }),
  explaining: obj({ type: lit('explaining'), source: str }),
  explanation: obj({ type: lit('explanation'), explanation: explanationView }),
  explainError: obj({ type: lit('explainError'), source: str, message: str }),
  neuron: obj({ type: lit('neuron'), neuron: neuronModel }),
  neuronMissing: obj({ type: lit('neuronMissing'), name: str, reason: str }),
  selection: obj({ type: lit('selection'), activation: nullable(selectionActivation), message: opt(str) }),
});
export type ToWebview = Infer<typeof toWebview>;

export const fromWebview = tagged({
  ready: obj({ type: lit('ready') }),
  openNeuron: obj({ type: lit('openNeuron'), name: str }),
  error: obj({ type: lit('error'), message: str }),
});
export type FromWebview = Infer<typeof fromWebview>;

