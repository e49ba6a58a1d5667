import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveModel, DEFAULT_MODEL_DIR } from '../../src/core/model/resolve';
import { packageRoot } from '../../src/core/model/package-root';
import { loadTransformers } from '../../src/core/model/runtime';

let tmp: string;
before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stc-resolve-'));
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function writeModel(folder: string, files: Record<string, string>): string {
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(folder, name)), { recursive: true });
    fs.writeFileSync(path.join(folder, name), content);
  }
  return folder;
}

const BASIC = { 'config.json': '{"model_type":"bert"}', 'tokenizer.json': '{}', 'tokenizer_config.json': '{}' };

test('a folder resolves to its best ONNX file, with hashes of every file that shapes the features', async () => {
  const folder = writeModel(path.join(tmp, 'two-dtypes'), { ...BASIC, 'onnx/model.onnx': 'fp32', 'onnx/model_quantized.onnx': 'q8' });
  const m = await resolveModel(folder);
  assert.equal(m.source, 'folder');
  assert.equal(m.onnxFile, path.join(folder, 'onnx/model.onnx'));
  assert.equal(m.dtype, 'fp32');
  assert.deepEqual(m.files.map((f) => f.path), ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx']);
  assert.match(m.sha256, /^[0-9a-f]{64}$/);

  const q8 = await resolveModel(folder, { dtype: 'q8' });
  assert.equal(q8.onnxFile, path.join(folder, 'onnx/model_quantized.onnx'));
  assert.notEqual(q8.sha256, m.sha256);

  fs.writeFileSync(path.join(folder, 'tokenizer.json'), '{"changed":true}');
  assert.notEqual((await resolveModel(folder)).sha256, m.sha256, 'a different tokenizer is a different model');
});

test('external data files and top-level model.onnx are found', async () => {
  const folder = writeModel(path.join(tmp, 'external'), { ...BASIC, 'model.onnx': 'graph', 'model.onnx_data': 'w0', 'model.onnx_data_1': 'w1', 'other.onnx_data': 'x' });
  const m = await resolveModel(folder);
  assert.equal(m.onnxFile, path.join(folder, 'model.onnx'));
  assert.deepEqual(m.externalDataFiles.map((f) => path.basename(f)), ['model.onnx_data', 'model.onnx_data_1']);
  assert.deepEqual(m.files.slice(-3).map((f) => f.path), ['model.onnx', 'model.onnx_data', 'model.onnx_data_1']);
});

test('an explicit ONNX file overrides the naming convention', async () => {
  const folder = writeModel(path.join(tmp, 'custom'), { ...BASIC, 'onnx/decoder_model_merged.onnx': 'g' });
  const m = await resolveModel(folder, { onnxFile: 'onnx/decoder_model_merged.onnx' });
  assert.equal(path.basename(m.onnxFile), 'decoder_model_merged.onnx');
  assert.equal(m.dtype, undefined);
});

test('folders missing a tokenizer, a config or weights get errors that say what was found and what to do', async () => {
  const noTok = writeModel(path.join(tmp, 'no-tok'), { 'config.json': '{}', 'onnx/model.onnx': 'g' });
  await assert.rejects(resolveModel(noTok), /has no tokenizer\.json \(found: config\.json, onnx\/\).*optimum-cli export onnx/);
  const noConfig = writeModel(path.join(tmp, 'no-config'), { 'tokenizer.json': '{}', 'onnx/model.onnx': 'g' });
  await assert.rejects(resolveModel(noConfig), /has no config\.json/);
  const noOnnx = writeModel(path.join(tmp, 'no-onnx'), { ...BASIC, 'onnx/decoder_model_merged.onnx': 'g' });
  await assert.rejects(resolveModel(noOnnx), /no model\*\.onnx file.*It has onnx\/decoder_model_merged\.onnx: .*ONNX file setting/);
  const noDtype = writeModel(path.join(tmp, 'no-fp16'), { ...BASIC, 'onnx/model.onnx': 'g' });
  await assert.rejects(resolveModel(noDtype, { dtype: 'fp16' }), /no model_fp16\.onnx \(dtype fp16\)/);
  await assert.rejects(resolveModel(path.join(tmp, 'does-not-exist')), /does not exist/);
  await assert.rejects(resolveModel('not a model!'), /neither a folder nor a hub id/);
});

test('the embedded default lives under the package root', async () => {
  assert.ok(fs.existsSync(path.join(packageRoot(), 'package.json')));
  const folder = path.join(packageRoot(), DEFAULT_MODEL_DIR);
  if (!fs.existsSync(path.join(folder, 'config.json'))) return; // the default model is added by another change
  const m = await resolveModel('default');
  assert.equal(m.source, 'embedded');
  assert.equal(m.folder, folder);
});

/** A hub served from a local folder through transformers.js's `env.fetch`. */
function fakeHub(root: string, requests: string[]) {
  return (input: string | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input));
    requests.push(url.pathname);
    const m = /^\/(.+)\/resolve\/main\/(.+)$/.exec(url.pathname);
    const file = m ? path.join(root, m[1] ?? '', m[2] ?? '') : '';
    if (url.pathname.startsWith('/gated/')) return Promise.resolve(new Response('', { status: 401 }));
    if (!file || !fs.existsSync(file)) return Promise.resolve(new Response('not found', { status: 404 }));
    const body = fs.readFileSync(file);
    if (new Headers(init?.headers).get('range')) {
      return Promise.resolve(new Response(body.subarray(0, 1), { status: 206, headers: { 'content-range': `bytes 0-0/${body.length}` } }));
    }
    return Promise.resolve(new Response(body, { status: 200, headers: { 'content-length': String(body.length) } }));
  };
}

