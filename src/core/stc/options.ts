// What a caller may tune, its defaults, and the settings a run records in its report.

import type { Penalty } from '../learn/path';
import { KINDS, POOLINGS, type Kind, type Pooling } from '../neurons';

/** `paper`: one (kind, pooling) per configuration, as the paper searches. `extended` adds hid and
 *  act together per pooling, and each kind set with all poolings combined. */
export type StcSpace = 'paper' | 'extended';
export type Metric = 'accuracy' | 'macroF1';
export type MetricChoice = Metric | 'auto';
export type StcStage = 'probe' | 'aggregate' | 'baseline' | 'test';

export interface StcProgress {
  readonly stage: StcStage;
  /** Units of this stage finished: probes, aggregation fits (distinct feature sets of the
   *  configuration x eta x k grid), baselines, test scorings. */
  readonly done: number;
  readonly total: number;
  /** What was just finished, e.g. `L3.act.mean`. */
  readonly item?: string;
}

/** The paper's eta grid. */
export const PAPER_ETA_GRID: readonly number[] = [0.001, 0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8];
/** The pipeline's paths span two decades of lambda (learn's default is three): on real features
 *  the third decade, where hundreds of neurons are active, costs far more than the first two
 *  (SST-2, all-MiniLM-L6-v2, L1.act.mean: 35 s down to 1e-2, then 325 s for the next two points)
 *  and, in the two blocks traced, beat the best validation score of the first two by at most 0.4
 *  points. Whole searches with the third decade (18 lambdas, paper space, bench seeds 7, 1, 2)
 *  moved mean test scores by emotion +4.5, sms_spam -1.0 (macro-F1), trec -0.9, sst2 -0.7 and
 *  subj -0.4 points, and doubled trec's search time. Six lambdas per decade, as learn's default
 *  grid. */
export const DEFAULT_PATH_LENGTH = 12;
export const DEFAULT_LAMBDA_MIN_RATIO = 1e-2;
/** Paths stop after two points without improvement (learn's default is three): the points past
 *  the best are a path's densest and dearest (SST-2, all-MiniLM-L6-v2, L0.act.max probe: the
 *  three after the best took 3.0 of its 3.5 s). Whole searches on the bench seeds 7, 1, 2 (paper
 *  space), against patience 3: 1.1-1.8x faster (SST-2 seed 2: 34.8 s -> 19.0 s, trec seed 7:
 *  145 s -> 95 s), mean test scores emotion +2.7, sst2 -0.2, subj -0.1, sms_spam -0.25 (macro-F1)
 *  and trec -0.6 points. Patience 1 on the probes alone was faster still (1.6-3.1x) but cost trec
 *  1.3 and subj 0.4 points. */
export const DEFAULT_PATIENCE = 2;
/** Final-classifier penalties searched per space: the paper's pipeline is L1 throughout; the
 *  extended space also fits a dense L2 (ridge) classifier on the largest eta's kept sets, for
 *  small training sets where a sparse fit of hundreds of correlated neurons underfits (emotion,
 *  400 rows, 6 classes, extended space, seed 7: test accuracy 54.5 -> 59.85; README "Known
 *  limits"). */
export const DEFAULT_PENALTIES: Readonly<Record<StcSpace, readonly Penalty[]>> = { paper: ['l1'], extended: ['l1', 'l2'] };
/** A ridge path starts at 10 x the L1 lambda_max (there the ridge solution is close to the null
 *  model on a few hundred neurons) and spans four decades, three lambdas per decade: on emotion's
 *  kept sets the best validation score fell between 10 and 2e-3 x lambda_max. */
export const RIDGE_TOP_RATIO = 10;
export const RIDGE_PATH_LENGTH = 13;
export const RIDGE_LAMBDA_MIN_RATIO = 1e-4;
/** The shipped classifier averages the logits of the best three configurations on validation, not
 *  the single best: the best of several hundred fits on a few hundred validation rows is partly
 *  chosen for its luck there, and averaging a few near the top cancels part of it. Train-only fits
 *  of the extended space, 25 runs of the bench and held-out sets (STC README, Design decisions,
 *  "The classifier averages the best three configurations"): the top 3 gained +0.98 test points on
 *  average over the single best, the top 5 +0.96, the top 10 +0.99; three keep the classifier
 *  smallest. */
