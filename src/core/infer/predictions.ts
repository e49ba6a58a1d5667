// From the early-exit graph's pooled values to predictions, through the same code that scores a
// classifier on extracted features (stc's applyClassifier): one standardisation, one logistic model.
import type { SavedClassifier } from '../artifact/types';
import type { DenseMatrix } from '../learn/matrix';
import { blockName, type FeatureBlock } from '../neurons';
import { applyClassifier, type FeatureSource, type StcClassifier } from '../stc';
import type { Prediction } from './types';

/** Row-major [rows, neurons] values, in classifier.neurons order, as the feature blocks
 *  applyClassifier reads (each block only as wide as its highest kept index). */
function pooledSource(c: StcClassifier, values: Float32Array, rows: number): Pick<FeatureSource, 'read'> {
  const n = c.neurons.length;
  const widths = new Map<string, number>();
  for (const neuron of c.neurons) widths.set(blockName(neuron), Math.max(widths.get(blockName(neuron)) ?? 0, neuron.index + 1));
  const blocks = new Map<string, DenseMatrix>([...widths].map(([name, cols]) => [name, { rows, cols, data: new Float32Array(rows * cols) }]));
  c.neurons.forEach((neuron, j) => {
    const m = blocks.get(blockName(neuron)) as DenseMatrix;
    for (let i = 0; i < rows; i++) m.data[i * m.cols + neuron.index] = values[i * n + j] as number;
  });
  return {
    read(block: FeatureBlock): DenseMatrix {
      const m = blocks.get(blockName(block));
      if (!m) throw new Error(`internal error: the classifier reads block ${blockName(block)}, which none of its neurons belongs to`);
      return m;
    },
  };
}

/** Predictions for `rows` texts whose pooled neuron values are `values` ([rows, neurons]). */
export function predictionsFromValues(saved: SavedClassifier, values: Float32Array, truncated: readonly boolean[]): Prediction[] {
  const c = saved.manifest.classifier;
  const rows = truncated.length;
  const n = c.neurons.length;
  const { predictions, proba } = applyClassifier(c, pooledSource(c, values, rows), Int32Array.from({ length: rows }, (_, i) => i));
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
