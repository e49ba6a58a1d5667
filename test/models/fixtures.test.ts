import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';
import { loadOrt } from '../../src/core/model/runtime';
import {
  FIXTURES_DIR, readJson, readReference, realLength, REFERENCE_DIR, referencedModels, referenceFeeds, type LogitsReference, type Reference,
} from './reference';

const TOLERANCE = 1e-4;

async function openCpuSession(file: string): Promise<InferenceSession> {
  const ort = await loadOrt();
  return ort.InferenceSession.create(file, { executionProviders: ['cpu'], logSeverityLevel: 3 });
}

async function runOutput(session: InferenceSession, name: string, feeds: Awaited<ReturnType<typeof referenceFeeds>>): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const output = (await session.run(feeds))[name];
  assert.ok(output, `the graph outputs ${name}`);
  assert.ok(output.data instanceof Float32Array, `${name} is float32`);
  return { data: output.data, dims: output.dims };
}

function maxAbsDiff(actual: ArrayLike<number>, expected: readonly number[]): number {
  assert.equal(actual.length, expected.length, 'same number of values');
  let worst = 0;
  expected.forEach((e, i) => (worst = Math.max(worst, Math.abs((actual[i] ?? NaN) - e))));
  return worst;
}

/** last_hidden_state pooled over each row's real tokens, as the reference defines mean, max and single. */
function pooledLastHiddenState(ref: Reference): Record<'mean' | 'max' | 'single', number[][]> {
  const rows = ref.last_hidden_state.map((tokens, b) => tokens.slice(0, realLength(ref.inputs.attention_mask[b] ?? [])));
  const column = (tokens: number[][], j: number) => tokens.map((t) => t[j] ?? NaN);
  const dims = Array.from({ length: ref.hidden_size }, (_, j) => j);
  return {
    mean: rows.map((tokens) => dims.map((j) => column(tokens, j).reduce((s, v) => s + v, 0) / tokens.length)),
    max: rows.map((tokens) => dims.map((j) => Math.max(...column(tokens, j)))),
    single: rows.map((tokens) => (ref.single_token === 'first' ? tokens[0] : tokens[tokens.length - 1]) ?? []),
  };
}

for (const [name] of referencedModels()) {
  test(`${name}: the reference's last hid features are its last_hidden_state pooled over real tokens`, () => {
    const ref = readReference(name);
    const pooled = pooledLastHiddenState(ref);
    for (const pooling of ['mean', 'max', 'single'] as const) {
      const feature = ref.features[`L${ref.num_layers}.hid.${pooling}`];
      assert.ok(feature, `L${ref.num_layers}.hid.${pooling}`);
      const diff = maxAbsDiff(feature.flat(), pooled[pooling].flat());
      assert.ok(diff <= 1e-5, `${pooling}: max abs diff ${diff}`);
    }
    const blocks = Object.keys(ref.features);
    assert.equal(blocks.length, 3 * (2 * ref.num_layers + 1), 'hid for layers 0..L and act for 0..L-1, three poolings each');
    assert.ok(blocks.every((b) => /^L\d+\.(hid|act)\.(mean|max|single)$/.test(b)));
  });
}

const fixtures = fs.readdirSync(FIXTURES_DIR, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);

test('every family the extraction engine must tap has a fixture', () => {
  assert.deepEqual(new Set(fixtures), new Set(['bert', 'distilbert', 'gpt2', 'llama', 'qwen2', 'roberta', 'stories260K']));
});

for (const name of fixtures) {
  test(`${name}: onnx/model.onnx runs in onnxruntime-node and gives PyTorch's last_hidden_state`, async () => {
    const ref = readReference(name);
    const session = await openCpuSession(path.join(FIXTURES_DIR, name, 'onnx/model.onnx'));
    const { data, dims } = await runOutput(session, 'last_hidden_state', await referenceFeeds(session, ref.inputs));
    const [batch, length] = [ref.inputs.input_ids.length, ref.inputs.input_ids[0]?.length ?? 0];
    assert.deepEqual(dims, [batch, length, ref.hidden_size]);
    const diff = maxAbsDiff(data, ref.last_hidden_state.flat(2));
    assert.ok(diff <= TOLERANCE, `max abs diff ${diff} > ${TOLERANCE}`);
  });

  const merged = path.join(FIXTURES_DIR, name, 'onnx/decoder_model_merged.onnx');
  if (!fs.existsSync(merged)) continue;
  test(`${name}: onnx/decoder_model_merged.onnx with an empty past gives PyTorch's logits`, async () => {
    const ref = readReference(name);
    const expected = readJson<LogitsReference>(path.join(REFERENCE_DIR, `${name}.logits.json`));
    const session = await openCpuSession(merged);
    assert.ok(session.inputNames.includes('use_cache_branch') && session.inputNames.some((n) => n.startsWith('past_key_values.')), 'the merged form');
    const { data, dims } = await runOutput(session, 'logits', await referenceFeeds(session, ref.inputs));
    const [, length = 0, vocab = 0] = dims;
    const lastTokenLogits = ref.inputs.attention_mask.flatMap((mask, b) => {
      const start = (b * length + realLength(mask) - 1) * vocab;
      return Array.from(data.subarray(start, start + vocab));
    });
    const diff = maxAbsDiff(lastTokenLogits, expected.last_token_logits.flat());
    assert.ok(diff <= TOLERANCE, `max abs diff ${diff} > ${TOLERANCE}`);
  });
}
