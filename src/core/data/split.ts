// Train / validation / test: the dev file when there is one, else a stratified, seeded split of
// train. Every class with at least two examples keeps at least one in train; a class with a single
// example stays in train (it cannot be in both) and is reported in a warning.
import type { Dataset } from './dataset';
import { subsetDataset } from './dataset';
import { DataError } from './errors';
import type { DataWarning } from './errors';
import { encodeLabels, labelSpace } from './labels';
import { mulberry32 } from '../random';

export const DEFAULT_DEV_FRACTION = 0.1;
/** The seed of the reference experiments' IMDb split. */
export const DEFAULT_SEED = 42;

export interface SplitOptions {
  /** Share of train held out for validation when there is no dev file, in (0, 1). */
  readonly devFraction?: number | undefined;
  readonly seed?: number | undefined;
}

export interface IndexSplit {
  /** Indices into the labels, ascending (file order). */
  readonly train: number[];
  readonly dev: number[];
  /** Classes with a single example (all in train), in label-space order. */
  readonly singletons: string[];
}

/**
 * Holds out round(devFraction x n) examples, spread over the classes in proportion to their sizes
 * (largest remainders, ties to the earlier class), chosen at random within each class with a
 * seeded generator: the same labels, fraction and seed always give the same split.
 */
export function stratifiedSplit(labels: readonly string[], options: SplitOptions = {}): IndexSplit {
  const fraction = options.devFraction ?? DEFAULT_DEV_FRACTION;
  if (!(fraction > 0 && fraction < 1)) throw new RangeError(`the validation fraction must be between 0 and 1, not ${fraction}`);
  const random = mulberry32(options.seed ?? DEFAULT_SEED);
  const classes = labelSpace(labels);
  const members = new Map<string, number[]>(classes.map((c) => [c, []]));
  labels.forEach((l, i) => members.get(l)?.push(i));

  const groups = classes.map((c) => members.get(c) as number[]);
  const eligible = groups.filter((g) => g.length >= 2);
  const eligibleRows = eligible.reduce((n, g) => n + g.length, 0);
  const capacity = eligibleRows - eligible.length; // each class keeps one example in train
  const target = capacity === 0 ? 0 : Math.min(capacity, Math.max(1, Math.round(fraction * labels.length)));

  const quota = groups.map((g) => (g.length >= 2 ? Math.min(g.length - 1, Math.floor((target * g.length) / eligibleRows)) : 0));
  let missing = target - quota.reduce((a, b) => a + b, 0);
  const byRemainder = groups
    .map((g, k) => ({ k, remainder: g.length >= 2 ? (target * g.length) / eligibleRows - Math.floor((target * g.length) / eligibleRows) : -1 }))
    .filter((e) => e.remainder >= 0)
    .sort((a, b) => b.remainder - a.remainder || a.k - b.k);
  while (missing > 0) {
    for (const { k } of byRemainder) {
      if (missing === 0) break;
      if ((quota[k] as number) < (groups[k] as number[]).length - 1) {
        quota[k] = (quota[k] as number) + 1;
        missing--;
      }
    }
  }

  const isDev = new Uint8Array(labels.length);
  groups.forEach((g, k) => {
    const shuffled = [...g];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j] as number, shuffled[i] as number];
    }
    for (const i of shuffled.slice(0, quota[k])) isDev[i] = 1;
  });
  const train: number[] = [];
  const dev: number[] = [];
  isDev.forEach((d, i) => (d ? dev : train).push(i));
  return { train, dev, singletons: classes.filter((_, k) => (groups[k] as number[]).length === 1) };
}

export interface LabeledSplit {
  readonly dataset: Dataset;
  /** Class index of each text. */
  readonly y: Int32Array;
}

export interface PreparedData {
  /** Class names; index k of `y` is classes[k]. From the whole training file. */
  readonly classes: readonly string[];
  readonly train: LabeledSplit;
  readonly dev: LabeledSplit;
  readonly test?: LabeledSplit;
  /** 'file': the dev dataset given; 'split': held out from train. */
  readonly devSource: 'file' | 'split';
  readonly warnings: readonly DataWarning[];
}

export interface PrepareOptions extends SplitOptions {
  readonly dev?: Dataset | undefined;
  readonly test?: Dataset | undefined;
}

/**
 * Classes from train (at least two), validation from the dev file or a stratified split of train,
 * and every split's labels as class indices. Labels that occur only in dev or test are an error.
 */
export function prepareData(train: Dataset, options: PrepareOptions = {}): PreparedData {
  const classes = labelSpace(train.labels);
  if (classes.length < 2) {
    throw new DataError(
      'labels',
      { file: train.source, ...(train.labelColumn === null ? {} : { column: train.labelColumn }) },
      `every row has the label "${classes[0] ?? ''}"; a classifier needs examples of at least two labels` +
        (train.labelColumn === null ? '.' : ' (or name the right label column).'),
    );
  }
  const labeled = (dataset: Dataset): LabeledSplit => ({ dataset, y: encodeLabels(dataset, classes) });
  const test = options.test === undefined ? {} : { test: labeled(options.test) };
  if (options.dev !== undefined) {
    return { classes, train: labeled(train), dev: labeled(options.dev), ...test, devSource: 'file', warnings: [] };
  }
  const split = stratifiedSplit(train.labels, options);
  if (split.dev.length === 0) {
    throw new DataError(
      'labels',
      { file: train.source },
      `no validation rows can be held out: every label has a single example (${train.texts.length} rows); ` +
        'add examples or give a dev file.',
    );
  }
  const warnings: DataWarning[] = [];
  if (split.singletons.length > 0) {
    const names = split.singletons.slice(0, 10).map((c) => `"${c}"`).join(', ');
    warnings.push({
      code: 'single-example-class',
      message:
        `${train.source}: ${split.singletons.length} label${split.singletons.length === 1 ? ' has' : 's have'} a single ` +
        `example (${names}${split.singletons.length > 10 ? ', ...' : ''}); it stays in training and is absent ` +
        'from the validation split.',
      count: split.singletons.length,
    });
  }
  return {
    classes,
    train: labeled(subsetDataset(train, split.train)),
    dev: labeled(subsetDataset(train, split.dev)),
    ...test,
    devSource: 'split',
    warnings,
  };
}
