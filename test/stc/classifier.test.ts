import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DenseMatrix } from '../../src/core/learn/matrix';
import { blockName, type FeatureBlock } from '../../src/core/neurons';
import { applyClassifier, classifierDesign, classifierFromModel, classifyDesign, modelOf, neuronValuesDesign, type ColumnSource, type StcNeuron } from '../../src/core/stc/classifier';

const column = (layer: number, index: number, mean = 0, scale = 1): ColumnSource => ({ kind: 'act', layer, pooling: 'mean', index, mean, scale });
const binary = (weights: number[]) => ({ nFeatures: weights.length, nClasses: 2, outputs: 1, weights: Float64Array.from(weights), intercepts: Float64Array.of(0.5) });

test('columns that describe one neuron become that neuron with the sum of their weights; a zero sum drops it', () => {
  const c = classifierFromModel(binary([1, 2, 0.5, -2, 3]), [column(1, 4), column(0, 2), column(1, 4), column(0, 2), column(2, 0)]);
  assert.deepEqual(
    c.neurons.map((n) => [n.name, n.weights, n.importance]),
    [
      ['L1.act.mean#4', [1.5], 2.25],
      ['L2.act.mean#0', [3], 9],
    ],
  );
});

test('one neuron described with two standardisations is refused', () => {
  assert.throws(() => classifierFromModel(binary([1, 1]), [column(1, 4, 0, 1), column(1, 4, 0, 2)]), /L1\.act\.mean#4 is described twice with different standardisations/);
});

test("a classifier's design from stored blocks and from the early-exit graph's values is the same, and so are its predictions", () => {
  const c = classifierFromModel(binary([0.8, -1.5, 2]), [column(0, 3, 0.5, 2), column(1, 1, -1, 0.5), column(0, 0, 0, 4)]);
  const rows = 4;
  // Stored blocks (3 rows of junk before the 4 rows asked for) and the same values in neuron order.
  const blocks = new Map<string, DenseMatrix>([
    ['L0.act.mean', { rows: 7, cols: 5, data: Float32Array.from({ length: 35 }, (_, i) => Math.sin(i) * 3) }],
    ['L1.act.mean', { rows: 7, cols: 2, data: Float32Array.from({ length: 14 }, (_, i) => Math.cos(i) * 2) }],
  ]);
  const read = (b: FeatureBlock) => blocks.get(blockName(b)) as DenseMatrix;
  const asked = Int32Array.of(3, 4, 5, 6);
  const values = Float32Array.from({ length: rows * c.neurons.length }, (_, k) => {
    const [i, j] = [Math.floor(k / c.neurons.length), k % c.neurons.length];
    const n = c.neurons[j] as StcNeuron;
    const X = read(n);
    return X.data[(asked[i] as number) * X.cols + n.index] as number;
  });
  const fromBlocks = classifierDesign(c, { read }, asked);
  const fromValues = neuronValuesDesign(c, values, rows);
  assert.deepEqual(fromValues, fromBlocks);
  assert.deepEqual(classifyDesign(modelOf(c), fromValues), applyClassifier(c, { read }, asked));
});

test("the early-exit graph's values: a NaN or a wrong count is refused, naming the neuron and the text", () => {
  const c = classifierFromModel(binary([1, 2]), [column(0, 1), column(1, 0)]);
  assert.throws(() => neuronValuesDesign(c, Float32Array.of(1, 2, 3, NaN), 2), /^Error: L1\.act\.mean#0: NaN value at text 1 of the batch$/);
  assert.throws(() => neuronValuesDesign(c, Float32Array.of(1, 2, 3), 2), /3 neuron values for 2 rows of 2 neurons/);
});
