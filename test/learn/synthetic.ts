// Small seeded problems for the solver tests.
import type { DenseMatrix } from '../../src/core/learn/matrix';
import { mulberry32 } from '../../src/core/random';

export function gaussian(rand: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** Correlated features (a few shared factors plus noise); the label depends on the first
 *  `informative` features through a softmax with noise. */
export function syntheticProblem(rows: number, cols: number, classes: number, seed: number, informative = 5): { X: DenseMatrix; y: Int32Array } {
  const g = gaussian(mulberry32(seed));
  const factors = 3;
  const F = Float64Array.from({ length: rows * factors }, g);
  const L = Float64Array.from({ length: factors * cols }, g);
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      let s = g();
      for (let f = 0; f < factors; f++) s += 0.5 * (F[i * factors + f] as number) * (L[f * cols + j] as number);
      data[i * cols + j] = s;
    }
  }
  const coef = Float64Array.from({ length: classes * informative }, () => 2 * g());
  const y = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    let best = 0;
    let bestScore = -Infinity;
    for (let k = 0; k < classes; k++) {
      let s = g();
      for (let j = 0; j < informative; j++) s += (coef[k * informative + j] as number) * (data[i * cols + j] as number);
      if (s > bestScore) {
        bestScore = s;
        best = k;
      }
    }
    y[i] = best;
  }
  return { X: { rows, cols, data }, y };
}
