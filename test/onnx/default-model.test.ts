// The embedded default model (all-MiniLM-L6-v2, W8A8 int8) against its float32 PyTorch reference, and the
// float32 graph (not committed; present after scripts/models/export_all.py) at 1e-4.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { allBlocks } from '../../src/core/neurons';
import { readModelConfig, tapModel } from '../../src/core/onnx';
import { ROOT, maxAbsDiff, readReference, rowCosines, runTapped, tempCacheDir } from './helpers';

const cacheDir = tempCacheDir();
after(() => fs.rmSync(cacheDir, { recursive: true, force: true }));

const FOLDER = path.join(ROOT, 'models/all-MiniLM-L6-v2');
const INT8 = path.join(FOLDER, 'onnx/model_quantized.onnx');
const FP32 = path.join(ROOT, '.cache/models/all-MiniLM-L6-v2/onnx/model.onnx');
const reference = readReference('all-MiniLM-L6-v2');

test('int8 default model: every block close to the float32 reference, none shifted', { skip: !reference && 'no reference values' }, async () => {
  const ref = reference as NonNullable<typeof reference>;
  const config = readModelConfig(FOLDER);
  const tapped = await tapModel({ modelFile: INT8, config, blocks: allBlocks(config.numLayers), cacheDir });
  const got = await runTapped(tapped, ref.inputs);
  const means: number[] = [];
  for (const [block, rows] of got) {
    const cosines = rowCosines(rows, ref.features[block] as number[][]);
    const mean = cosines.reduce((a, x) => a + x, 0) / cosines.length;
    means.push(mean);
    // int8 weights and activations: the bar is 0.99 per vector. The
    // comparison with the other layers below is what catches a tap shifted by one layer.
    assert.ok(Math.min(...cosines) >= 0.99, `${block}: smallest cosine ${Math.min(...cosines)}`);
    const [, kind, pooling] = block.split('.');
    for (const other of Object.keys(ref.features).filter((n) => n !== block && n.endsWith(`.${kind}.${pooling}`))) {
      const rival = rowCosines(rows, ref.features[other] as number[][]).reduce((a, x) => a + x, 0) / rows.length;
      assert.ok(rival < mean, `${block} resembles ${other} more than its own layer`);
    }
  }
  assert.equal(means.length, 39);
});

test('int8 default model: its integer products are CPU-bound, as tapped and as cached', async () => {
  const opts = { modelFile: INT8, config: readModelConfig(FOLDER), blocks: [{ kind: 'act', layer: 2, pooling: 'mean' } as const], cacheDir };
  assert.deepEqual((await tapModel(opts)).cpuBoundOps, ['MatMulIntegerToFloat']);
  assert.deepEqual((await tapModel(opts)).cpuBoundOps, ['MatMulIntegerToFloat']);
});

test('float32 default model matches PyTorch within 1e-4', { skip: (!reference || !fs.existsSync(FP32)) && 'fp32 graph or reference not present' }, async () => {
  const ref = reference as NonNullable<typeof reference>;
  const config = readModelConfig(FOLDER);
  const tapped = await tapModel({ modelFile: FP32, config, blocks: allBlocks(config.numLayers), cacheDir });
  for (const [block, rows] of await runTapped(tapped, ref.inputs)) {
    const diff = maxAbsDiff(rows, ref.features[block] as number[][]);
    assert.ok(diff <= 1e-4, `${block}: max abs diff ${diff}`);
  }
});
