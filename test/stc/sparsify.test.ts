import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Path } from '../../src/core/learn/path';
import { aggregationLayers, configBlocks, configName, searchConfigs } from '../../src/core/stc/configs';
import { importanceOrder, keptCount, probeImportance } from '../../src/core/stc/sparsify';
import { blockName } from '../../src/core/neurons';

const f64 = (v: number[]) => Float64Array.from(v);

test('importance order: decreasing, equal importances by ascending index', () => {
  assert.deepEqual(Array.from(importanceOrder(f64([1, 3, 0, 3, 2]))), [1, 3, 4, 0, 2]);
});

test('kept count: the shortest prefix reaching eta x total, at least one, never a zero neuron', () => {
  const v = f64([4, 0, 3, 2, 1, 0]);
  const order = importanceOrder(v);
  assert.equal(keptCount(v, order, 0.001), 1);
  assert.equal(keptCount(v, order, 0.4), 1); // 4 >= 4
  assert.equal(keptCount(v, order, 0.5), 2); // 4 < 5 <= 7
  assert.equal(keptCount(v, order, 0.9), 3); // 7 < 9 <= 9
  assert.equal(keptCount(v, order, 1), 4); // all non-zero, no zero one
  assert.equal(keptCount(f64([0, 0, 0]), importanceOrder(f64([0, 0, 0])), 0.5), 1);
});

test('probe importance falls back to the first non-empty path point when the chosen one is empty', () => {
  const model = (w: number[]) => ({ nFeatures: w.length, nClasses: 2, outputs: 1, weights: f64(w), intercepts: f64([0]) });
  const point = (w: number[]) => ({ model: model(w), supportSize: w.filter((x) => x !== 0).length }) as unknown as Path['points'][number];
  const path = { lambdaMax: 1, nullLoss: 1, points: [point([0, 0, 0]), point([0, 0.5, 0]), point([0.1, 1, 0])] } as Path;
  assert.deepEqual(probeImportance(path, model([0, 0, 0])), { values: f64([0, 0.25, 0]), fallback: true });
  assert.deepEqual(probeImportance(path, model([0.1, 1, 0])), { values: f64([0.1 * 0.1, 1, 0]), fallback: false });
});

test('configurations: 6 in the paper space, 12 in the extended one; no duplicates with one pooling or kind', () => {
  const all = ['hid', 'act'] as const;
  const pools = ['mean', 'max', 'single'] as const;
  assert.equal(searchConfigs(all, pools, 'paper').length, 6);
  const extended = searchConfigs(all, pools, 'extended').map(configName);
  assert.equal(extended.length, 12);
  assert.equal(new Set(extended).size, 12);
  assert.ok(extended.includes('hid+act/mean') && extended.includes('act/mean+max+single') && extended.includes('hid+act/mean+max+single'));
  assert.deepEqual(searchConfigs(all, ['mean'], 'extended').map(configName), ['hid/mean', 'act/mean', 'hid+act/mean']);
  assert.deepEqual(searchConfigs(['act'], ['mean'], 'extended').map(configName), ['act/mean']);
});

test('k counts transformer blocks run: act layers 0..k-1, hid layers 0..k, in canonical order', () => {
  assert.deepEqual(aggregationLayers('act', 2), [0, 1]);
  assert.deepEqual(aggregationLayers('hid', 2), [0, 1, 2]);
  const blocks = configBlocks({ kinds: ['hid', 'act'], poolings: ['mean', 'single'] }, 1).map(blockName);
  assert.deepEqual(blocks, ['L0.hid.mean', 'L0.hid.single', 'L0.act.mean', 'L0.act.single', 'L1.hid.mean', 'L1.hid.single']);
});
