import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { designMatrix } from '../../src/core/learn/matrix';
import { accuracy, classificationMetrics, confusionMatrix, logLoss, macroF1 } from '../../src/core/learn/metrics';
import type { LogisticModel } from '../../src/core/learn/model';
import { decisionScores, predict, predictProba } from '../../src/core/learn/predict';
import { loadParity } from './fixture';

const I = (v: number[]) => Int32Array.from(v);
const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

describe('metrics', () => {
  it('binary example computed by hand', () => {
    // TP 2 (rows 0, 4), FN 1 (row 1), TN 1 (row 2), FP 1 (row 3).
    const t = I([1, 1, 0, 0, 1]);
    const p = I([1, 0, 0, 1, 1]);
    const m = classificationMetrics(t, p, 2);
    assert.deepEqual(m.confusion, [
      [1, 1],
      [1, 2],
    ]);
    close(m.accuracy, 3 / 5);
    close(m.perClass[1]?.precision ?? NaN, 2 / 3);
    close(m.perClass[1]?.recall ?? NaN, 2 / 3);
    close(m.perClass[0]?.f1 ?? NaN, 1 / 2);
    close(m.macroF1, (2 / 3 + 1 / 2) / 2);
    assert.equal(m.perClass[1]?.support, 3);
    assert.equal(m.logLoss, undefined);
    close(accuracy(t, p), 0.6);
    close(macroF1(t, p, 2), 7 / 12);
  });

  it('log-loss computed by hand, clipped at machine epsilon', () => {
    const y = I([0, 1]);
    close(logLoss(y, Float64Array.from([0.8, 0.2, 0.4, 0.6]), 2), -(Math.log(0.8) + Math.log(0.6)) / 2);
    close(logLoss(I([0]), Float64Array.from([0, 1]), 2), -Math.log(Number.EPSILON));
  });

  it("matches scikit-learn's metrics, with its zero-division convention", () => {
    const ref = loadParity().metrics;
    const m = classificationMetrics(I(ref.y_true), I(ref.y_pred), 3, Float64Array.from(ref.proba));
    close(m.accuracy, ref.accuracy);
    close(m.macroF1, ref.macro_f1);
    assert.deepEqual(m.confusion, ref.confusion);
    m.perClass.forEach((c, k) => {
      close(c.precision, ref.precision[k] as number);
      close(c.recall, ref.recall[k] as number);
      close(c.f1, ref.f1[k] as number);
      assert.equal(c.support, ref.support[k]);
    });
    close(m.logLoss ?? NaN, ref.log_loss);
    assert.equal(m.perClass[2]?.precision, 0, 'a class never predicted has precision 0');
  });

  it('rejects empty or mismatched inputs', () => {
    assert.throws(() => accuracy(I([]), I([])), /split is empty/);
    assert.throws(() => confusionMatrix(I([0, 1]), I([0]), 2), /2 true labels but 1 predictions/);
    assert.throws(() => confusionMatrix(I([0, 3]), I([0, 1]), 2), /row 1: label 3/);
  });
});

describe('prediction', () => {
  const X = designMatrix({ rows: 3, cols: 2, data: Float32Array.from([1, 0, 0, 1, -1, 2]) });

  it('binary: probability of class 1 is the sigmoid of the score', () => {
    const model: LogisticModel = { nFeatures: 2, nClasses: 2, outputs: 1, weights: Float64Array.from([2, -1]), intercepts: Float64Array.from([0.5]) };
    const scores = decisionScores(model, X);
    assert.deepEqual(Array.from(scores), [2.5, -0.5, -3.5]);
    const proba = predictProba(model, X);
    for (let i = 0; i < 3; i++) {
      close(proba[i * 2 + 1] as number, 1 / (1 + Math.exp(-(scores[i] as number))));
      close((proba[i * 2] as number) + (proba[i * 2 + 1] as number), 1);
    }
    assert.deepEqual(Array.from(predict(model, X)), [1, 0, 0]);
  });

  it('multinomial: softmax over the class scores, argmax prediction', () => {
    const model: LogisticModel = { nFeatures: 2, nClasses: 3, outputs: 3, weights: Float64Array.from([1, 0, 0, 1, 0, 0]), intercepts: Float64Array.from([0, 0, 0.5]) };
    const proba = predictProba(model, X);
    // Row 0: scores (1, 0, 0.5).
    const z = [1, 0, 0.5].map(Math.exp);
    const s = z.reduce((a, b) => a + b, 0);
    z.forEach((e, k) => close(proba[k] as number, e / s));
    assert.deepEqual(Array.from(predict(model, X)), [0, 1, 1]);
    assert.throws(() => predict({ ...model, nFeatures: 3, weights: new Float64Array(9) }, X), /fitted on 3 features but the matrix has 2/);
  });
});
