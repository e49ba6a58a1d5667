// Finding the ops that keep a graph on the CPU under most GPU providers (CPU_BOUND_OPS), in a graph
// built here and in the tapped graphs, where the cached manifest must carry them too.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readModelConfig, tapModel } from '../../src/core/onnx';
import { cpuBoundOps } from '../../src/core/onnx/cpu-bound';
import { Graph } from '../../src/core/onnx/graph';
import type { NodeProto } from '../../src/core/onnx/schema';
import { VARIANTS, tempCacheDir } from './helpers';

const cacheDir = tempCacheDir();
after(() => fs.rmSync(cacheDir, { recursive: true, force: true }));

function node(opType: string, domain: string, input: string, output: string): NodeProto {
  return { op_type: opType, domain, name: output, input: [input, 'w'], output: [output] };
}

test('the CPU-bound op types of a graph: com.microsoft ones only, each once, in CPU_BOUND_OPS order', () => {
  const graph = new Graph({
    input: [{ name: 'x' }],
    initializer: [{ name: 'w', dims: [2, 2], data_type: 3 }],
    node: [
      node('DynamicQuantizeMatMul', 'com.microsoft', 'x', 'a'),
      node('MatMulInteger', '', 'a', 'b'),
      node('MatMulIntegerToFloat', 'com.microsoft', 'b', 'c'),
      node('MatMulIntegerToFloat', 'com.microsoft', 'c', 'd'),
      // Same name, another domain: not ONNX Runtime's contrib op.
      node('MatMulIntegerToFloat', 'example.custom', 'd', 'e'),
    ],
    output: [{ name: 'e' }],
  });
  assert.deepEqual(cpuBoundOps(graph), ['MatMulIntegerToFloat', 'DynamicQuantizeMatMul']);
  assert.deepEqual(cpuBoundOps(new Graph({ input: [{ name: 'x' }], node: [node('MatMul', '', 'x', 'y')], output: [{ name: 'y' }] })), []);
});

test('the tapped graph carries the list, fresh and from the cache: empty for products by MatMulInteger', async () => {
  const folder = path.join(VARIANTS, 'bert-int8');
  const hid1 = { kind: 'hid', layer: 1, pooling: 'mean' } as const;
  const opts = { modelFile: path.join(folder, 'onnx/model.onnx'), config: readModelConfig(folder), blocks: [hid1], cacheDir };
  const fresh = await tapModel(opts);
  assert.deepEqual(fresh.cpuBoundOps, []);
  assert.deepEqual((await tapModel(opts)).cpuBoundOps, []);
});
