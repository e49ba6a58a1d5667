// Classification metrics, with scikit-learn's conventions: confusion rows are true classes and
// columns predicted ones; a precision or recall with a zero denominator counts as 0; macro-F1 is
// the unweighted mean of the per-class F1 over all nClasses classes.

export interface ClassMetrics {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  /** Examples of this class in the evaluated split. */
  readonly support: number;
}

export interface ClassificationMetrics {
  readonly accuracy: number;
  readonly macroF1: number;
  readonly perClass: ClassMetrics[];
  /** confusion[t][p]: examples of true class t predicted as p. */
  readonly confusion: number[][];
  /** Present when probabilities were given. */
  readonly logLoss?: number;
}

function checkPair(yTrue: Int32Array, yPred: Int32Array, nClasses: number): void {
  if (yTrue.length !== yPred.length) throw new Error(`${yTrue.length} true labels but ${yPred.length} predictions`);
  if (yTrue.length === 0) throw new Error('no examples to evaluate: the split is empty');
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i] as number;
    const p = yPred[i] as number;
    if (t < 0 || t >= nClasses || p < 0 || p >= nClasses) throw new Error(`row ${i}: label ${t} / prediction ${p} outside 0..${nClasses - 1}`);
  }
}

export function confusionMatrix(yTrue: Int32Array, yPred: Int32Array, nClasses: number): number[][] {
  checkPair(yTrue, yPred, nClasses);
  const m = Array.from({ length: nClasses }, () => new Array<number>(nClasses).fill(0));
  for (let i = 0; i < yTrue.length; i++) {
    const row = m[yTrue[i] as number] as number[];
    const p = yPred[i] as number;
    row[p] = (row[p] as number) + 1;
  }
  return m;
}

export function accuracy(yTrue: Int32Array, yPred: Int32Array): number {
  if (yTrue.length !== yPred.length) throw new Error(`${yTrue.length} true labels but ${yPred.length} predictions`);
  if (yTrue.length === 0) throw new Error('no examples to evaluate: the split is empty');
  let hit = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) hit++;
  return hit / yTrue.length;
}

function perClassFromConfusion(m: number[][]): ClassMetrics[] {
  const K = m.length;
  return m.map((row, c) => {
    const tp = row[c] as number;
    const support = row.reduce((a, b) => a + b, 0);
    let predicted = 0;
    for (let t = 0; t < K; t++) predicted += (m[t] as number[])[c] as number;
    const precision = predicted > 0 ? tp / predicted : 0;
    const recall = support > 0 ? tp / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    return { precision, recall, f1, support };
  });
}

export function macroF1(yTrue: Int32Array, yPred: Int32Array, nClasses: number): number {
  const per = perClassFromConfusion(confusionMatrix(yTrue, yPred, nClasses));
  return per.reduce((s, c) => s + c.f1, 0) / nClasses;
}

/** Mean negative log-likelihood; probabilities are rows x nClasses row-major, clipped to
 *  [eps, 1 - eps] with eps the float64 machine epsilon, as scikit-learn 1.9 does. */
export function logLoss(yTrue: Int32Array, proba: Float64Array, nClasses: number): number {
  const n = yTrue.length;
  if (n === 0) throw new Error('no examples to evaluate: the split is empty');
  if (proba.length !== n * nClasses) throw new Error(`${proba.length} probabilities for ${n} rows x ${nClasses} classes`);
  let s = 0;
  for (let i = 0; i < n; i++) {
    const c = yTrue[i] as number;
    if (c < 0 || c >= nClasses) throw new Error(`row ${i}: label ${c} outside 0..${nClasses - 1}`);
    const pr = Math.min(1 - Number.EPSILON, Math.max(Number.EPSILON, proba[i * nClasses + c] as number));
    s -= Math.log(pr);
  }
  return s / n;
}

export function classificationMetrics(yTrue: Int32Array, yPred: Int32Array, nClasses: number, proba?: Float64Array): ClassificationMetrics {
  const confusion = confusionMatrix(yTrue, yPred, nClasses);
  const perClass = perClassFromConfusion(confusion);
  let hit = 0;
  for (let c = 0; c < nClasses; c++) hit += (confusion[c] as number[])[c] as number;
  const out = {
    accuracy: hit / yTrue.length,
    macroF1: perClass.reduce((s, c) => s + c.f1, 0) / nClasses,
    perClass,
    confusion,
  };
  return proba ? { ...out, logLoss: logLoss(yTrue, proba, nClasses) } : out;
}
