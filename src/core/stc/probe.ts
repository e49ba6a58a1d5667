// The probe of one feature block: standardise on train, fit the L1 path, pick the point on
// validation, rank the neurons by importance, and keep the columns that any eta can select.

import { designMatrix, selectColumns, type DenseMatrix, type Design } from '../learn/matrix';
import type { LogisticModel } from '../learn/model';
import { fitStandardisation, type Standardisation } from '../learn/standardise';
import { blockName, type FeatureBlock } from '../neurons';
import type { CheckedInput } from './input';
import { takeRows } from './input';
import { search, searchJob, type PathRunner, type SearchOptions } from './search';
import { importanceOrder, keptCount, probeImportance } from './sparsify';

export interface Probe {
  readonly block: FeatureBlock;
  readonly name: string;
  readonly dim: number;
  readonly standardisation: Standardisation;
  /** The validation-chosen model (on standardised features). */
  readonly model: LogisticModel;
  readonly valScore: number;
  readonly lambda: number;
  readonly C: number;
  readonly support: number;
  readonly converged: boolean;
  /** Path points fitted before the path ended (early stop, deviance rule or its end). */
  readonly pathPoints: number;
  /** Whole probe, and the sparsification part of it (ranking, eta counts, kept columns). */
  readonly seconds: number;
  readonly sparsifySeconds: number;
  readonly importance: Float64Array;
  /** Neurons by decreasing importance. */
  readonly order: Int32Array;
  /** True when the ranking came from the first non-empty path point (see probeImportance). */
  readonly importanceFallback: boolean;
  /** Neurons kept at each eta of the grid (same order as the grid). */
  readonly keptCounts: number[];
  /** Standardised train and dev values of the first max(keptCounts) neurons of `order`,
   *  column-major: the prefix for one eta is the leading `count x rows` values. */
  readonly kept: { readonly train: Design; readonly dev: Design };
}

export interface ProbeProblem {
  readonly rows: CheckedInput;
  readonly yTrain: Int32Array;
  readonly yDev: Int32Array;
  readonly etaGrid: readonly number[];
  readonly search: SearchOptions;
  readonly runner: PathRunner;
}

interface ProbeDesigns {
  readonly dim: number;
  readonly standardisation: Standardisation;
  readonly train: Design;
  readonly dev: Design;
}

/** Rows of a block standardised with its train standardisation. A neuron constant on train is zero
 *  on every split, so no fit (the refit on train + validation included) can give weight to a
 *  neuron whose only variation lies outside train. */
export function standardised(X: DenseMatrix, standardisation: Standardisation, name: string): Design {
  const d = designMatrix(X, standardisation, { name });
  for (const j of standardisation.constant) d.data.fill(0, j * d.rows, (j + 1) * d.rows);
  return d;
}

function probeDesigns(X: DenseMatrix, name: string, rows: CheckedInput): ProbeDesigns {
  const trainRows = takeRows(X, rows.train);
  const standardisation = fitStandardisation(trainRows, { name: `${name} (train)` });
  return {
    dim: X.cols,
    standardisation,
    train: standardised(trainRows, standardisation, `${name} (train)`),
    dev: standardised(takeRows(X, rows.dev), standardisation, `${name} (dev)`),
  };
}

/** Probes one block. `read` gives the whole block; it is dropped once the standardised train and
 *  dev designs are built, so a probe holds those two only while its path is fitted. */
export async function probeBlock(read: () => DenseMatrix, block: FeatureBlock, problem: ProbeProblem): Promise<Probe> {
  const start = performance.now();
  const { yTrain, yDev, etaGrid } = problem;
  const name = blockName(block);
  const { dim, standardisation, train, dev } = probeDesigns(read(), name, problem.rows);
  const result = await search(problem.runner, searchJob(train, yTrain, dev, yDev, problem.search), name);
  const sparsifyStart = performance.now();
  const { values, fallback } = probeImportance(result.path, result.point.model);
  const order = importanceOrder(values);
  const keptCounts = etaGrid.map((eta) => keptCount(values, order, eta));
  const keep = order.subarray(0, Math.max(...keptCounts));
  const kept = { train: selectColumns(train, keep), dev: selectColumns(dev, keep) };
  const end = performance.now();
  return {
    block,
    name,
    dim,
    standardisation,
    model: result.point.model,
    valScore: result.valScore,
    lambda: result.point.lambda,
    C: result.point.C,
    support: result.point.supportSize,
    converged: result.point.convergence.converged,
    pathPoints: result.path.points.length,
    seconds: (end - start) / 1000,
    sparsifySeconds: (end - sparsifyStart) / 1000,
    importance: values,
    order,
    importanceFallback: fallback,
    keptCounts,
    kept,
  };
}

/** The first `count` kept columns of a probe for one split, without copying. */
export function keptPrefix(probe: Probe, split: 'train' | 'dev', count: number): Design {
  const d = probe.kept[split];
  return { rows: d.rows, cols: count, data: d.data.subarray(0, count * d.rows), layout: 'column-major' };
}
