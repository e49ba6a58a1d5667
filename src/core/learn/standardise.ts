// Per-feature standardisation, fitted on the training split only and stored in the artifact so
// inference applies exactly the same transform. Plain arrays: it serialises as JSON as is.

import { assertFinite, checkShape, type ColumnScaling, type DenseMatrix, type MatrixContext } from './matrix';

export interface Standardisation extends ColumnScaling {
  /** Training mean of each column. */
  readonly mean: number[];
  /** Training standard deviation (population, ddof = 0, as scikit-learn's StandardScaler) of each
   *  column; 1 for constant columns, which therefore stay constant (all zero on train). */
  readonly scale: number[];
  /** Columns that are constant on train (ascending). They carry no signal: the solver never
   *  selects them, because their standardised training values are all zero. */
  readonly constant: number[];
}

/** A column counts as constant when its spread is below float32 resolution of its mean: such
 *  variation is rounding noise, and dividing by it would blow noise up to unit scale. */
const CONSTANT_RELATIVE_STD = 1e-6;

export function fitStandardisation(X: DenseMatrix, ctx: MatrixContext = {}): Standardisation {
  checkShape(X, ctx);
  if (X.rows === 0) throw new Error(`${ctx.name ?? 'feature matrix'}: no rows to fit a standardisation on; the training split is empty`);
  assertFinite(X, ctx);
  const { rows, cols, data } = X;
  const sum = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const base = i * cols;
    for (let j = 0; j < cols; j++) sum[j] = (sum[j] as number) + (data[base + j] as number);
  }
  const mean = Array.from(sum, (s) => s / rows);
  // Two passes (mean first) keep the variance free of the cancellation of E[x^2] - E[x]^2.
  const sq = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const base = i * cols;
    for (let j = 0; j < cols; j++) {
      const c = (data[base + j] as number) - (mean[j] as number);
      sq[j] = (sq[j] as number) + c * c;
    }
  }
  const scale: number[] = [];
  const constant: number[] = [];
  for (let j = 0; j < cols; j++) {
    const sd = Math.sqrt((sq[j] as number) / rows);
    if (sd <= CONSTANT_RELATIVE_STD * Math.abs(mean[j] as number)) {
      scale.push(1);
      constant.push(j);
    } else {
      scale.push(sd);
    }
  }
  return { mean, scale, constant };
}

/** Checks a standardisation read back from storage (an artifact) before it is used. */
export function checkStandardisation(s: Standardisation, cols: number): void {
  if (s.mean.length !== cols || s.scale.length !== cols) {
    throw new Error(`standardisation has ${s.mean.length} means and ${s.scale.length} scales for ${cols} features; the artifact is inconsistent, retrain it`);
  }
  for (let j = 0; j < cols; j++) {
    const m = s.mean[j] as number;
    const sc = s.scale[j] as number;
    if (!Number.isFinite(m) || !Number.isFinite(sc) || sc <= 0) {
      throw new Error(`standardisation of feature ${j} is invalid (mean ${m}, scale ${sc}); the artifact is corrupt, retrain it`);
    }
  }
}