test('a hub id is downloaded through transformers.js settings into the cache, then resolved offline', async (t) => {
  const hub = path.join(tmp, 'hub');
  writeModel(path.join(hub, 'acme/tiny-bert'), { ...BASIC, 'onnx/model_quantized.onnx': 'q8', 'onnx/model_fp16.onnx': 'fp16' });
  const tf = await loadTransformers(false);
  const saved = { fetch: tf.env.fetch, remoteHost: tf.env.remoteHost };
  t.after(() => Object.assign(tf.env, saved, { allowRemoteModels: false }));
  const requests: string[] = [];
  tf.env.fetch = fakeHub(hub, requests);
  tf.env.remoteHost = 'https://hub.test/';
  const cacheDir = path.join(tmp, 'cache');

  await assert.rejects(resolveModel('acme/tiny-bert', { cacheDir }), /not in the model cache .* downloads are off/);
  assert.equal(requests.length, 0, 'no request while downloads are off');

  const downloads: string[] = [];
  const m = await resolveModel('acme/tiny-bert', { cacheDir, allowRemote: true, onDownload: (p) => downloads.push(p.file) });
  assert.equal(m.source, 'hub');
  assert.equal(m.id, 'acme/tiny-bert');
  assert.equal(m.folder, path.join(cacheDir, 'acme', 'tiny-bert'));
  assert.equal(m.dtype, 'fp16', 'fp32 is absent, fp16 comes next in the preference order');
  assert.equal(fs.readFileSync(m.onnxFile, 'utf8'), 'fp16');
  assert.ok(downloads.includes('onnx/model_fp16.onnx') && downloads.includes('tokenizer.json'));
  assert.ok(!fs.readdirSync(path.join(m.folder, 'onnx')).some((f) => f.includes('.part-')), 'no partial files left');

  requests.length = 0;
  const again = await resolveModel('acme/tiny-bert', { cacheDir });
  assert.equal(again.sha256, m.sha256);
  assert.equal(requests.length, 0, 'a cached model resolves without the network');

  await assert.rejects(resolveModel('gated/llama', { cacheDir, allowRemote: true }), /Unauthorized.*set HF_TOKEN/);
});
