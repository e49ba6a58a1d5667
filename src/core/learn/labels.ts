// Label vectors: class indices 0..K-1 in an Int32Array, one per row.

export interface LabelSummary {
  readonly nClasses: number;
  /** Examples per class. */
  readonly counts: Int32Array;
}

/** Checks training labels: one per row, integers in 0..nClasses-1, at least two classes, each
 *  class present. `nClasses` defaults to the largest label + 1. A class with a single example is
 *  accepted: the problem is well posed, the class is simply hard to learn. */
export function checkTrainingLabels(y: Int32Array, rows: number, nClasses?: number): LabelSummary {
  if (rows === 0) throw new Error('no training rows: the training split is empty; provide labelled examples');
  if (y.length !== rows) throw new Error(`${y.length} labels for ${rows} feature rows; labels and features must describe the same examples`);
  let max = -1;
  for (let i = 0; i < y.length; i++) {
    const c = y[i] as number;
    if (c < 0 || (nClasses !== undefined && c >= nClasses)) {
      throw new Error(`label ${c} at row ${i} is outside 0..${(nClasses ?? 0) - 1}; labels must be class indices`);
    }
    if (c > max) max = c;
  }
  const k = nClasses ?? max + 1;
  const counts = new Int32Array(k);
  for (let i = 0; i < y.length; i++) {
    const c = y[i] as number;
    counts[c] = (counts[c] as number) + 1;
  }
  const present = counts.filter((c) => c > 0).length;
  if (present < 2) {
    throw new Error(`only one class (${max}) appears in the ${rows} training labels; a classifier needs examples of at least two classes`);
  }
  const missing = [...counts.keys()].filter((c) => counts[c] === 0);
  if (missing.length > 0) {
    throw new Error(`class${missing.length > 1 ? 'es' : ''} ${missing.join(', ')} of 0..${k - 1} ha${missing.length > 1 ? 've' : 's'} no training example; add examples or drop the label from the label set`);
  }
  return { nClasses: k, counts };
}

/** Checks labels scored against a fitted model (validation or test). */
export function checkEvaluationLabels(y: Int32Array, rows: number, nClasses: number): void {
  if (y.length !== rows) throw new Error(`${y.length} labels for ${rows} feature rows; labels and features must describe the same examples`);
  for (let i = 0; i < y.length; i++) {
    const c = y[i] as number;
    if (c < 0 || c >= nClasses) throw new Error(`label ${c} at row ${i} is outside the model's classes 0..${nClasses - 1}; a label that never occurs in training cannot be predicted`);
  }
}
