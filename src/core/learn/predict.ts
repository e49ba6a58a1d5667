// Scores, probabilities and predicted classes of a fitted model on a column-major design (the
// same standardisation as in training). Sparse models cost one pass per non-zero weight.

import type { Design } from './matrix';
import type { LogisticModel } from './model';

function checkDesign(model: LogisticModel, X: Design): void {
  if (X.cols !== model.nFeatures) {
    throw new Error(`the model was fitted on ${model.nFeatures} features but the matrix has ${X.cols}; build the matrix from the same feature columns`);
  }
}

/** Linear scores, outputs x rows, output-major: score of output k for row i at `k * rows + i`. */
export function decisionScores(model: LogisticModel, X: Design): Float64Array {
  checkDesign(model, X);
  const { rows: n, data } = X;
  const { nFeatures: p, outputs, weights, intercepts } = model;
  const out = new Float64Array(outputs * n);
  for (let k = 0; k < outputs; k++) {
    const o = k * n;
    out.fill(intercepts[k] as number, o, o + n);
    for (let j = 0; j < p; j++) {
      const w = weights[k * p + j] as number;
      if (w === 0) continue;
      const xo = j * n;
      for (let i = 0; i < n; i++) out[o + i] = (out[o + i] as number) + w * (data[xo + i] as number);
    }
  }
  return out;
}

/** Class probabilities, rows x nClasses, row-major: P(class c | row i) at `i * nClasses + c`. */
export function predictProba(model: LogisticModel, X: Design): Float64Array {
  const scores = decisionScores(model, X);
  const n = X.rows;
  const K = model.nClasses;
  const out = new Float64Array(n * K);
  if (model.outputs === 1) {
    for (let i = 0; i < n; i++) {
      const z = scores[i] as number;
      const p1 = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
      out[i * 2] = 1 - p1;
      out[i * 2 + 1] = p1;
    }
    return out;
  }
  for (let i = 0; i < n; i++) {
    let m = -Infinity;
    for (let k = 0; k < K; k++) m = Math.max(m, scores[k * n + i] as number);
    let s = 0;
    for (let k = 0; k < K; k++) {
      const e = Math.exp((scores[k * n + i] as number) - m);
      out[i * K + k] = e;
      s += e;
    }
    for (let k = 0; k < K; k++) out[i * K + k] = (out[i * K + k] as number) / s;
  }
  return out;
}

/** The most probable class of each row (the lowest index on ties). */
export function predict(model: LogisticModel, X: Design): Int32Array {
  const scores = decisionScores(model, X);
  const n = X.rows;
  const out = new Int32Array(n);
  if (model.outputs === 1) {
    for (let i = 0; i < n; i++) out[i] = (scores[i] as number) > 0 ? 1 : 0;
    return out;
  }
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < model.outputs; k++) if ((scores[k * n + i] as number) > (scores[best * n + i] as number)) best = k;
    out[i] = best;
  }
  return out;
}
