// The same fixture networks rewritten the ways users get models (ORT-fused, quantized, fp16, old
// opset, external data, merged decoders are in fixtures.test.ts): test/fixtures/onnx/README.md says
// how each was made. Float rewrites must match PyTorch like the originals; quantized ones cannot,
// so for them each block must be closest to its own layer of the reference (no shifted layer) and
// close by cosine, and where the quantizer kept tensor names, the taps must be the very tensors
// found in the float graph.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { allBlocks } from '../../src/core/neurons';
import { readModelConfig, tapModel } from '../../src/core/onnx';
import { Graph } from '../../src/core/onnx/graph';
import { decodeModel } from '../../src/core/onnx/schema';
import { findTaps } from '../../src/core/onnx/taps';
import { FIXTURES, VARIANTS, maxAbsDiff, readReference, rowCosines, runTapped, tempCacheDir } from './helpers';

const cacheDir = tempCacheDir();
// Variants are tapped from copies next to the cache, so a model with external data never gets its
// rewritten graph written into the repository (the fallback when the cache is on another disk).
const copies = tempCacheDir();
after(() => {
  fs.rmSync(cacheDir, { recursive: true, force: true });
  fs.rmSync(copies, { recursive: true, force: true });
});

interface VariantCase {
  dir: string;
  /** Fixture whose weights and reference values it shares. */
  fixture: string;
  /** Ops the variant must contain, so the case covers what it claims to. */
  ops: string[];
  absentOps?: string[];
  /** Max abs difference to PyTorch; undefined for quantized graphs. */
  tolerance?: number;
  /** Quantized graphs: smallest cosine to PyTorch allowed, per row and per block on average. */
  minCosine?: { row: number; mean: number };
  /** The quantizer kept the float graph's tensor names, so the taps must be the same tensors. */
  keepsNames?: boolean;
}

const CASES: VariantCase[] = [
  { dir: 'bert-fused', fixture: 'bert', ops: ['EmbedLayerNormalization', 'Attention', 'SkipLayerNormalization', 'BiasGelu'], absentOps: ['Add'], tolerance: 1e-4 },
  { dir: 'gpt2-fused', fixture: 'gpt2', ops: ['SkipLayerNormalization', 'FastGelu'], tolerance: 1e-4 },
  { dir: 'llama-fused', fixture: 'llama', ops: ['SkipSimplifiedLayerNormalization', 'SimplifiedLayerNormalization'], tolerance: 1e-4 },
  { dir: 'distilbert-opset14', fixture: 'distilbert', ops: ['ReduceMean', 'Sqrt', 'Erf'], absentOps: ['LayerNormalization'], tolerance: 1e-4 },
  { dir: 'roberta-external', fixture: 'roberta', ops: ['LayerNormalization'], tolerance: 1e-4 },
  // float16 arithmetic: about 1e-3 from the float32 reference.
  { dir: 'bert-fp16', fixture: 'bert', ops: ['Cast'], tolerance: 1e-2 },
  // Measured: smallest row cosine 0.9988.
  { dir: 'bert-int8', fixture: 'bert', ops: ['DynamicQuantizeLinear', 'MatMulInteger'], minCosine: { row: 0.98, mean: 0.99 }, keepsNames: true },
  // Static int8 (QDQ): the stream is fake-quantized; the taps are the floats before QuantizeLinear.
  // Measured: smallest row cosine 0.9978, smallest block mean 0.9989.
  { dir: 'distilbert-qdq', fixture: 'distilbert', ops: ['QuantizeLinear', 'DequantizeLinear'], minCosine: { row: 0.98, mean: 0.99 } },
  // 4-bit weights on random std-0.2 weights are coarse: smallest row cosine 0.804, block mean 0.899.
  { dir: 'llama-q4', fixture: 'llama', ops: ['MatMulNBits'], minCosine: { row: 0.75, mean: 0.85 }, keepsNames: true },
  { dir: 'llama-q4qdq', fixture: 'llama', ops: ['DequantizeLinear'], absentOps: ['MatMulNBits'], minCosine: { row: 0.75, mean: 0.85 }, keepsNames: true },
];

function graphOf(file: string): Graph {
  return new Graph(decodeModel(fs.readFileSync(file)).graph ?? {});
}

function mean(xs: number[]): number {
  return xs.reduce((a, x) => a + x, 0) / xs.length;
}

for (const c of CASES) {
  const folder = path.join(copies, c.dir);
  fs.cpSync(path.join(VARIANTS, c.dir), folder, { recursive: true });
  const modelFile = path.join(folder, 'onnx', 'model.onnx');
  const reference = readReference(c.fixture);
  describe(c.dir, { skip: !reference && `no reference values for ${c.fixture}` }, () => {
    test('has the ops it stands for', () => {
      const ops = new Set(graphOf(modelFile).nodes.map((n) => n.opType));
      for (const op of c.ops) assert.ok(ops.has(op), `${c.dir} has no ${op} node`);
      for (const op of c.absentOps ?? []) assert.ok(!ops.has(op), `${c.dir} still has ${op} nodes`);
    });

    test(c.tolerance ? `every block matches PyTorch within ${c.tolerance}` : 'every block is its own layer, close to PyTorch by cosine', async () => {
      const ref = reference as NonNullable<typeof reference>;
      const config = readModelConfig(folder);
      const tapped = await tapModel({ modelFile, config, blocks: allBlocks(config.numLayers), cacheDir });
      const got = await runTapped(tapped, ref.inputs);
      for (const [block, rows] of got) {
        const expected = ref.features[block] as number[][];
        if (c.tolerance !== undefined) {
          const diff = maxAbsDiff(rows, expected);
          assert.ok(diff <= c.tolerance, `${block}: max abs diff ${diff}`);
          continue;
        }
        const cosines = rowCosines(rows, expected);
        const min = c.minCosine as NonNullable<VariantCase['minCosine']>;
        assert.ok(Math.min(...cosines) >= min.row, `${block}: smallest row cosine ${Math.min(...cosines)}`);
        assert.ok(mean(cosines) >= min.mean, `${block}: mean cosine ${mean(cosines)}`);
        const [layer, kind, pooling] = block.split('.');
        const rivals = Object.keys(ref.features).filter((n) => n !== block && n.endsWith(`.${kind}.${pooling}`));
        for (const other of rivals) {
          const rival = mean(rowCosines(rows, ref.features[other] as number[][]));
          assert.ok(rival < mean(cosines), `${block} resembles ${other} (${rival}) more than ${layer} (${mean(cosines)})`);
        }
      }
    });

    if (c.keepsNames) {
      test('taps the same tensors as the float graph', () => {
        const config = readModelConfig(folder);
        const quantized = findTaps(graphOf(modelFile), config);
        const float = findTaps(graphOf(path.join(FIXTURES, c.fixture, 'onnx', 'model.onnx')), config);
        assert.deepEqual(quantized.act, float.act);
        assert.deepEqual(quantized.hid, float.hid);
      });
    }
  });
}

test('every variant folder has a case', () => {
  const folders = fs.readdirSync(VARIANTS).filter((d) => fs.statSync(path.join(VARIANTS, d)).isDirectory());
  assert.deepEqual(folders.sort(), CASES.map((c) => c.dir).sort());
});
