// The ridge (L2) solver from first principles: optimality at the returned point, a warm-started
// path (curvature pairs carried over) against fresh single fits, every usable feature weighted.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { designMatrix, type Design } from '../../src/core/learn/matrix';
import { fitPath } from '../../src/core/learn/path';
import { predictProba } from '../../src/core/learn/predict';
import { fitStandardisation } from '../../src/core/learn/standardise';
import { syntheticProblem } from './synthetic';

function standardised(rows: number, cols: number, classes: number, seed: number): { X: Design; y: Int32Array } {
  const { X, y } = syntheticProblem(rows, cols, classes, seed);
  return { X: designMatrix(X, fitStandardisation(X)), y };
}

for (const classes of [2, 4]) {
  describe(`ridge, ${classes} classes`, () => {
    const { X, y } = standardised(120, 40, classes, 11);

    it('the gradient of the objective vanishes at each point of a path', () => {
      const path = fitPath(X, y, { penalty: 'l2', lambdaTopRatio: 10, pathLength: 6, lambdaMinRatio: 1e-3, tol: 1e-12 });
      assert.equal(path.points.length, 6);
      for (const point of path.points) {
        assert.ok(point.convergence.converged);
        const { model, lambda } = point;
        const { nFeatures: p, outputs: B, nClasses: K } = model;
        const proba = predictProba(model, X);
        for (let k = 0; k < B; k++) {
          const cls = B === 1 ? 1 : k;
          let gb = 0;
          for (let j = 0; j <= p; j++) {
            let g = 0;
            for (let i = 0; i < X.rows; i++) {
              const r = (proba[i * K + cls] as number) - (y[i] === cls ? 1 : 0);
              g += (j < p ? (X.data[j * X.rows + i] as number) : 1) * r;
            }
            g /= X.rows;
            if (j === p) gb = g;
            else assert.ok(Math.abs(g + lambda * (model.weights[k * p + j] as number)) < 1e-6, `weight gradient ${g} at lambda ${lambda}`);
          }
          assert.ok(Math.abs(gb) < 1e-6, `intercept gradient ${gb}`);
        }
        assert.equal(point.supportSize, p, 'every feature weighted');
      }
    });

    it('a warm-started path reaches the objectives of fresh single fits', () => {
      const path = fitPath(X, y, { penalty: 'l2', lambdaTopRatio: 10, pathLength: 5, lambdaMinRatio: 1e-3, tol: 1e-12 });
      for (const point of path.points) {
        const fresh = fitPath(X, y, { penalty: 'l2', lambdas: [point.lambda], tol: 1e-12 }).points[0];
        assert.ok(fresh);
        assert.ok(Math.abs(point.objective - fresh.objective) <= 1e-9 * fresh.objective, `${point.objective} vs ${fresh.objective}`);
      }
    });
  });
}

describe('ridge on awkward designs', () => {
  it('a constant (all-zero standardised) column keeps weight 0', () => {
    const { X, y } = standardised(60, 8, 2, 3);
    X.data.fill(0, 2 * X.rows, 3 * X.rows);
    const point = fitPath(X, y, { penalty: 'l2', lambdas: [0.01] }).points[0];
    assert.ok(point);
    assert.equal(point.model.weights[2], 0);
    assert.equal(point.supportSize, 7);
  });

  it('validation patience stops the path, and the run is deterministic', () => {
    const { X, y } = standardised(120, 30, 3, 5);
    const { X: V, y: yv } = standardised(60, 30, 3, 6);
    const options = { penalty: 'l2' as const, lambdaTopRatio: 10, pathLength: 20, lambdaMinRatio: 1e-6, validation: { X: V, y: yv, metric: 'logLoss' as const, patience: 2 } };
    const a = fitPath(X, y, options);
    const b = fitPath(X, y, options);
    assert.equal(a.stopped, 'validation');
    assert.ok(a.points.length < 20);
    assert.deepEqual(a.points.map((p) => Array.from(p.model.weights)), b.points.map((p) => Array.from(p.model.weights)));
  });
});
