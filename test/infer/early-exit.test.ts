// The early-exit graph itself: later blocks and their weights are pruned away, the two neuron
// outputs are the only outputs, and a built graph is reused from the cache.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseNeuronName } from '../../src/core/neurons';
import { analyseModel, readModelConfig } from '../../src/core/onnx';
import { POOLED_OUTPUT, earlyExitGraph } from '../../src/core/onnx/early-exit';
import { decodeModel } from '../../src/core/onnx/schema';
import { FIXTURES, tempDir } from './helpers';

const CASES = [
  { fixture: 'bert', onnxFile: 'onnx/model.onnx', neurons: ['L0.act.mean#1', 'L1.hid.max#3', 'L0.hid.single#0'], keptBlocks: 1 },
  { fixture: 'bert', onnxFile: 'onnx/model.onnx', neurons: ['L1.act.max#1', 'L2.hid.mean#3'], keptBlocks: 2 },
  { fixture: 'gpt2', onnxFile: 'onnx/decoder_model_merged.onnx', neurons: ['L0.act.mean#1', 'L1.hid.single#3'], keptBlocks: 1 },
  { fixture: 'llama', onnxFile: 'onnx/decoder_model_merged.onnx', neurons: ['L0.hid.max#4', 'L0.act.single#7', 'L1.hid.mean#2'], keptBlocks: 1 },
];

for (const c of CASES) {
  const folder = path.join(FIXTURES, c.fixture);
  const modelFile = path.join(folder, c.onnxFile);
  test(`${c.fixture} ${c.onnxFile} cut after block ${c.keptBlocks - 1}: later blocks and their weights are gone`, { skip: !fs.existsSync(modelFile) && 'fixture not present' }, async () => {
    const cacheDir = tempDir();
    try {
      const config = readModelConfig(folder);
      const g = await earlyExitGraph({ modelFile, config, modelSha256: `test-${c.fixture}`, neurons: c.neurons.map(parseNeuronName), cacheDir });
      const original = analyseModel(modelFile, config, fs.readFileSync(modelFile));
      const pruned = decodeModel(fs.readFileSync(g.modelPath)).graph ?? {};
      const nodes = new Set((pruned.node ?? []).map((n) => n.name));
      const initializers = new Set((pruned.initializer ?? []).map((t) => t.name));
      // The pooled neurons, then one per-token output per tapped tensor (kind at a layer).
      const tapped = [...new Set(c.neurons.map((name) => /^L(\d+)\.(hid|act)/.exec(name)).map((m) => `stc/neurons/tokens/${m?.[2]}${m?.[1]}`))];
      assert.deepEqual((pruned.output ?? []).map((o) => o.name), [POOLED_OUTPUT, ...tapped]);
      assert.deepEqual([...new Set(g.tokens.map((t) => t.output))], tapped);
      assert.deepEqual(g.neurons, c.neurons);
      original.taps.downProjections.forEach((name, l) => {
        const down = original.graph.nodes.find((n) => n.name === name);
        const weight = down?.inputs[1] as string;
        const kept = l < c.keptBlocks;
        assert.equal(nodes.has(name), kept, `block ${l}'s down projection ${name}`);
        if (original.graph.initializers.has(weight)) assert.equal(initializers.has(weight), kept, `block ${l}'s down projection weight ${weight}`);
      });
      assert.ok(fs.statSync(g.modelPath).size < fs.statSync(modelFile).size, 'the pruned file is smaller');
      // The original nodes the graph kept (ours are named stc/...) are fewer than the model's.
      const originalKept = (pruned.node ?? []).filter((n) => !(n.name ?? '').startsWith('stc/')).length;
      assert.ok(originalKept < original.graph.nodes.length, `${originalKept} of ${original.graph.nodes.length} nodes kept`);
      // Inputs nothing reads any more (use_cache_branch, past key/values) are gone.
      assert.ok(g.inputs.every((i) => i.role !== 'use_cache_branch' && i.role !== 'past_key_values'));
      assert.ok(g.inputs.some((i) => i.role === 'input_ids') && g.masked);
    } finally {
      fs.rmSync(cacheDir, { recursive: true, force: true });
    }
  });
}

test('a built graph is reused from the cache; another neuron set gets its own', async () => {
  const folder = path.join(FIXTURES, 'bert');
  const modelFile = path.join(folder, 'onnx/model.onnx');
  const cacheDir = tempDir();
  try {
    const config = readModelConfig(folder);
    const neurons = ['L0.act.mean#1', 'L1.hid.max#3'].map(parseNeuronName);
    const first = await earlyExitGraph({ modelFile, config, modelSha256: 'test-bert', neurons, cacheDir });
    const before = fs.statSync(first.modelPath);
    const second = await earlyExitGraph({ modelFile, config, modelSha256: 'test-bert', neurons, cacheDir });
    const after = fs.statSync(second.modelPath);
    assert.deepEqual(second, first);
    assert.equal(after.ino, before.ino, 'not rewritten');
    assert.equal(after.mtimeMs, before.mtimeMs, 'not rewritten');
    const other = await earlyExitGraph({ modelFile, config, modelSha256: 'test-bert', neurons: [...neurons].reverse(), cacheDir });
    assert.notEqual(other.modelPath, first.modelPath);
    const otherModel = await earlyExitGraph({ modelFile, config, modelSha256: 'another-model', neurons, cacheDir });
    assert.notEqual(otherModel.modelPath, first.modelPath);
  } finally {
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
});

test('the default model: CPU-bound ops listed while a block is kept, none when only the embeddings are', async () => {
  const folder = path.join(__dirname, '../../models/all-MiniLM-L6-v2');
  const modelFile = path.join(folder, 'onnx/model_quantized.onnx');
  const cacheDir = tempDir();
  try {
    const config = readModelConfig(folder);
    const open = (names: string[]) => earlyExitGraph({ modelFile, config, modelSha256: 'test-default', neurons: names.map(parseNeuronName), cacheDir });
    assert.deepEqual((await open(['L2.act.max#5', 'L0.hid.mean#1'])).cpuBoundOps, ['MatMulIntegerToFloat']);
    assert.deepEqual((await open(['L2.act.max#5', 'L0.hid.mean#1'])).cpuBoundOps, ['MatMulIntegerToFloat'], 'from the cache');
    assert.deepEqual((await open(['L0.hid.mean#1'])).cpuBoundOps, []);
  } finally {
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
});

test('neurons outside the model are refused with the valid ranges', async () => {
  const folder = path.join(FIXTURES, 'bert');
  const config = readModelConfig(folder);
  const cacheDir = tempDir();
  try {
    for (const [name, message] of [['L4.hid.mean#0', /hid layers run from 0 to 3/], ['L3.act.max#0', /act layers run from 0 to 2/], ['L0.hid.single#32', /indices from 0 to 31/]] as const) {
      await assert.rejects(earlyExitGraph({ modelFile: path.join(folder, 'onnx/model.onnx'), config, modelSha256: 'x', neurons: [parseNeuronName(name)], cacheDir }), message);
    }
    await assert.rejects(earlyExitGraph({ modelFile: path.join(folder, 'onnx/model.onnx'), config, modelSha256: 'x', neurons: [], cacheDir }), /no neurons/);
  } finally {
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
});
