// The public estimator: a regularisation path of L1 logistic regressions with warm starts, a
// single fit at one lambda (or scikit-learn's C), and the validation scoring that picks a point.

import { checkTrainingLabels, checkEvaluationLabels } from './labels';
import { assertFinite, checkShape, type Design } from './matrix';
import { classificationMetrics, logLoss } from './metrics';
import { support, type LogisticModel } from './model';
import { predict, predictProba } from './predict';
import { RidgeLogisticSolver } from './ridge';
import { L1LogisticSolver, type Convergence, type SolverOptions } from './solver';

/** Mean-loss lambda of scikit-learn's C: minimising ||w||_1 + C sum_i loss_i is minimising
 *  (1/n) sum_i loss_i + lambda ||w||_1 with lambda = 1 / (C n). */
export function lambdaFromC(C: number, n: number): number {
  return 1 / (C * n);
}

export function cFromLambda(lambda: number, n: number): number {
  return 1 / (lambda * n);
}

export const DEFAULT_PATH_LENGTH = 20;
export const DEFAULT_LAMBDA_MIN_RATIO = 1e-3;
/** glmnet's rule: past 99.9 % of the null deviance explained on train, smaller lambdas only
 *  chase separation. */
export const DEFAULT_MAX_DEVIANCE_RATIO = 0.999;

/** `count` lambdas log-spaced from `lambdaMax` down to `lambdaMax * minRatio`, decreasing. */
export function lambdaGrid(lambdaMax: number, count = DEFAULT_PATH_LENGTH, minRatio = DEFAULT_LAMBDA_MIN_RATIO): number[] {
  if (!(count >= 1) || !Number.isInteger(count)) throw new Error(`path length ${count} must be a positive integer`);
  if (!(minRatio > 0 && minRatio < 1)) throw new Error(`lambda min ratio ${minRatio} must lie in (0, 1)`);
  if (count === 1) return [lambdaMax];
  return Array.from({ length: count }, (_, i) => lambdaMax * minRatio ** (i / (count - 1)));
}

export interface PathPoint {
  readonly lambda: number;
  /** scikit-learn's C for this lambda on this training set: 1 / (lambda n). */
  readonly C: number;
  readonly model: LogisticModel;
  /** Features with a non-zero weight in some output. */
  readonly supportSize: number;
  /** Mean training loss (no penalty). */
  readonly trainLoss: number;
  /** The objective minimised: trainLoss + lambda ||W||_1 (L1), or trainLoss + (lambda / 2) ||W||_2^2 (L2). */
  readonly objective: number;
  /** 1 - trainLoss / (intercept-only loss): the share of the null deviance explained. */
  readonly devianceRatio: number;
  readonly convergence: Convergence;
}

export type SelectionMetric = 'accuracy' | 'macroF1' | 'logLoss';

export interface PathScores {
  /** Score of each path point on the validation split (log-loss: lower is better). */
  readonly scores: number[];
  /** The best point; ties go to the earliest, i.e. the sparsest, point. */
  readonly best: number;
}

export interface Path {
  readonly lambdaMax: number;
  /** Mean loss of the intercept-only model (the entropy of the class frequencies). */
  readonly nullLoss: number;
  /** Fitted points, lambda decreasing. */
  readonly points: PathPoint[];
  /** Why the path ended before its last lambda: the deviance rule, the validation patience, or
   *  the caller's `onPoint`. */
  readonly stopped?: 'deviance' | 'validation' | 'caller';
  /** Present when `validation` was given: the score of every fitted point and the best one. */
  readonly validation?: PathScores;
}

export interface ValidationOptions {
  /** Validation design, same columns and standardisation as the training design. */
  readonly X: Design;
  readonly y: Int32Array;
  readonly metric: SelectionMetric;
  /** Stop once this many points in a row have not beaten the best score (default 3: lambda has
   *  fallen by a factor 2.8 on the default grid); Infinity scores the whole path. The points past
   *  the best are the least sparse and the most expensive ones: patience is paid for dearly. */
  readonly patience?: number;
}

/** `l1`: sparse, lambda ||W||_1 (the proximal Newton solver, solver.ts); `l2`: dense (ridge),
 *  (lambda / 2) ||W||_2^2 (L-BFGS, ridge.ts). */