export const DEFAULT_ENSEMBLE = 3;
/** `auto` picks macro-F1 when the rarest training class has fewer than this share of the most
 *  frequent one's examples. */
export const IMBALANCE_RATIO = 0.5;

export interface StcOptions {
  /** Default both. */
  readonly kinds?: readonly Kind[];
  /** Default all three. */
  readonly poolings?: readonly Pooling[];
  /** Default `extended`. */
  readonly space?: StcSpace;
  /** Sparsification levels in (0, 1]; default the paper's grid. */
  readonly etaGrid?: readonly number[];
  /** Penalties of the final classifier the aggregation searches: `['l1']`, or `['l1', 'l2']` to
   *  also fit a ridge classifier on every kept set of the grid's largest eta (the better of the
   *  two on validation stays; L1 on ties). Default `DEFAULT_PENALTIES[space]`. */
  readonly penalties?: readonly Penalty[];
  /** Validation metric that selects everything; default `auto`. */
  readonly metric?: MetricChoice;
  /** Lambdas per regularisation path, log-spaced from lambda_max down to lambda_max x
   *  `lambdaMinRatio` (default 12 and 1e-2). */
  readonly pathLength?: number;
  readonly lambdaMinRatio?: number;
  /** A path stops once this many consecutive points have not beaten its best validation score
   *  (default 2; 0 fits every point). */
  readonly patience?: number;
  /** How many of the best configurations by validation (distinct kept-neuron sets, in the final
   *  choice's order) the classifier averages: their logits are averaged, which is one linear
   *  classifier over the union of their neurons. 1: the single best, as the paper chooses.
   *  Default 3. */
  readonly ensemble?: number;
  /** Once validation has chosen the classifier (neurons, penalty, lambda), fit it again on train
   *  and validation rows together, and the baselines likewise (default true; README "Refit"). */
  readonly refit?: boolean;
  /** Fits run on this many worker threads (learn's pool); 1 fits in process. Default: one per
   *  core. Results do not depend on it. */
  readonly threads?: number;
  readonly onProgress?: (progress: StcProgress) => void;
  /** Checked between fits and at every path point; a cancelled run rejects with an AbortError. */
  readonly signal?: AbortSignal;
}

export const K_CONVENTION = 'k = number of transformer blocks run (the early-exit point), k = 1..L: act layers 0..k-1 and hid layers 0..k (hid[0] is the embedding output, so k = L includes the final hidden state)';
export const TIE_BREAKS = 'probe and path point: the sparsest (largest lambda) among equal validation scores; penalty of one kept set: L1 unless L2 scores higher; final choice: highest validation score, then smaller k, then fewer classifier neurons, then fewer input features, then the first in search order (configuration, eta ascending); the classifier averages the first settings.ensemble distinct kept-neuron sets of that order';

export interface StcSettings {
  readonly kinds: Kind[];
  readonly poolings: Pooling[];
  readonly space: StcSpace;
  readonly etaGrid: number[];
  readonly pathLength: number;
  readonly lambdaMinRatio: number;
  readonly patience: number;
  readonly penalties: Penalty[];
  readonly metric: Metric;
  readonly metricReason: string;
  /** Configurations the classifier averages (see StcOptions.ensemble). */
  readonly ensemble: number;
  /** Whether the classifier and baselines were refitted on train + validation rows. */
  readonly refit: boolean;
  readonly kConvention: string;
  readonly tieBreaks: string;
  /** Always true: every block is standardised with train means and deviations (stored per neuron). */
  readonly standardised: true;
}

function subset<T extends string>(what: string, given: readonly T[] | undefined, all: readonly T[]): T[] {
  if (given === undefined) return [...all];
  const unknown = given.filter((g) => !all.includes(g));
  if (given.length === 0 || unknown.length > 0) throw new Error(`${what} ${JSON.stringify(given)}: expected a non-empty list of ${all.join(', ')}`);
  // Canonical order, duplicates dropped, so equal requests give equal reports.
  return all.filter((a) => given.includes(a));
}

