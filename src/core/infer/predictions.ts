// From the early-exit graph's pooled values to predictions, through the code that scores a
// classifier on extracted features (stc's classifier.ts): the same standardisation arithmetic and
// the same logistic model.
import type { SavedClassifier } from '../artifact/types';
import type { LogisticModel } from '../learn/model';
import { classifyDesign, neuronValuesDesign } from '../stc';
import type { Prediction } from './types';

/** Predictions for `rows` texts whose pooled neuron values are `values` ([rows, neurons]);
 *  `model` is the classifier's (stc's modelOf), built once by the caller, not per call: rebuilding
 *  it was most of a single text's scoring time. */
export function predictionsFromValues(saved: SavedClassifier, model: LogisticModel, values: Float32Array, truncated: readonly boolean[]): Prediction[] {
  const c = saved.manifest.classifier;
  const rows = truncated.length;
  const n = c.neurons.length;
  const { predictions, proba } = classifyDesign(model, neuronValuesDesign(c, values, rows));
  const K = c.nClasses;
  return Array.from({ length: rows }, (_, i) => {
    const labelIndex = predictions[i] as number;
    return {
      labelIndex,
      label: saved.manifest.labels[labelIndex] ?? String(labelIndex),
      proba: Array.from(proba.subarray(i * K, (i + 1) * K)),
      values: values.slice(i * n, (i + 1) * n),
      truncated: truncated[i] === true,
    };
  });
}
