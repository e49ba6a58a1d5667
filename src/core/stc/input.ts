// What the pipeline trains on, and the checks that turn bad input into errors that say what is
// wrong and what to do before any fitting starts.

import { checkShape, type DenseMatrix } from '../learn/matrix';
import { blockName, type FeatureBlock } from '../neurons';

/** Pooled features of every row (train, dev and test in one store). `read` returns one whole
 *  block, row-major float32 `[rows, dim]` (the extraction engine's `readBlock` gives exactly this);
 *  the pipeline holds one block at a time. */
export interface FeatureSource {
  /** Transformer blocks L: hid has layers 0..L, act 0..L-1. */
  readonly numLayers: number;
  read(block: FeatureBlock): DenseMatrix;
}

/** Row indices of the source per split; disjoint. */
export interface SplitRows {
  readonly train: Int32Array;
  readonly dev: Int32Array;
  /** Optional; without it (or when empty) the report has no test metrics. */
  readonly test?: Int32Array | undefined;
}

/** Caller-supplied description of the model, copied into the report as is. */
export interface ModelInfo {
  readonly id: string;
  readonly sha256?: string;
  readonly [key: string]: unknown;
}

export interface StcInput {
  readonly source: FeatureSource;
  readonly splits: SplitRows;
  /** Class index of every source row (rows outside the splits are ignored). */
  readonly y: Int32Array;
  readonly classes: readonly string[];
  readonly model?: ModelInfo;
  /** Where the validation split came from, e.g. `dev.jsonl` or `10% of train, stratified, seed 42`. */
  readonly devSource?: string;
}

export type SplitName = 'train' | 'dev' | 'test';

export interface CheckedInput {
  readonly train: Int32Array;
  readonly dev: Int32Array;
  /** Undefined when there is no test split. */
  readonly test: Int32Array | undefined;
  readonly counts: { train: number[]; dev: number[]; test?: number[] };
  readonly warnings: string[];
}

function countClasses(y: Int32Array, rows: Int32Array, nClasses: number): number[] {
  const counts = new Array<number>(nClasses).fill(0);
  for (const r of rows) counts[y[r] as number] = (counts[y[r] as number] as number) + 1;
  return counts;
}

/** Checks labels, classes and split indices; returns per-split class counts and warnings. */
export function checkInput(input: StcInput): CheckedInput {
  const { source, splits, y, classes } = input;
  const L = source.numLayers;
  if (!Number.isInteger(L) || L < 1) throw new Error(`the feature source has ${L} transformer blocks; expected a positive integer (numLayers)`);
  if (new Set(classes).size !== classes.length) throw new Error(`class names ${JSON.stringify(classes)} repeat; each class needs a distinct name`);
  if (classes.length < 2) throw new Error(`only one class (${JSON.stringify(classes[0] ?? '')}) in the data; a classifier needs examples of at least two classes`);
  const K = classes.length;
  const owner = new Int8Array(y.length).fill(-1);
  const names: SplitName[] = ['train', 'dev', 'test'];
  names.forEach((name, s) => {
    const rows = splits[name];
    if (!rows) return;
    for (const r of rows) {
      if (!Number.isInteger(r) || r < 0 || r >= y.length) throw new Error(`${name} split: row ${r} is outside the ${y.length} labelled rows`);
      const label = y[r] as number;
      if (!Number.isInteger(label) || label < 0 || label >= K) throw new Error(`row ${r} (${name}): label ${label} is not an index of the ${K} classes ${JSON.stringify(classes)}`);
      if (owner[r] !== -1) throw new Error(`row ${r} is in both the ${names[owner[r] as number]} and the ${name} split; splits must be disjoint`);
      owner[r] = s;
    }
  });
  if (splits.train.length === 0) throw new Error('the training split is empty; provide labelled training examples');
  if (splits.dev.length === 0) throw new Error('the validation split is empty; give a dev file, or let the data loader hold out a stratified share of train');
  const test = splits.test && splits.test.length > 0 ? splits.test : undefined;
  const counts = {
    train: countClasses(y, splits.train, K),
    dev: countClasses(y, splits.dev, K),
    ...(test ? { test: countClasses(y, test, K) } : {}),
  };
  const present = counts.train.filter((c) => c > 0).length;
  if (present < 2) {
    const only = classes[counts.train.findIndex((c) => c > 0)];
    throw new Error(`only one class ("${only}") appears in the ${splits.train.length} training rows; a classifier needs training examples of at least two classes`);
  }
  const missing = classes.filter((_, k) => counts.train[k] === 0);
  if (missing.length > 0) {
    const where = missing.map((name) => {
      const k = classes.indexOf(name);
      const elsewhere = (['dev', 'test'] as const).filter((s) => (counts[s]?.[k] ?? 0) > 0).map((s) => `${s} (${counts[s]?.[k]} rows)`);
      return elsewhere.length > 0 ? `"${name}" appears only in ${elsewhere.join(' and ')}` : `"${name}" has no examples at all`;
    });
    throw new Error(`class${missing.length > 1 ? 'es' : ''} without training examples: ${where.join('; ')}. A classifier cannot learn a class it never sees: add training examples, or remove the class and its rows`);
  }
  const warnings: string[] = [];
  classes.forEach((name, k) => {
    if (counts.train[k] === 1) warnings.push(`class "${name}" has a single training example; it is kept, but expect it to be predicted poorly`);
    if (counts.dev[k] === 0) warnings.push(`class "${name}" has no validation example; the validation score does not measure it`);
  });
  return { train: splits.train, dev: splits.dev, test, counts, warnings };
}

/** Reads a block and checks that it describes every labelled row and that the rows of the
 *  splits are finite (rows outside the splits are never used, so they are not checked). */
export function readChecked(source: FeatureSource, block: FeatureBlock, labelled: number, splits: CheckedInput): DenseMatrix {
  const name = blockName(block);
  const X = source.read(block);
  checkShape(X, { name });
  if (X.rows !== labelled) throw new Error(`${name}: the feature source has ${X.rows} rows but there are ${labelled} labels; features and labels must describe the same rows (re-extract the features for this dataset)`);
  if (X.cols === 0) throw new Error(`${name}: the block has no neurons; re-extract the features`);
  const { cols, data } = X;
  for (const split of ['train', 'dev', 'test'] as const) {
    for (const r of splits[split] ?? []) {
      for (let j = 0; j < cols; j++) {
        const v = data[r * cols + j] as number;
        if (!Number.isFinite(v)) {
          throw new Error(`${name}: ${Number.isNaN(v) ? 'NaN' : 'infinite'} value at row ${r} (${split} split), neuron ${j}; the learner needs finite features: re-extract the block, or drop the row`);
        }
      }
    }
  }
  return X;
}

/** The given rows of X, in that order. */
export function takeRows(X: DenseMatrix, rows: Int32Array): DenseMatrix {
  const { cols } = X;
  const data = new Float32Array(rows.length * cols);
  rows.forEach((r, i) => data.set(X.data.subarray(r * cols, (r + 1) * cols), i * cols));
  return { rows: rows.length, cols, data };
}

export function labelsOf(y: Int32Array, rows: Int32Array): Int32Array {
  return Int32Array.from(rows, (r) => y[r] as number);
}
