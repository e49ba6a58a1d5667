import assert from 'node:assert/strict';
import { test } from 'node:test';
import { concatColumns, type Design } from '../../src/core/learn/matrix';
import { averageModels, type LogisticModel } from '../../src/core/learn/model';
import { decisionScores } from '../../src/core/learn/predict';

const design = (rows: number, cols: number, seed: number): Design => ({
  rows,
  cols,
  data: Float32Array.from({ length: rows * cols }, (_, i) => Math.sin(seed * 7.1 + i * 1.3)),
  layout: 'column-major',
});

const model = (nFeatures: number, nClasses: number, outputs: number, seed: number): LogisticModel => ({
  nFeatures,
  nClasses,
  outputs,
  weights: Float64Array.from({ length: outputs * nFeatures }, (_, i) => Math.cos(seed + i)),
  intercepts: Float64Array.from({ length: outputs }, (_, k) => seed * 0.1 - k),
});

for (const [nClasses, outputs] of [
  [2, 1],
  [3, 3],
] as const) {
  test(`averageModels (${nClasses} classes): the decision scores of the average are the mean of the models' scores`, () => {
    const models = [model(3, nClasses, outputs, 1), model(1, nClasses, outputs, 2), model(4, nClasses, outputs, 3)];
    const Xs = models.map((m, i) => design(5, m.nFeatures, i));
    const averaged = decisionScores(averageModels(models), concatColumns(Xs));
    const each = models.map((m, i) => decisionScores(m, Xs[i] as Design));
    assert.equal(averaged.length, 5 * outputs);
    averaged.forEach((v, i) => assert.ok(Math.abs(v - each.reduce((s, e) => s + (e[i] as number), 0) / 3) < 1e-12, `score ${i}`));
  });
}

test('averageModels refuses nothing to average and models of different class counts', () => {
  assert.throws(() => averageModels([]), /no model to average/);
  assert.throws(() => averageModels([model(2, 2, 1, 1), model(2, 3, 3, 1)]), /disagree on the number of classes \(2, 3\)/);
});
