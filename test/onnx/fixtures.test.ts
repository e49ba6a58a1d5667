// Every fixture graph, tapped for every (kind, layer, pooling), against PyTorch's values: the taps are
// found by structure alone, so each family and export form here is a case the finder must get right.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as Ort from 'onnxruntime-node';
import { loadOrt } from '../../src/core/model/runtime';
import { allBlocks } from '../../src/core/neurons';
import { readModelConfig, tapModel } from '../../src/core/onnx';
import { FIXTURES, feeds, maxAbsDiff, readReference, runTapped, tempCacheDir } from './helpers';

const cacheDir = tempCacheDir();
after(() => fs.rmSync(cacheDir, { recursive: true, force: true }));

const GRAPHS = ['model.onnx', 'decoder_model_merged.onnx'];
const fixtures = fs.existsSync(FIXTURES) ? fs.readdirSync(FIXTURES).filter((n) => fs.existsSync(path.join(FIXTURES, n, 'config.json'))) : [];

test('fixtures are present', () => {
  assert.ok(fixtures.length >= 7, `expected the model fixtures under ${FIXTURES}, found: ${fixtures.join(', ') || 'none'}`);
});

for (const name of fixtures) {
  const reference = readReference(name);
  for (const graph of GRAPHS) {
    const modelFile = path.join(FIXTURES, name, 'onnx', graph);
    if (!fs.existsSync(modelFile)) continue;
    describe(`${name}/${graph}`, () => {
      test('every block matches PyTorch within 1e-4', { skip: !reference && 'no reference values' }, async () => {
        const ref = reference as NonNullable<typeof reference>;
        const config = readModelConfig(path.join(FIXTURES, name));
        assert.equal(config.numLayers, ref.num_layers);
        const tapped = await tapModel({ modelFile, config, blocks: allBlocks(config.numLayers), cacheDir });
        assert.equal(tapped.singleToken, ref.single_token);
        const got = await runTapped(tapped, ref.inputs);
        const expectedNames = Object.keys(ref.features).sort();
        assert.deepEqual([...got.keys()].sort(), expectedNames);
        for (const [block, rows] of got) {
          const diff = maxAbsDiff(rows, ref.features[block] as number[][]);
          assert.ok(diff <= 1e-4, `${block}: max abs diff ${diff}`);
        }
      });

      test('the original outputs are still produced, unchanged', { skip: !reference && 'no reference values' }, async () => {
        const ref = reference as NonNullable<typeof reference>;
        const config = readModelConfig(path.join(FIXTURES, name));
        const tapped = await tapModel({ modelFile, config, blocks: [{ kind: 'hid', layer: 1, pooling: 'mean' }], cacheDir });
        const ort = await loadOrt();
        const [original, rewritten] = await Promise.all([ort.InferenceSession.create(modelFile), ort.InferenceSession.create(tapped.modelPath)]);
        try {
          assert.deepEqual(tapped.originalOutputs, original.outputNames);
          const input = feeds(ort, tapped.inputs, ref.inputs);
          const [a, b] = await Promise.all([original.run(input), rewritten.run(input, original.outputNames)]);
          for (const name of original.outputNames) {
            const x = a[name] as Ort.Tensor;
            const y = b[name] as Ort.Tensor;
            assert.deepEqual(y.dims, x.dims, name);
            const xs = x.data as Float32Array;
            const ys = y.data as Float32Array;
            let diff = 0;
            for (let i = 0; i < xs.length; i++) diff = Math.max(diff, Math.abs((xs[i] as number) - (ys[i] as number)));
            assert.ok(diff <= 1e-5, `${name}: max abs diff ${diff}`);
          }
        } finally {
          await Promise.all([original.release(), rewritten.release()]);
        }
      });
    });
  }
}