export type Penalty = 'l1' | 'l2';

export interface PathOptions extends SolverOptions {
  /** Default `l1`. */
  readonly penalty?: Penalty;
  /** Number of classes K; default the largest label + 1. */
  readonly nClasses?: number;
  /** Explicit lambdas (fitted in decreasing order); default `lambdaGrid(lambdaMax * lambdaTopRatio, pathLength, lambdaMinRatio)`. */
  readonly lambdas?: readonly number[];
  /** Where the default grid starts, relative to lambdaMax (the L1 lambdaMax, for either penalty).
   *  Default 1: the L1 solution there is all zero. A ridge solution is not, so an L2 path starts
   *  higher (STC uses 10). */
  readonly lambdaTopRatio?: number;
  readonly pathLength?: number;
  readonly lambdaMinRatio?: number;
  /** Stop after the first point whose deviance ratio reaches this (default 0.999; 1 disables). */
  readonly maxDevianceRatio?: number;
  /** Scores every point on a validation split as the path goes and stops when it stalls. */
  readonly validation?: ValidationOptions;
  /** Called after each point; returning false ends the path there. */
  readonly onPoint?: (point: PathPoint, index: number) => boolean | void;
}

export const DEFAULT_PATIENCE = 3;

function checkProblem(X: Design, y: Int32Array, nClasses: number | undefined): number {
  checkShape(X, { name: 'training design' });
  const { nClasses: K } = checkTrainingLabels(y, X.rows, nClasses);
  if (X.cols === 0) throw new Error('the training design has no feature columns; select at least one feature');
  assertFinite(X, { name: 'training design' });
  return K;
}

function pointOf(solver: L1LogisticSolver | RidgeLogisticSolver, lambda: number, convergence: Convergence): PathPoint {
  const { weights, intercepts } = solver.snapshot();
  const model: LogisticModel = { nFeatures: solver.p, nClasses: solver.nClasses, outputs: solver.outputs, weights, intercepts };
  let penalty = 0;
  if (solver instanceof RidgeLogisticSolver) {
    for (const w of weights) penalty += (w * w) / 2;
  } else {
    for (const w of weights) penalty += Math.abs(w);
  }
  const trainLoss = solver.trainingLoss();
  return {
    lambda,
    C: cFromLambda(lambda, solver.n),
    model,
    supportSize: support(model).length,
    trainLoss,
    objective: trainLoss + lambda * penalty,
    devianceRatio: 1 - trainLoss / solver.nullLoss,
    convergence,
  };
}

/**
 * Fits a regularisation path (L1 by default, or L2) on a (standardised, column-major) design:
 * lambdas decreasing, each solve warm-started from the previous solution. Binary when K = 2 (one weight vector, the
 * logit of class 1), multinomial otherwise (K weight vectors, softmax); intercepts unpenalised.
 */
export function fitPath(X: Design, y: Int32Array, options: PathOptions = {}): Path {
  const K = checkProblem(X, y, options.nClasses);
  const solver = options.penalty === 'l2' ? new RidgeLogisticSolver(X, y, K) : new L1LogisticSolver(X, y, K);
  try {
    return walkPath(solver, K, X.cols, options);
  } finally {
    solver.release();
  }
}

