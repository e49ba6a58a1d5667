// Progressive aggregation: for every configuration, eta and early-exit point k, the final
// classifier on the concatenated kept neurons of the configuration's blocks (an L1 path, and in the
// extended space an L2 one too), chosen on validation.

import { concatColumns } from '../learn/matrix';
import type { LogisticModel } from '../learn/model';
import type { Penalty } from '../learn/path';
import { blockName } from '../neurons';
import { configBlocks, configName, type StcConfig } from './configs';
import type { StcProgress } from './options';
import { keptPrefix, type Probe } from './probe';
import { mapLimited, search, searchJob, type PathRunner, type SearchOptions, type SearchResult } from './search';

/** The kept neurons one block contributes to a fit: the first `count` of its importance order. */
export interface BlockColumns {
  readonly probe: Probe;
  readonly count: number;
}

export interface FitSummary {
  /** The penalty of the path whose point this is. */
  readonly penalty: Penalty;
  readonly valScore: number;
  readonly lambda: number;
  readonly C: number;
  /** Input columns (kept neurons offered to the classifier). */
  readonly features: number;
  /** Neurons with a non-zero weight in the chosen classifier. */
  readonly support: number;
  readonly converged: boolean;
}

export interface CurvePoint extends FitSummary {
  readonly k: number;
}

export interface AggregationCurve {
  readonly config: StcConfig;
  readonly eta: number;
  /** k = 1..L. */
  readonly curve: CurvePoint[];
}

export interface AggregationChoice extends CurvePoint {
  readonly config: StcConfig;
  readonly eta: number;
  readonly model: LogisticModel;
  readonly columns: BlockColumns[];
}

export interface AggregationResult {
  readonly curves: AggregationCurve[];
  /** The best distinct kept-neuron sets in the final choice's order, at most the problem's
   *  `ensemble` of them; the first is the single best configuration. */
  readonly members: AggregationChoice[];
  /** Paths fitted (one per distinct feature set and penalty), and grid cells answered from an
   *  identical earlier feature set. */
  readonly fits: number;
  readonly cached: number;
}

export interface AggregationProblem {
  readonly probes: ReadonlyMap<string, Probe>;
  readonly configs: readonly StcConfig[];
  readonly etaGrid: readonly number[];
  readonly numLayers: number;
  readonly yTrain: Int32Array;
  readonly yDev: Int32Array;
  /** One selection per searched penalty, in tie order (L1 first). */
  readonly searches: readonly SearchOptions[];
  readonly runner: PathRunner;
  /** How many of the best configurations to return (StcSettings.ensemble). */
  readonly ensemble: number;
  readonly onProgress?: ((p: StcProgress) => void) | undefined;
}

/** Final choice: higher validation score; then smaller k (an earlier exit); then fewer classifier
 *  neurons; then fewer input features. Equal on all four: the earlier candidate stays. */
function better(a: CurvePoint, b: CurvePoint): boolean {
  if (a.valScore !== b.valScore) return a.valScore > b.valScore;
  if (a.k !== b.k) return a.k < b.k;
  if (a.support !== b.support) return a.support < b.support;
  return a.features < b.features;
}

interface Cell {
  readonly config: StcConfig;
  readonly eta: number;
  readonly k: number;
  readonly columns: BlockColumns[];
  /** Index of the unique feature set (fit) this cell uses. */
  readonly fit: number;
}

interface Fit {
  readonly summary: FitSummary;
  readonly model: LogisticModel;
}

interface FitJob {
  readonly columns: BlockColumns[];
  readonly label: string;
  /** Whether a cell at the grid's largest eta uses this feature set (the only ones L2 fits). */
  dense: boolean;
}

/** Every grid cell in search order (configuration, eta ascending, k ascending), with the cells
 *  that offer the same blocks and counts (hence, in canonical column order, the same design)
 *  sharing one fit. */