function etaGridOf(given: readonly number[] | undefined): number[] {
  if (given === undefined) return [...PAPER_ETA_GRID];
  if (given.length === 0 || given.some((e) => !(e > 0 && e <= 1))) throw new Error(`eta grid ${JSON.stringify(given)}: expected a non-empty list of numbers in (0, 1]`);
  return [...new Set(given)].sort((a, b) => a - b);
}

function positiveInteger(what: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${what} ${value}: expected a positive integer`);
  return value;
}

/** The metric `auto` resolves to, and why, from the training class counts. */
export function chooseMetric(choice: MetricChoice, trainCounts: readonly number[], classes: readonly string[]): { metric: Metric; reason: string } {
  if (choice !== 'auto') return { metric: choice, reason: 'set by the caller' };
  let min = 0;
  let max = 0;
  trainCounts.forEach((c, k) => {
    if (c < (trainCounts[min] as number)) min = k;
    if (c > (trainCounts[max] as number)) max = k;
  });
  const rare = trainCounts[min] as number;
  const frequent = trainCounts[max] as number;
  const counts = `rarest training class "${classes[min]}" has ${rare} examples, most frequent "${classes[max]}" ${frequent}`;
  return rare < IMBALANCE_RATIO * frequent
    ? { metric: 'macroF1', reason: `auto: imbalanced (${counts}, under ${IMBALANCE_RATIO} x)` }
    : { metric: 'accuracy', reason: `auto: balanced (${counts}, at least ${IMBALANCE_RATIO} x)` };
}

export function resolveSettings(options: StcOptions, trainCounts: readonly number[], classes: readonly string[]): StcSettings {
  const space = options.space ?? 'extended';
  if (space !== 'paper' && space !== 'extended') throw new Error(`space "${String(space)}": expected paper or extended`);
  const metricChoice = options.metric ?? 'auto';
  if (!['accuracy', 'macroF1', 'auto'].includes(metricChoice)) throw new Error(`metric "${String(metricChoice)}": expected accuracy, macroF1 or auto`);
  const lambdaMinRatio = options.lambdaMinRatio ?? DEFAULT_LAMBDA_MIN_RATIO;
  if (!(lambdaMinRatio > 0 && lambdaMinRatio < 1)) throw new Error(`lambdaMinRatio ${lambdaMinRatio}: expected a number in (0, 1)`);
  const patience = options.patience ?? DEFAULT_PATIENCE;
  if (!Number.isInteger(patience) || patience < 0) throw new Error(`patience ${patience}: expected a non-negative integer (0 fits the whole path)`);
  const penalties = options.penalties ?? DEFAULT_PENALTIES[space];
  if (!penalties.includes('l1') || penalties.some((p) => p !== 'l1' && p !== 'l2')) {
    throw new Error(`penalties ${JSON.stringify(penalties)}: expected ["l1"] or ["l1", "l2"] (the L1 classifier is always searched; l2 adds ridge classifiers on the densest kept sets)`);
  }
  const refit = options.refit ?? true;
  if (typeof refit !== 'boolean') throw new Error(`refit ${JSON.stringify(refit)}: expected true or false`);
  const { metric, reason } = chooseMetric(metricChoice, trainCounts, classes);
  return {
    kinds: subset('kinds', options.kinds, KINDS),
    poolings: subset('poolings', options.poolings, POOLINGS),
    space,
    etaGrid: etaGridOf(options.etaGrid),
    pathLength: positiveInteger('pathLength', options.pathLength ?? DEFAULT_PATH_LENGTH),
    lambdaMinRatio,
    patience,
    // Canonical order, duplicates dropped: L1 first, so it wins ties.
    penalties: (['l1', 'l2'] as const).filter((p) => penalties.includes(p)),
    metric,
    metricReason: reason,
    ensemble: positiveInteger('ensemble', options.ensemble ?? DEFAULT_ENSEMBLE),
    refit,
    kConvention: K_CONVENTION,
    tieBreaks: TIE_BREAKS,
    standardised: true,
  };
}