/** The path of a new solver (whose snapshots the points copy, so nothing refers to its memory). */
function walkPath(solver: L1LogisticSolver | RidgeLogisticSolver, K: number, cols: number, options: PathOptions): Path {
  const topRatio = options.lambdaTopRatio ?? 1;
  if (!(topRatio > 0) || !Number.isFinite(topRatio)) throw new Error(`lambda top ratio ${topRatio} must be a positive finite number`);
  const lambdas = (options.lambdas ? [...options.lambdas] : lambdaGrid(solver.lambdaMax * topRatio, options.pathLength, options.lambdaMinRatio)).sort((a, b) => b - a);
  for (const l of lambdas) if (!(l > 0) || !Number.isFinite(l)) throw new Error(`lambda ${l} must be a positive finite number`);
  const val = options.validation;
  if (val) checkValidation(val.X, val.y, cols, K);
  const patience = val?.patience ?? DEFAULT_PATIENCE;
  const maxDeviance = options.maxDevianceRatio ?? DEFAULT_MAX_DEVIANCE_RATIO;
  const points: PathPoint[] = [];
  const scores: number[] = [];
  let best = 0;
  let previous = solver.lambdaMax;
  let stopped: Path['stopped'];
  for (const lambda of lambdas) {
    const convergence = solver.solve(lambda, Math.max(previous, lambda), options);
    previous = lambda;
    const point = pointOf(solver, lambda, convergence);
    points.push(point);
    const index = points.length - 1;
    if (val) {
      scores.push(scoreModel(point.model, val.X, val.y, val.metric));
      if (isBetter(val.metric, scores[index] as number, scores[best] as number)) best = index;
    }
    const callerStops = options.onPoint?.(point, index) === false;
    if (points.length === lambdas.length) break;
    if (callerStops) {
      stopped = 'caller';
      break;
    }
    if (val && index - best >= patience) {
      stopped = 'validation';
      break;
    }
    if (point.devianceRatio >= maxDeviance) {
      stopped = 'deviance';
      break;
    }
  }
  return {
    lambdaMax: solver.lambdaMax,
    nullLoss: solver.nullLoss,
    points,
    ...(stopped ? { stopped } : {}),
    ...(val ? { validation: { scores, best } } : {}),
  };
}

/** Where the strength of a single fit is given: a mean-loss lambda, or scikit-learn's C. */
export type Strength = { readonly lambda: number } | { readonly C: number };

/** Factors of the target lambda a single fit passes on its way down: two decades above it, one
 *  lambda per decade. The warm starts keep the L1 active set small (a cold solve at a small lambda
 *  starts from every neuron); a start above lambda_max costs nothing (the solution there is zero). */
const WARM_START_FACTORS = [100, 10, 1];

/** The path options of one fit at `lambda`: its warm-start lambdas, and the deviance rule off so
 *  the path reaches `lambda`. The last point of that path is the fit (`fitL1Logistic`, STC's refit). */
export function singleFitLambdas(lambda: number): Pick<PathOptions, 'lambdas' | 'maxDevianceRatio'> {
  return { lambdas: WARM_START_FACTORS.map((f) => f * lambda), maxDevianceRatio: 1 };
}

/** One L1 fit at a given strength: the last point of a short warm-started path (`singleFitLambdas`). */
export function fitL1Logistic(X: Design, y: Int32Array, strength: Strength, options: SolverOptions & { readonly nClasses?: number } = {}): PathPoint {
  const lambda = 'lambda' in strength ? strength.lambda : lambdaFromC(strength.C, X.rows);
  if (!(lambda > 0) || !Number.isFinite(lambda)) throw new Error(`regularisation strength must give a positive finite lambda, got ${lambda}`);
  const { points } = fitPath(X, y, { ...options, ...singleFitLambdas(lambda) });
  return points[points.length - 1] as PathPoint;
}

function checkValidation(X: Design, y: Int32Array, cols: number, nClasses: number): void {
  checkShape(X, { name: 'validation design' });
  if (X.rows === 0) throw new Error('the validation split is empty; give it examples or let the pipeline split train');
  if (X.cols !== cols) throw new Error(`the validation design has ${X.cols} columns but the model has ${cols} features; build both from the same columns`);
  checkEvaluationLabels(y, X.rows, nClasses);
}

function isBetter(metric: SelectionMetric, a: number, b: number): boolean {
  return metric === 'logLoss' ? a < b : a > b;
}

/** One model's score on a validation design (log-loss: lower is better). */
export function scoreModel(model: LogisticModel, X: Design, y: Int32Array, metric: SelectionMetric): number {
  if (metric === 'logLoss') return logLoss(y, predictProba(model, X), model.nClasses);
  const m = classificationMetrics(y, predict(model, X), model.nClasses);
  return metric === 'accuracy' ? m.accuracy : m.macroF1;
}

/** Scores every point of a fitted path on a validation design (same standardisation as train). */
export function scorePath(path: Path, X: Design, y: Int32Array, metric: SelectionMetric): PathScores {
  const first = path.points[0];
  if (!first) throw new Error('the path has no fitted point to score');
  checkValidation(X, y, first.model.nFeatures, first.model.nClasses);
  const scores = path.points.map(({ model }) => scoreModel(model, X, y, metric));
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (isBetter(metric, scores[i] as number, scores[best] as number)) best = i;
  return { scores, best };
}
