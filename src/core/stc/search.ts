// One model selection: an L1 logistic regularisation path on train, each point scored on the
// validation split as it goes, stopped once the score stalls, the best point kept. Every probe,
// aggregation fit and baseline is one. Fits run in process or on learn's worker pool.

import { availableParallelism } from 'node:os';
import { fitPath, type Path, type PathOptions, type PathPoint, type Penalty } from '../learn/path';
import type { Design } from '../learn/matrix';
import { LearnPool, type PathJob } from '../learn/pool';
import { throwIfAborted, yieldToEventLoop } from './abort';
import { DEFAULT_TOL } from '../learn/solver';
import { RIDGE_LAMBDA_MIN_RATIO, RIDGE_PATH_LENGTH, RIDGE_TOP_RATIO, type Metric, type StcSettings } from './options';

export interface SearchOptions {
  readonly nClasses: number;
  readonly metric: Metric;
  readonly penalty: Penalty;
  /** The grid: pathLength lambdas from lambda_max x lambdaTopRatio down by lambdaMinRatio. */
  readonly lambdaTopRatio: number;
  readonly pathLength: number;
  readonly lambdaMinRatio: number;
  /** 0: fit the whole path. */
  readonly patience: number;
  /** The solver's stopping tolerance (learn's `tol`: duality gap relative to the null loss). */
  readonly tol: number;
  /** learn's `directSolve`: on for probes, off for the aggregation fits (measured slower there). */
  readonly directSolve: boolean;
}

/**
 * The kinds of selection, all at learn's tolerance: probes (L1, with learn's direct solve; the
 * baselines are probes), and the aggregation fits, whose chosen point becomes the classifier: one
 * per searched penalty, L1 without the direct solve, L2 on the ridge grid.
 */
export function searchOptions(
  settings: Pick<StcSettings, 'metric' | 'pathLength' | 'lambdaMinRatio' | 'patience' | 'penalties'>,
  nClasses: number,
): { readonly probe: SearchOptions; readonly aggregation: SearchOptions[] } {
  const { metric, pathLength, lambdaMinRatio, patience } = settings;
  const fit: SearchOptions = { nClasses, metric, penalty: 'l1', lambdaTopRatio: 1, pathLength, lambdaMinRatio, patience, tol: DEFAULT_TOL, directSolve: false };
  const ridge: SearchOptions = { ...fit, penalty: 'l2', lambdaTopRatio: RIDGE_TOP_RATIO, pathLength: RIDGE_PATH_LENGTH, lambdaMinRatio: RIDGE_LAMBDA_MIN_RATIO };
  return { probe: { ...fit, directSolve: true }, aggregation: settings.penalties.map((p) => (p === 'l1' ? fit : ridge)) };
}

export interface SearchResult {
  readonly path: Path;
  /** Index of the best point: the highest validation score, the earliest (sparsest) among equals. */
  readonly best: number;
  readonly point: PathPoint;
  readonly valScore: number;
}

/** Runs path fits: `concurrency` at a time, each checked against the signal. */
export interface PathRunner {
  readonly concurrency: number;
  fit(job: PathJob): Promise<Path>;
  close(): Promise<void>;
}

/** Fits in this thread; checks the signal at every path point and yields between fits. */
function inProcessRunner(signal: AbortSignal | undefined): PathRunner {
  return {
    concurrency: 1,
    async fit(job) {
      await yieldToEventLoop();
      throwIfAborted(signal);
      return fitPath(job.X, job.y, { ...job.options, onPoint: () => throwIfAborted(signal) });
    },
    close: () => Promise.resolve(),
  };
}

/** Fits on `threads` worker threads. An abort closes the pool at once, which drops the fits in
 *  flight (a single fit can take minutes), and the run rejects with an AbortError. */
function poolRunner(threads: number, signal: AbortSignal | undefined): PathRunner {
  const pool = new LearnPool(threads);
  const onAbort = () => void pool.close();
  signal?.addEventListener('abort', onAbort, { once: true });
  return {
    concurrency: threads,
    async fit(job) {
      throwIfAborted(signal);
      try {
        return await pool.fitPath(job);
      } catch (e) {
        throwIfAborted(signal);
        throw e;
      }
    },
    close: () => {
      signal?.removeEventListener('abort', onAbort);
      return pool.close();
    },
  };
}

/** `threads` 1 fits in process; more use learn's worker pool. Default: one per core. */
export function createRunner(threads: number | undefined, signal: AbortSignal | undefined): PathRunner {
  const n = threads ?? availableParallelism();
  if (!Number.isInteger(n) || n < 1) throw new Error(`threads ${n}: expected a positive integer`);
  return n === 1 ? inProcessRunner(signal) : poolRunner(n, signal);
}

function hasSignal(X: Design): boolean {
  for (const v of X.data) if (v !== 0) return true;
  return false;
}

/**
 * The path job of one selection. A design without any non-zero value (every column constant on
 * train) has lambda_max = 0, so it gets the intercept-only model, fitted at lambda 1.
 */
export function searchJob(train: Design, yTrain: Int32Array, dev: Design, yDev: Int32Array, o: SearchOptions): PathJob {
  const options: Omit<PathOptions, 'onPoint'> = {
    nClasses: o.nClasses,
    penalty: o.penalty,
    lambdaTopRatio: o.lambdaTopRatio,
    pathLength: o.pathLength,
    lambdaMinRatio: o.lambdaMinRatio,
    tol: o.tol,
    directSolve: o.directSolve,
    ...(hasSignal(train) ? {} : { lambdas: [1] }),
    validation: { X: dev, y: yDev, metric: o.metric, patience: o.patience === 0 ? Infinity : o.patience },
  };
  return { X: train, y: yTrain, options };
}

export async function search(runner: PathRunner, job: PathJob, what: string): Promise<SearchResult> {
  let path: Path;
  try {
    path = await runner.fit(job);
  } catch (e) {
    if (e instanceof Error && e.name !== 'AbortError') throw new Error(`${what}: ${e.message}`, { cause: e });
    throw e;
  }
  const validation = path.validation;
  if (!validation) throw new Error(`${what}: the path came back without validation scores`);
  const point = path.points[validation.best] as PathPoint;
  return { path, best: validation.best, point, valScore: validation.scores[validation.best] as number };
}

/**
 * Runs `task` over `items` with at most `limit` in flight; results in item order. Items start in
 * decreasing `cost` (longest first keeps the lanes busy to the end), ties in item order.
 */
export async function mapLimited<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>, cost?: (item: T) => number): Promise<R[]> {
  const results = new Array<R>(items.length);
  const costs = items.map((item) => cost?.(item) ?? 0);
  const queue = Array.from(items.keys()).sort((a, b) => (costs[b] as number) - (costs[a] as number) || a - b);
  let failed = false;
  const lane = async () => {
    for (let index = queue.shift(); index !== undefined && !failed; index = queue.shift()) {
      try {
        results[index] = await task(items[index] as T, index);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}
