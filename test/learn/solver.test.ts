// The solver's optimality, path behaviour and determinism, checked from first principles.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { designMatrix, type Design } from '../../src/core/learn/matrix';
import { importance, support, type LogisticModel } from '../../src/core/learn/model';
import { cFromLambda, fitL1Logistic, fitPath, lambdaFromC, lambdaGrid, scorePath } from '../../src/core/learn/path';
import { predict, predictProba } from '../../src/core/learn/predict';
import { fitStandardisation } from '../../src/core/learn/standardise';
import { syntheticProblem } from './synthetic';

function standardised(rows: number, cols: number, classes: number, seed: number): { X: Design; y: Int32Array } {
  const { X, y } = syntheticProblem(rows, cols, classes, seed);
  return { X: designMatrix(X, fitStandardisation(X)), y };
}

/** Loss gradient of every weight and intercept, recomputed in float64 from the model alone. */
function gradients(model: LogisticModel, X: Design, y: Int32Array): { gw: Float64Array; gb: Float64Array } {
  const { rows: n, data } = X;
  const { nFeatures: p, outputs: B } = model;
  const proba = predictProba(model, X);
  const K = model.nClasses;
  const resid = new Float64Array(B * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < B; k++) {
      const cls = B === 1 ? 1 : k;
      resid[k * n + i] = (proba[i * K + cls] as number) - (y[i] === cls ? 1 : 0);
    }
  }
  const gw = new Float64Array(B * p);
  const gb = new Float64Array(B);
  for (let k = 0; k < B; k++) {
    for (let i = 0; i < n; i++) gb[k] = (gb[k] as number) + (resid[k * n + i] as number) / n;
    for (let j = 0; j < p; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += (data[j * n + i] as number) * (resid[k * n + i] as number);
      gw[k * p + j] = s / n;
    }
  }
  return { gw, gb };
}

/** Largest KKT violation relative to lambda, and the largest intercept gradient. */
function kkt(model: LogisticModel, X: Design, y: Int32Array, lambda: number): { weights: number; intercept: number } {
  const { gw, gb } = gradients(model, X, y);
  let worst = 0;
  for (let q = 0; q < gw.length; q++) {
    const w = model.weights[q] as number;
    const g = gw[q] as number;
    const v = w !== 0 ? Math.abs(g + lambda * Math.sign(w)) : Math.max(0, Math.abs(g) - lambda);
    worst = Math.max(worst, v / lambda);
  }
  return { weights: worst, intercept: Math.max(...Array.from(gb, Math.abs)) };
}

function l1(model: LogisticModel): number {
  let s = 0;
  for (const w of model.weights) s += Math.abs(w);
  return s;
}

