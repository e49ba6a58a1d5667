import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allBlocks, blockName, neuronName, parseBlockName, parseNeuronName } from '../src/core/neurons';

test('neuron names round-trip', () => {
  const n = { layer: 3, kind: 'act', pooling: 'max', index: 1207 } as const;
  assert.equal(neuronName(n), 'L3.act.max#1207');
  assert.deepEqual(parseNeuronName('L3.act.max#1207'), n);
  assert.deepEqual(parseBlockName(blockName(n)), { layer: 3, kind: 'act', pooling: 'max' });
});

test('malformed names are rejected with the expected form', () => {
  assert.throws(() => parseNeuronName('L3.act.sum#1'), /expected L\{layer\}/);
  assert.throws(() => parseBlockName('3.hid.mean'), /not a feature block name/);
});

test('allBlocks: hid has L+1 layers, act has L', () => {
  const blocks = allBlocks(6);
  assert.equal(blocks.filter((b) => b.kind === 'hid').length, 7 * 3);
  assert.equal(blocks.filter((b) => b.kind === 'act').length, 6 * 3);
  assert.equal(new Set(blocks.map(blockName)).size, blocks.length);
});
