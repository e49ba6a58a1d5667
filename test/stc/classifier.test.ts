import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifierFromModel, type ColumnSource } from '../../src/core/stc/classifier';

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