describe('L1 logistic path', () => {
  for (const [classes, rows, cols] of [
    [2, 150, 20],
    [3, 150, 20],
    [2, 40, 90],
    [4, 50, 70],
    // Many correlated non-zero weights near the end of the path: the binary inner loop's direct
    // solve takes over from coordinate descent there.
    [2, 200, 160],
  ] as const) {
    describe(`${classes} classes, ${rows} x ${cols}${cols > rows ? ' (p > n)' : ''}`, () => {
      const { X, y } = standardised(rows, cols, classes, 7 + classes + cols);
      const path = fitPath(X, y, { tol: 1e-9, pathLength: 15, lambdaMinRatio: 1e-2, maxDevianceRatio: 1 });

      it('starts at lambdaMax with no feature, and lambdaMax is the largest loss gradient at zero', () => {
        const first = path.points[0];
        assert.ok(first);
        assert.equal(first.lambda, path.lambdaMax);
        assert.equal(first.supportSize, 0);
        const { gw } = gradients(first.model, X, y);
        const maxGrad = Math.max(...Array.from(gw, Math.abs));
        assert.ok(Math.abs(maxGrad - path.lambdaMax) <= 1e-12 * path.lambdaMax, `${maxGrad} vs ${path.lambdaMax}`);
        const below = fitL1Logistic(X, y, { lambda: 0.98 * path.lambdaMax }, { tol: 1e-9 });
        assert.ok(below.supportSize >= 1, 'just below lambdaMax a feature enters');
      });

      it('satisfies the optimality (KKT) conditions at every point', () => {
        for (const point of path.points) {
          assert.ok(point.convergence.converged, `lambda ${point.lambda}: ${JSON.stringify(point.convergence)}`);
          const v = kkt(point.model, X, y, point.lambda);
          assert.ok(v.weights <= 1e-4, `lambda ${point.lambda}: KKT violation ${v.weights} x lambda`);
          assert.ok(v.intercept <= 1e-9, `lambda ${point.lambda}: intercept gradient ${v.intercept}`);
          assert.ok(point.convergence.maxKktViolation <= 1e-4);
        }
      });

      it('is monotone: lambda decreases, training loss does not increase, the L1 norm does not decrease', () => {
        for (let i = 1; i < path.points.length; i++) {
          const a = path.points[i - 1];
          const b = path.points[i];
          assert.ok(a && b);
          assert.ok(b.lambda < a.lambda);
          assert.ok(b.trainLoss <= a.trainLoss + 1e-9, `loss ${a.trainLoss} -> ${b.trainLoss}`);
          assert.ok(l1(b.model) >= l1(a.model) - 1e-7, `L1 ${l1(a.model)} -> ${l1(b.model)}`);
          assert.ok(b.devianceRatio >= a.devianceRatio - 1e-9);
        }
        const last = path.points.at(-1);
        assert.ok(last && last.supportSize > 0);
      });

      it('reports the objective it minimises and the support of its model', () => {
        for (const point of path.points) {
          assert.ok(Math.abs(point.objective - (point.trainLoss + point.lambda * l1(point.model))) <= 1e-12);
          assert.equal(point.supportSize, support(point.model).length);
          assert.ok(Math.abs(point.C - cFromLambda(point.lambda, rows)) <= 1e-9 * point.C);
        }
      });
    });
  }

  it('is deterministic: the same input gives bit-identical paths, whatever ran before', () => {
    const a = standardised(120, 30, 3, 99);
    const b = standardised(80, 25, 2, 5);
    const first = fitPath(a.X, a.y, { pathLength: 10 });
    fitPath(b.X, b.y, { pathLength: 10 });
    const again = fitPath(a.X, a.y, { pathLength: 10 });
    assert.equal(again.points.length, first.points.length);
    first.points.forEach((p, i) => {
      const q = again.points[i];
      assert.ok(q);
      assert.deepEqual(q.model.weights, p.model.weights);
      assert.deepEqual(q.model.intercepts, p.model.intercepts);
      assert.deepEqual(q.convergence, p.convergence);
    });
  });

  it('fits explicit lambdas in decreasing order, and single fits agree with the path', () => {
    const { X, y } = standardised(100, 15, 2, 3);
    const Cs = [1, 0.1, 10];
    const path = fitPath(X, y, { lambdas: Cs.map((C) => lambdaFromC(C, X.rows)), tol: 1e-10 });
    assert.deepEqual(
      path.points.map((p) => Number(p.C.toPrecision(12))),
      [0.1, 1, 10],
    );
    for (const point of path.points) {
      const single = fitL1Logistic(X, y, { C: point.C }, { tol: 1e-10 });
      assert.ok(Math.abs(single.objective - point.objective) <= 1e-9 * point.objective);
    }
  });

  it('stops where the caller says, or once the training deviance is explained', () => {
    const { X, y } = standardised(100, 15, 2, 4);
    const stopped = fitPath(X, y, { pathLength: 20, onPoint: (_p, i) => i < 4 });
    assert.equal(stopped.points.length, 5);
    assert.equal(stopped.stopped, 'caller');
    // p > n: the classes separate, and the deviance rule ends the path early.
    const wide = standardised(30, 80, 2, 5);
    const sep = fitPath(wide.X, wide.y, { pathLength: 40, lambdaMinRatio: 1e-4 });
    assert.equal(sep.stopped, 'deviance');
    assert.ok((sep.points.at(-1)?.devianceRatio ?? 0) >= 0.999);
    assert.ok(sep.points.length < 40);
  });

  it('reports a point it could not converge within maxIterations as such', () => {
    const { X, y } = standardised(150, 20, 3, 12);
    const fit = fitL1Logistic(X, y, { C: 10 }, { tol: 1e-12, maxIterations: 1 });
    assert.equal(fit.convergence.converged, false);
    assert.equal(fit.convergence.iterations, 1);
    assert.ok(fit.convergence.relativeGap > 1e-12);
    assert.ok(Number.isFinite(fit.objective));
  });

  it('lambdaGrid is log-spaced from lambdaMax down to lambdaMax * minRatio', () => {
    const g = lambdaGrid(2, 5, 1e-4);
    assert.equal(g.length, 5);
    assert.equal(g[0], 2);
    assert.ok(Math.abs((g[4] as number) - 2e-4) < 1e-15);
    for (let i = 1; i < 5; i++) assert.ok(Math.abs((g[i] as number) / (g[i - 1] as number) - 0.1) < 1e-12);
    assert.equal(lambdaFromC(2, 50), 0.01);
    assert.throws(() => lambdaGrid(1, 0), /positive integer/);
    assert.throws(() => lambdaGrid(1, 5, 2), /min ratio/);
  });

  it('scores every point on validation and picks the best, the sparsest on ties', () => {
    const { X, y } = standardised(300, 20, 3, 11);
    const train: Design = { rows: 200, cols: 20, data: new Float32Array(200 * 20), layout: 'column-major' };
    const val: Design = { rows: 100, cols: 20, data: new Float32Array(100 * 20), layout: 'column-major' };
    for (let j = 0; j < 20; j++) {
      train.data.set(X.data.subarray(j * 300, j * 300 + 200), j * 200);
      val.data.set(X.data.subarray(j * 300 + 200, (j + 1) * 300), j * 100);
    }
    const yTrain = y.subarray(0, 200);
    const yVal = y.subarray(200);
    const path = fitPath(train, yTrain, { pathLength: 12 });
    for (const metric of ['accuracy', 'macroF1', 'logLoss'] as const) {
      const { scores, best } = scorePath(path, val, yVal, metric);
      assert.equal(scores.length, path.points.length);
      const target = metric === 'logLoss' ? Math.min(...scores) : Math.max(...scores);
      assert.equal(scores[best], target);
      assert.equal(scores.indexOf(target), best, 'earliest of the ties');
    }
    // Scored as the path goes: the same scores, and the path stops `patience` points after the best.
    const early = fitPath(train, yTrain, { pathLength: 12, validation: { X: val, y: yVal, metric: 'logLoss', patience: 2 } });
    const logLoss = scorePath(path, val, yVal, 'logLoss');
    assert.ok(early.validation);
    assert.deepEqual(early.validation.scores, logLoss.scores.slice(0, early.points.length));
    assert.equal(early.stopped, 'validation');
    assert.equal(early.points.length, early.validation.best + 3);
    assert.equal(early.validation.best, logLoss.best);
    const { scores } = scorePath(path, val, yVal, 'accuracy');
    const acc = (model: LogisticModel) => predict(model, val).reduce((s, c, i) => s + (c === yVal[i] ? 1 : 0), 0) / 100;
    path.points.forEach((p, i) => assert.equal(scores[i], acc(p.model)));
    assert.ok(Math.max(...scores) > 0.6, 'the problem is learnable');
  });

  it('importance is the sum over outputs of the squared weights', () => {
    const model: LogisticModel = { nFeatures: 3, nClasses: 3, outputs: 3, weights: Float64Array.from([1, 0, -2, 0.5, 0, 0, -1, 0, 3]), intercepts: new Float64Array(3) };
    assert.deepEqual(Array.from(importance(model)), [2.25, 0, 13]);
    assert.deepEqual(Array.from(support(model)), [0, 2]);
  });
});
