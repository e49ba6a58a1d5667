// Inputs a user can get wrong: damaged files, a config.json of another model, graphs that are not
// transformers, impossible requests. Each must fail with a message saying what and where.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readModelConfig, tapModel, type ModelConfig } from '../../src/core/onnx';
import { classifyInputs } from '../../src/core/onnx/inputs';
import { DataType } from '../../src/core/onnx/schema';
import { FIXTURES, tempCacheDir } from './helpers';

const cacheDir = tempCacheDir();
const scratch = tempCacheDir();
after(() => {
  fs.rmSync(cacheDir, { recursive: true, force: true });
  fs.rmSync(scratch, { recursive: true, force: true });
});

const BERT = path.join(FIXTURES, 'bert', 'onnx', 'model.onnx');
const bertConfig = readModelConfig(path.join(FIXTURES, 'bert'));
const hid0 = [{ kind: 'hid', layer: 0, pooling: 'mean' }] as const;

function writeScratch(name: string, bytes: Uint8Array): string {
  const file = path.join(scratch, name);
  fs.writeFileSync(file, bytes);
  return file;
}

async function tapError(modelFile: string, config: ModelConfig = bertConfig): Promise<string> {
  try {
    await tapModel({ modelFile, config, blocks: [...hid0], cacheDir });
  } catch (e) {
    return (e as Error).message;
  }
  assert.fail(`tapping ${modelFile} succeeded`);
}

test('a truncated ONNX file is reported as such, with the file named', async () => {
  const bytes = fs.readFileSync(BERT);
  const file = writeScratch('truncated.onnx', bytes.subarray(0, Math.floor(bytes.length * 0.6)));
  const message = await tapError(file);
  assert.match(message, /truncated\.onnx: not a readable ONNX model/);
  assert.match(message, /truncated or corrupt/);
});

test('random bytes and an empty file are not ONNX models', async () => {
  const noise = Buffer.alloc(4096);
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 7919 + 13) % 251;
  assert.match(await tapError(writeScratch('noise.onnx', noise)), /noise\.onnx: not a readable ONNX model/);
  assert.match(await tapError(writeScratch('empty.onnx', new Uint8Array())), /empty\.onnx: not a readable ONNX model/);
});

test('a config with more layers than the graph names both counts', async () => {
  const message = await tapError(BERT, { ...bertConfig, numLayers: 4 });
  assert.match(message, /model\.onnx: found 3 FFN down projections \(matmuls with weight \[64, 32\] = \[intermediate_size, hidden_size\]\), config\.json says num_hidden_layers=4/);
});

test('a config with another FFN size lists the weight shapes the graph has', async () => {
  const message = await tapError(BERT, { ...bertConfig, intermediateSize: 128 });
  assert.match(message, /found 0 FFN down projections \(matmuls with weight \[128, 32\]/);
  assert.match(message, /3 x \[64, 32\]/);
  assert.match(message, /different models/);
});

test('a graph that is no transformer is refused, not tapped somewhere', async () => {
  const gpt2 = readModelConfig(path.join(FIXTURES, 'gpt2'));
  // The bert graph under a GPT-2 config: no [128, 32] projections.
  assert.match(await tapError(BERT, gpt2), /found 0 FFN down projections/);
});

test('requests outside the model are refused before any work', async () => {
  await assert.rejects(tapModel({ modelFile: BERT, config: bertConfig, blocks: [{ kind: 'act', layer: 3, pooling: 'max' }], cacheDir }), /L3\.act\.max: the model has 3 layers, so act layers run from 0 to 2/);
  await assert.rejects(tapModel({ modelFile: BERT, config: bertConfig, blocks: [{ kind: 'hid', layer: 4, pooling: 'max' }], cacheDir }), /hid layers run from 0 to 3/);
  await assert.rejects(tapModel({ modelFile: BERT, config: bertConfig, blocks: [], cacheDir }), /no feature blocks requested/);
});

test('a missing model file names the path', async () => {
  await assert.rejects(tapModel({ modelFile: path.join(scratch, 'absent.onnx'), config: bertConfig, blocks: [...hid0], cacheDir }), /absent\.onnx: the model file does not exist/);
});

test('inputs a text model cannot feed are named with the ones it can', () => {
  const ids = { name: 'input_ids', elemType: DataType.INT64, shape: ['batch', 'seq'] };
  assert.throws(() => classifyInputs([ids, { name: 'pixel_values', elemType: DataType.FLOAT, shape: [1, 3, 224, 224] }], 'm.onnx'), /m\.onnx: the graph needs an input "pixel_values".*input_ids, attention_mask/);
  assert.throws(() => classifyInputs([{ name: 'attention_mask', elemType: DataType.INT64, shape: ['b', 's'] }], 'm.onnx'), /m\.onnx: the graph has no input_ids input/);
});
