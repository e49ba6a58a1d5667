import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildFeeds } from '../../src/core/extract/feeds';
import type { GraphInput } from '../../src/core/onnx';

const tokens = {
  ids: [Int32Array.from([5, 6, 7]), Int32Array.from([8]), Int32Array.from([9, 10])],
  typeIds: [Int32Array.from([0, 0, 1]), Int32Array.from([0]), Int32Array.from([0, 1])],
};
const batch = { rows: [2, 1], paddedLength: 2, padTokenId: 99 };

test('right-padded inputs for every role the graph declares, in its integer type', () => {
  const inputs: GraphInput[] = [
    { name: 'input_ids', role: 'input_ids', dtype: 'int64', shape: ['batch', 'seq'] },
    { name: 'attention_mask', role: 'attention_mask', dtype: 'int32', shape: ['batch', 'seq'] },
    { name: 'token_type_ids', role: 'token_type_ids', dtype: 'int64', shape: ['batch', 'seq'] },
    { name: 'position_ids', role: 'position_ids', dtype: 'int64', shape: ['batch', 'seq'] },
  ];
  const feeds = buildFeeds(inputs, batch, tokens);
  assert.deepEqual(feeds.input_ids, { type: 'int64', data: BigInt64Array.from([9n, 10n, 8n, 99n]), dims: [2, 2] });
  assert.deepEqual(feeds.attention_mask, { type: 'int32', data: Int32Array.from([1, 1, 1, 0]), dims: [2, 2] });
  assert.deepEqual(feeds.token_type_ids, { type: 'int64', data: BigInt64Array.from([0n, 1n, 0n, 0n]), dims: [2, 2] });
  assert.deepEqual(feeds.position_ids, { type: 'int64', data: BigInt64Array.from([0n, 1n, 0n, 1n]), dims: [2, 2] });
});

test('decoder-with-past graphs get an empty cache and use_cache_branch = false', () => {
  const inputs: GraphInput[] = [
    { name: 'input_ids', role: 'input_ids', dtype: 'int64', shape: ['batch', 'seq'] },
    { name: 'past_key_values.0.key', role: 'past_key_values', dtype: 'float32', shape: ['batch_size', 4, 'past_sequence_length', 8] },
    { name: 'past_key_values.0.value', role: 'past_key_values', dtype: 'float16', shape: ['batch_size', 4, 'past_sequence_length', 8] },
    { name: 'use_cache_branch', role: 'use_cache_branch', dtype: 'bool', shape: [1] },
  ];
  const feeds = buildFeeds(inputs, batch, { ids: tokens.ids, typeIds: undefined });
  assert.deepEqual(feeds['past_key_values.0.key'], { type: 'float32', data: new Float32Array(0), dims: [2, 4, 0, 8] });
  assert.deepEqual(feeds['past_key_values.0.value'], { type: 'float16', data: new Uint16Array(0), dims: [2, 4, 0, 8] });
  assert.deepEqual(feeds.use_cache_branch, { type: 'bool', data: new Uint8Array([0]), dims: [1] });
});

test('an input type the runner cannot fill is a clear error', () => {
  const inputs: GraphInput[] = [{ name: 'input_ids', role: 'input_ids', dtype: 'float32', shape: ['b', 's'] }];
  assert.throws(() => buildFeeds(inputs, batch, tokens), /Graph input "input_ids" \(input_ids\) has type float32; expected int64 or int32/);
});