function gridCells(problem: AggregationProblem): { cells: Cell[]; fits: FitJob[] } {
  const { configs, etaGrid, numLayers: L, probes } = problem;
  const index = new Map<string, number>();
  const fits: FitJob[] = [];
  const top = etaGrid.length - 1;
  const cells: Cell[] = [];
  for (const config of configs) {
    for (const [e, eta] of etaGrid.entries()) {
      for (let k = 1; k <= L; k++) {
        const columns = configBlocks(config, k).map((block): BlockColumns => {
          const probe = probes.get(blockName(block));
          if (!probe) throw new Error(`aggregation needs the probe of ${blockName(block)}, which was not run`);
          return { probe, count: probe.keptCounts[e] as number };
        });
        const key = columns.map((c) => `${c.probe.name}:${c.count}`).join('|');
        let fit = index.get(key);
        if (fit === undefined) {
          fit = fits.length;
          index.set(key, fit);
          fits.push({ columns, label: `${configName(config)} eta ${eta} k ${k}`, dense: false });
        }
        if (e === top) (fits[fit] as FitJob).dense = true;
        cells.push({ config, eta, k, columns, fit });
      }
    }
  }
  return { cells, fits };
}

/**
 * L2 paths are fitted on the densest kept sets only (the grid's largest eta, every k): a ridge
 * classifier weighs every neuron it is offered, so a smaller eta only withholds neurons from it.
 * Extended space, seed 7, measured before the solver's SIMD kernels: emotion's search took 27.5 s
 * with these L2 paths (21.5 s with L1 alone), trec's 191 s (153 s).
 */
function penaltiesOf(problem: AggregationProblem, job: FitJob): readonly SearchOptions[] {
  return job.dense ? problem.searches : problem.searches.filter((s) => s.penalty === 'l1');
}

/** One feature set's paths, one per penalty; the best validation score stays, the earlier penalty
 *  on ties. */
async function fitColumns(problem: AggregationProblem, job: FitJob, what: string): Promise<Fit> {
  const { columns } = job;
  const train = concatColumns(columns.map((c) => keptPrefix(c.probe, 'train', c.count)));
  const dev = concatColumns(columns.map((c) => keptPrefix(c.probe, 'dev', c.count)));
  let best: Fit | undefined;
  for (const options of penaltiesOf(problem, job)) {
    const fit = fitSummary(await search(problem.runner, searchJob(train, problem.yTrain, dev, problem.yDev, options), `${what} ${options.penalty}`), options.penalty, train.cols);
    if (!best || fit.summary.valScore > best.summary.valScore) best = fit;
  }
  if (!best) throw new Error(`${what}: no penalty to fit`);
  return best;
}

function fitSummary(result: SearchResult, penalty: Penalty, features: number): Fit {
  return {
    summary: {
      penalty,
      valScore: result.valScore,
      lambda: result.point.lambda,
      C: result.point.C,
      features,
      support: result.point.supportSize,
      converged: result.point.convergence.converged,
    },
    model: result.point.model,
  };
}

export async function aggregate(problem: AggregationProblem): Promise<AggregationResult> {
  const { cells, fits: unique } = gridCells(problem);
  let done = 0;
  const fits = await mapLimited(
    unique,
    problem.runner.concurrency,
    async (job) => {
      const { label } = job;
      const fit = await fitColumns(problem, job, `aggregation ${label}`);
      problem.onProgress?.({ stage: 'aggregate', done: ++done, total: unique.length, item: label });
      return fit;
    },
    ({ columns }) => columns.reduce((n, c) => n + c.count, 0),
  );
  // The ranking starts from the cells in search order and the sort is stable, so it does not
  // depend on which fit finished first. A cell sharing an earlier cell's fit ties it on every
  // criterion, so only a fit's first cell is a candidate.
  const curves: AggregationCurve[] = [];
  const candidates: AggregationChoice[] = [];
  const ranked = new Set<number>();
  for (const cell of cells) {
    const { summary, model } = fits[cell.fit] as Fit;
    const point: CurvePoint = { ...summary, k: cell.k };
    if (cell.k === 1) curves.push({ config: cell.config, eta: cell.eta, curve: [] });
    (curves[curves.length - 1] as AggregationCurve).curve.push(point);
    if (ranked.has(cell.fit)) continue;
    ranked.add(cell.fit);
    candidates.push({ ...point, config: cell.config, eta: cell.eta, model, columns: cell.columns });
  }
  if (candidates.length === 0) throw new Error('aggregation had nothing to fit: no configuration, eta or layer');
  const members = candidates.sort((a, b) => (better(a, b) ? -1 : better(b, a) ? 1 : 0)).slice(0, problem.ensemble);
  const paths = unique.reduce((n, job) => n + penaltiesOf(problem, job).length, 0);
  return { curves, members, fits: paths, cached: cells.length - unique.length };
}
