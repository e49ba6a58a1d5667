// What the L1 and the L2 solver share: the problem (design, labels, classes), the intercept-only
// model a path starts from, and the intercept convention of a fitted multinomial model.

import { KernelMemory } from './kernel-memory';
import { sigmoid, softplus, xlogx } from './kernels';
import type { Design } from './matrix';

/** One problem whose iterate moves along a path: the solvers (solver.ts, ridge.ts) extend it,
 *  naming the vectors (`V`) their kernels work on. */
export abstract class LogisticProblem<V extends string> {
  readonly n: number;
  readonly p: number;
  readonly nClasses: number;
  /** Rows of W: 1 for binary, K for multinomial. */
  readonly outputs: number;
  /** Mean loss of the intercept-only model (the entropy of the class frequencies): the scale
   *  of the stopping rule. */
  readonly nullLoss: number;
  /** The solver's memory: the design's values (`X`, column-major) and the kernels' vectors. */
  protected readonly memory: KernelMemory<V>;
  protected readonly X: Float32Array;
  protected readonly y: Int32Array;
  /** The intercept-only model's intercepts, where a path starts. */
  protected readonly startIntercepts: Float64Array;

  /** `vectors` gives the length of each kernel vector for n rows and the problem's outputs. */
  constructor(design: Design, y: Int32Array, nClasses: number, vectors: (n: number, outputs: number) => Record<V, number>) {
    this.n = design.rows;
    this.p = design.cols;
    this.y = y;
    this.nClasses = nClasses;
    this.outputs = nClasses === 2 ? 1 : nClasses;
    this.memory = new KernelMemory(design, vectors(this.n, this.outputs));
    this.X = this.memory.X;
    const start = interceptOnly(y, nClasses);
    this.startIntercepts = start.intercepts;
    this.nullLoss = start.nullLoss;
  }

  /** Hands the solver's memory to the next solver on this thread; the solver is unusable after. */
  release(): void {
    this.memory.release();
  }
}

/** Optimal intercepts of the model without features (log class frequencies: the logit of class 1
 *  for binary, centred log frequencies for multinomial) and its mean loss, the entropy of the class
 *  frequencies. */
export function interceptOnly(y: Int32Array, nClasses: number): { intercepts: Float64Array; nullLoss: number } {
  const n = y.length;
  const counts = new Float64Array(nClasses);
  for (let i = 0; i < n; i++) {
    const c = y[i] as number;
    counts[c] = (counts[c] as number) + 1;
  }
  const B = nClasses === 2 ? 1 : nClasses;
  const intercepts = new Float64Array(B);
  if (B === 1) {
    intercepts[0] = Math.log((counts[1] as number) / (counts[0] as number));
  } else {
    for (let k = 0; k < B; k++) intercepts[k] = Math.log(counts[k] as number);
    centre(intercepts);
  }
  let nullLoss = 0;
  for (let c = 0; c < nClasses; c++) nullLoss -= xlogx((counts[c] as number) / n);
  return { intercepts, nullLoss };
}

/** The scores' per-row state both solvers read: probabilities P, residuals R = P - Y (outputs x
 *  n, output k at k * n, like the scores Z) and each row's log-sum-exp `base` (binary: the
 *  softplus of its score). */
export interface RowState {
  readonly P: Float64Array;
  readonly R: Float64Array;
  readonly base: Float64Array;
}

/** Fills `state` from the scores Z of `outputs` outputs over the labels y; returns the mean loss. */
export function rowState(Z: Float64Array, y: Int32Array, outputs: number, state: RowState): number {
  const { P, R, base } = state;
  const n = y.length;
  let loss = 0;
  if (outputs === 1) {
    for (let i = 0; i < n; i++) {
      const z = Z[i] as number;
      const pr = sigmoid(z);
      const yi = y[i] === 1 ? 1 : 0;
      P[i] = pr;
      R[i] = pr - yi;
      const lse = softplus(z);
      base[i] = lse;
      loss += lse - yi * z;
    }
    return loss / n;
  }
  for (let i = 0; i < n; i++) {
    let m = -Infinity;
    for (let k = 0; k < outputs; k++) m = Math.max(m, Z[k * n + i] as number);
    let sum = 0;
    for (let k = 0; k < outputs; k++) sum += Math.exp((Z[k * n + i] as number) - m);
    const lse = m + Math.log(sum);
    const yi = y[i] as number;
    for (let k = 0; k < outputs; k++) {
      const pr = Math.exp((Z[k * n + i] as number) - lse);
      P[k * n + i] = pr;
      R[k * n + i] = pr - (k === yi ? 1 : 0);
    }
    base[i] = lse;
    loss += lse - (Z[yi * n + i] as number);
  }
  return loss / n;
}

/** Subtracts the mean from multinomial intercepts in place (the softmax only sees their
 *  differences); one binary intercept is left as it is. */
export function centre(intercepts: Float64Array): Float64Array {
  if (intercepts.length > 1) {
    let mean = 0;
    for (const v of intercepts) mean += v / intercepts.length;
    for (let k = 0; k < intercepts.length; k++) intercepts[k] = (intercepts[k] as number) - mean;
  }
  return intercepts;
}
