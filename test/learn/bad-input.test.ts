// Bad input: each case is a clear error (what, where, what to do) or a documented fallback.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { designMatrix, type DenseMatrix, type Design } from '../../src/core/learn/matrix';
import { fitL1Logistic, fitPath, scorePath } from '../../src/core/learn/path';
import { predict } from '../../src/core/learn/predict';
import { fitStandardisation } from '../../src/core/learn/standardise';
import { syntheticProblem } from './synthetic';

function problem(rows: number, cols: number, classes: number, seed: number): { X: Design; y: Int32Array; raw: DenseMatrix } {
  const { X, y } = syntheticProblem(rows, cols, classes, seed);
  return { X: designMatrix(X, fitStandardisation(X)), y, raw: X };
}

describe('bad input', () => {
  it('one class only: error', () => {
    const { X } = problem(20, 4, 2, 1);
    assert.throws(() => fitPath(X, new Int32Array(20)), /only one class \(0\) appears in the 20 training labels; a classifier needs examples of at least two classes/);
    assert.throws(() => fitPath(X, new Int32Array(20).fill(2), { nClasses: 3 }), /only one class \(2\)/);
  });

  it('a declared class without training example: error naming it', () => {
    const { X, y } = problem(30, 4, 2, 2);
    assert.throws(() => fitPath(X, y, { nClasses: 3 }), /class 2 of 0..2 has no training example; add examples or drop the label/);
    const y3 = Int32Array.from(y, (c) => c * 2); // classes 0 and 2, class 1 missing
    assert.throws(() => fitPath(X, y3), /class 1 of 0..2 has no training example/);
  });

  it('a class with a single example: fitted (documented fallback: no special case)', () => {
    const { X, y } = problem(40, 5, 2, 3);
    const y3 = Int32Array.from(y);
    y3[7] = 2;
    const path = fitPath(X, y3, { pathLength: 8 });
    const last = path.points.at(-1);
    assert.ok(last?.convergence.converged);
    assert.equal(last.model.nClasses, 3);
    assert.equal(predict(last.model, X).length, 40);
  });

  it('constant columns: accepted, never selected', () => {
    const rows = 60;
    const { raw, y } = problem(rows, 6, 2, 4);
    const data = Float32Array.from(raw.data);
    for (let i = 0; i < rows; i++) {
      data[i * 6 + 1] = 3.5;
      data[i * 6 + 4] = 0;
    }
    const X: DenseMatrix = { rows, cols: 6, data };
    const std = fitStandardisation(X);
    assert.deepEqual(std.constant, [1, 4]);
    const path = fitPath(designMatrix(X, std), y, { pathLength: 10, maxDevianceRatio: 1 });
    for (const point of path.points) {
      assert.equal(point.model.weights[1], 0);
      assert.equal(point.model.weights[4], 0);
    }
    assert.ok((path.points.at(-1)?.supportSize ?? 0) > 0);
    // Raw (unstandardised) constant columns are fine too.
    assert.ok(fitL1Logistic(designMatrix(X), y, { C: 1 }).convergence.converged);
  });

  it('NaN or infinite features: error naming row and column', () => {
    const { raw, y } = problem(10, 3, 2, 5);
    const data = Float32Array.from(raw.data);
    data[4 * 3 + 2] = NaN;
    const X: DenseMatrix = { rows: 10, cols: 3, data };
    assert.throws(() => fitStandardisation(X, { name: 'L2.hid.mean (train)' }), /L2.hid.mean \(train\): NaN value at row 4, column 2; the learner needs finite features/);
    assert.throws(() => designMatrix(X), /NaN value at row 4, column 2/);
    data[4 * 3 + 2] = 0;
    data[7 * 3 + 0] = -Infinity;
    assert.throws(() => designMatrix(X), /infinite value at row 7, column 0/);
    // A hand-built column-major design is checked too, in its own layout.
    const D: Design = { rows: 10, cols: 3, data: new Float32Array(30), layout: 'column-major' };
    D.data[2 * 10 + 6] = Infinity;
    assert.throws(() => fitPath(D, y), /training design: infinite value at row 6, column 2/);
  });

  it('more features than rows: fitted (L1 keeps the model sparse)', () => {
    const { X, y } = problem(15, 200, 2, 6);
    const fit = fitL1Logistic(X, y, { C: 1 });
    assert.ok(fit.convergence.converged);
    assert.ok(fit.supportSize > 0 && fit.supportSize <= 15, `support ${fit.supportSize}`);
  });

  it('zero rows or zero columns: error', () => {
    const empty: Design = { rows: 0, cols: 4, data: new Float32Array(0), layout: 'column-major' };
    assert.throws(() => fitPath(empty, new Int32Array(0)), /no training rows: the training split is empty; provide labelled examples/);
    assert.throws(() => fitStandardisation({ rows: 0, cols: 3, data: new Float32Array(0) }), /no rows to fit a standardisation on/);
    const noCols: Design = { rows: 4, cols: 0, data: new Float32Array(0), layout: 'column-major' };
    assert.throws(() => fitPath(noCols, Int32Array.from([0, 1, 0, 1])), /no feature columns; select at least one feature/);
  });

  it('inconsistent shapes and labels: error', () => {
    const { X, y } = problem(20, 4, 2, 7);
    assert.throws(() => fitPath(X, y.subarray(0, 19)), /19 labels for 20 feature rows/);
    const neg = Int32Array.from(y);
    neg[3] = -1;
    assert.throws(() => fitPath(X, neg), /label -1 at row 3 is outside/);
    assert.throws(() => fitPath({ rows: 3, cols: 2, data: new Float32Array(5), layout: 'column-major' }, Int32Array.from([0, 1, 0])), /data holds 5 values but rows x cols = 3 x 2 = 6/);
    assert.throws(() => fitL1Logistic(X, y, { C: 0 }), /positive finite lambda/);
    assert.throws(() => fitPath(X, y, { lambdas: [0.1, -1] }), /lambda -1 must be a positive finite number/);
  });

  it('validation: empty split, unknown labels or other columns are errors', () => {
    const { X, y } = problem(40, 4, 2, 8);
    const path = fitPath(X, y, { pathLength: 5 });
    assert.throws(() => scorePath(path, { rows: 0, cols: 4, data: new Float32Array(0), layout: 'column-major' }, new Int32Array(0), 'accuracy'), /validation split is empty/);
    assert.throws(() => scorePath(path, X, Int32Array.from(y, (c, i) => (i === 5 ? 2 : c)), 'accuracy'), /label 2 at row 5 is outside the model's classes 0..1; a label that never occurs in training cannot be predicted/);
    assert.throws(() => fitPath(X, y, { validation: { X: { rows: 40, cols: 3, data: new Float32Array(120), layout: 'column-major' }, y, metric: 'accuracy' } }), /validation design has 3 columns but the model has 4 features/);
  });
});
