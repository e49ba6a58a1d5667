// The trained classifier as plain data (JSON as is): its neurons with their standardisation and
// weights, and the intercepts. Applying it reads only the blocks its neurons live in.

import type { Design } from '../learn/matrix';
import type { LogisticModel } from '../learn/model';
import { predict, predictProba } from '../learn/predict';
import { blockName, neuronName, type FeatureBlock, type Kind, type Pooling } from '../neurons';
import { throwIfAborted } from './abort';
import type { FeatureSource } from './input';

export interface StcNeuron {
  /** `L{layer}.{kind}.{pooling}#{index}` */
  readonly name: string;
  readonly kind: Kind;
  readonly layer: number;
  readonly pooling: Pooling;
  /** Position of the neuron in its block. */
  readonly index: number;
  /** Standardisation: the classifier sees (x - mean) / scale. */
  readonly mean: number;
  readonly scale: number;
  /** One weight per output (1 for two classes, the logit of class 1; else one per class). */
  readonly weights: number[];
  /** Sum over outputs of the squared weights. */
  readonly importance: number;
}

export interface StcClassifier {
  /** Neurons with a non-zero weight, by layer, kind, pooling, then index. */
  readonly neurons: StcNeuron[];
  readonly intercepts: number[];
  /** 1 for a binary classifier (sigmoid), else nClasses (softmax). */
  readonly outputs: number;
  readonly nClasses: number;
}

/** What design column c of a fitted model is. */
export interface ColumnSource extends FeatureBlock {
  readonly index: number;
  readonly mean: number;
  readonly scale: number;
}

/** Keeps the neurons of `model` with a non-zero weight; `columns[c]` describes its column c. Columns
 *  that describe the same neuron (an averaged model's members share neurons) become one neuron
 *  with the sum of their weights. */
export function classifierFromModel(model: LogisticModel, columns: readonly ColumnSource[]): StcClassifier {
  const { nFeatures: p, outputs, weights } = model;
  if (columns.length !== p) throw new Error(`the model has ${p} features but ${columns.length} columns are described`);
  const byName = new Map<string, { col: ColumnSource; weights: number[] }>();
  columns.forEach((col, c) => {
    const name = neuronName(col);
    const w = Array.from({ length: outputs }, (_, k) => weights[k * p + c] as number);
    const seen = byName.get(name);
    if (!seen) return void byName.set(name, { col, weights: w });
    if (seen.col.mean !== col.mean || seen.col.scale !== col.scale) throw new Error(`${name} is described twice with different standardisations`);
    w.forEach((v, k) => (seen.weights[k] = (seen.weights[k] as number) + v));
  });
  const neurons: StcNeuron[] = [];
  for (const [name, { col, weights: w }] of byName) {
    if (w.every((v) => v === 0)) continue;
    neurons.push({
      name,
      kind: col.kind,
      layer: col.layer,
      pooling: col.pooling,
      index: col.index,
      mean: col.mean,
      scale: col.scale,
      weights: w,
      importance: w.reduce((s, v) => s + v * v, 0),
    });
  }
  const kindRank = (k: Kind) => (k === 'hid' ? 0 : 1);
  const poolRank = (q: Pooling) => ['mean', 'max', 'single'].indexOf(q);
  neurons.sort((a, b) => a.layer - b.layer || kindRank(a.kind) - kindRank(b.kind) || poolRank(a.pooling) - poolRank(b.pooling) || a.index - b.index);
  return { neurons, intercepts: Array.from(model.intercepts), outputs, nClasses: model.nClasses };
}

/** The classifier as learn's model over its neurons, in `neurons` order. */
export function modelOf(c: StcClassifier): LogisticModel {
  const p = c.neurons.length;
  const weights = new Float64Array(c.outputs * p);
  c.neurons.forEach((n, j) => n.weights.forEach((w, k) => (weights[k * p + j] = w)));
  return { nFeatures: p, nClasses: c.nClasses, outputs: c.outputs, weights, intercepts: Float64Array.from(c.intercepts) };
}

/** Writes neuron j's standardised values, `raw(i)` for i < n, into column j of a column-major
 *  design. Learn's designMatrix arithmetic, so training and inference see identical values. */
function standardiseColumn(data: Float32Array, j: number, n: number, neuron: StcNeuron, raw: (i: number) => number, rowName: (i: number) => string): void {
  const inv = 1 / neuron.scale;
  for (let i = 0; i < n; i++) {
    const v = raw(i);
    if (!Number.isFinite(v)) throw new Error(`${neuron.name}: ${Number.isNaN(v) ? 'NaN' : 'infinite'} value at ${rowName(i)}`);
    data[j * n + i] = (v - neuron.mean) * inv;
  }
}

/** The standardised values of the classifier's neurons for the given source rows, column-major
 *  (the design the classifier's model reads). Reads each block once. */
export function classifierDesign(c: StcClassifier, source: Pick<FeatureSource, 'read'>, rows: Int32Array, signal?: AbortSignal): Design {
  const n = rows.length;
  const data = new Float32Array(n * c.neurons.length);
  const byBlock = new Map<string, number[]>();
  c.neurons.forEach((neuron, j) => {
    const name = blockName(neuron);
    const columns = byBlock.get(name);
    if (columns) columns.push(j);
    else byBlock.set(name, [j]);
  });
  for (const columns of byBlock.values()) {
    throwIfAborted(signal);
    const first = c.neurons[columns[0] as number] as StcNeuron;
    const X = source.read(first);
    for (const r of rows) if (r >= X.rows) throw new Error(`row ${r} is outside ${blockName(first)}'s ${X.rows} rows`);
    for (const j of columns) {
      const neuron = c.neurons[j] as StcNeuron;
      if (neuron.index >= X.cols) throw new Error(`${neuron.name}: block ${blockName(neuron)} has only ${X.cols} neurons; the classifier was trained on features of another model`);
      standardiseColumn(data, j, n, neuron, (i) => X.data[(rows[i] as number) * X.cols + neuron.index] as number, (i) => `row ${rows[i]}; re-extract the features of that row`);
    }
  }
  return { rows: n, cols: c.neurons.length, data, layout: 'column-major' };
}

/** The design of `rows` texts whose neuron values are given row-major in `c.neurons` order
 *  ([rows, neurons], as the early-exit graph outputs them). */
export function neuronValuesDesign(c: StcClassifier, values: Float32Array, rows: number): Design {
  const p = c.neurons.length;
  if (values.length !== rows * p) throw new Error(`${values.length} neuron values for ${rows} rows of ${p} neurons`);
  const data = new Float32Array(rows * p);
  c.neurons.forEach((neuron, j) => standardiseColumn(data, j, rows, neuron, (i) => values[i * p + j] as number, (i) => `text ${i} of the batch`));
  return { rows, cols: p, data, layout: 'column-major' };
}

export interface Classified {
  /** Predicted class index per requested row. */
  readonly predictions: Int32Array;
  /** rows x nClasses, row-major. */
  readonly proba: Float64Array;
}

/** Classifies the given rows of a feature source (e.g. all: `Int32Array.from({ length: n }, (_, i) => i)`). */
export function applyClassifier(c: StcClassifier, source: Pick<FeatureSource, 'read'>, rows: Int32Array, signal?: AbortSignal): Classified {
  return classifyDesign(modelOf(c), classifierDesign(c, source, rows, signal));
}

/** Classifies the rows of a classifier's design with its model (modelOf). */
export function classifyDesign(model: LogisticModel, design: Design): Classified {
  return { predictions: predict(model, design), proba: predictProba(model, design) };
}
