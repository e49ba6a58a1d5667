import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseModelConfig, readModelConfig } from '../../src/core/onnx';
import { FIXTURES, tempCacheDir } from './helpers';

const scratch = tempCacheDir();
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

test('each family spells the three sizes its own way', () => {
  const bert = parseModelConfig({ model_type: 'bert', architectures: ['BertModel'], num_hidden_layers: 12, hidden_size: 768, intermediate_size: 3072 }, 'c');
  assert.deepEqual([bert.numLayers, bert.hiddenSize, bert.intermediateSize, bert.decoder], [12, 768, 3072, false]);
  const distil = parseModelConfig({ model_type: 'distilbert', n_layers: 6, dim: 768, hidden_dim: 3072 }, 'c');
  assert.deepEqual([distil.numLayers, distil.hiddenSize, distil.intermediateSize, distil.decoder], [6, 768, 3072, false]);
  assert.deepEqual(distil.keys, { numLayers: 'n_layers', hiddenSize: 'dim', intermediateSize: 'hidden_dim' });
  const gpt2 = parseModelConfig({ model_type: 'gpt2', architectures: ['GPT2LMHeadModel'], n_layer: 12, n_embd: 768, n_inner: null }, 'c');
  assert.deepEqual([gpt2.numLayers, gpt2.hiddenSize, gpt2.intermediateSize, gpt2.decoder], [12, 768, 3072, true]);
  const llama = parseModelConfig({ model_type: 'llama', architectures: ['LlamaForCausalLM'], num_hidden_layers: 2, hidden_size: 32, intermediate_size: 88 }, 'c');
  assert.deepEqual([llama.intermediateSize, llama.decoder], [88, true]);
  const qwenNoArch = parseModelConfig({ model_type: 'qwen2', num_hidden_layers: 2, hidden_size: 32, intermediate_size: 56 }, 'c');
  assert.equal(qwenNoArch.decoder, true);
  const nested = parseModelConfig({ model_type: 'llava', text_config: { model_type: 'llama', num_hidden_layers: 3, hidden_size: 16, intermediate_size: 40 } }, 'c');
  assert.deepEqual([nested.numLayers, nested.modelType], [3, 'llama']);
});

test('every fixture config reads', () => {
  const expected: Record<string, [number, number, number, boolean]> = {
    bert: [3, 32, 64, false],
    distilbert: [2, 32, 72, false],
    gpt2: [2, 32, 128, true],
    llama: [2, 32, 88, true],
    qwen2: [2, 32, 56, true],
    roberta: [2, 32, 48, false],
  };
  for (const [name, sizes] of Object.entries(expected)) {
    const c = readModelConfig(path.join(FIXTURES, name));
    assert.deepEqual([c.numLayers, c.hiddenSize, c.intermediateSize, c.decoder], sizes, name);
  }
});

test('a config without sizes, bad JSON or no config.json say which file and what is missing', () => {
  assert.throws(() => parseModelConfig({ model_type: 'x', hidden_size: 4 }, 'here/config.json'), /here\/config\.json: cannot find the layer count \(num_hidden_layers, n_layer or n_layers\)/);
  fs.writeFileSync(path.join(scratch, 'config.json'), '{ "model_type": ');
  assert.throws(() => readModelConfig(scratch), /config\.json: not valid JSON/);
  fs.writeFileSync(path.join(scratch, 'config.json'), '[1]');
  assert.throws(() => readModelConfig(scratch), /config\.json: expected a JSON object/);
  assert.throws(() => readModelConfig(path.join(scratch, 'nowhere')), /nowhere\/config\.json: cannot read the model's config\.json/);
});
