import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fetchHubModel, hubEndpoint } from '../../src/core/model/hub';
import { loadTransformers } from '../../src/core/model/runtime';

test('HF_ENDPOINT is read as a host with a trailing slash; unset or blank means the default', () => {
  assert.equal(hubEndpoint({}), undefined);
  assert.equal(hubEndpoint({ HF_ENDPOINT: '  ' }), undefined);
  assert.equal(hubEndpoint({ HF_ENDPOINT: 'https://hf-mirror.example' }), 'https://hf-mirror.example/');
  assert.equal(hubEndpoint({ HF_ENDPOINT: 'http://127.0.0.1:8080/hub/' }), 'http://127.0.0.1:8080/hub/');
  assert.throws(() => hubEndpoint({ HF_ENDPOINT: 'hf-mirror.example' }), /HF_ENDPOINT is "hf-mirror\.example", which is not a URL/);
  assert.throws(() => hubEndpoint({ HF_ENDPOINT: 'ftp://hf-mirror.example' }), /use an http:\/\/ or https:\/\/ address/);
});

test('a download goes to the HF_ENDPOINT host, never to huggingface.co', async (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'stc-hub-'));
  const model = path.join(root, 'hub/acme/tiny');
  fs.mkdirSync(path.join(model, 'onnx'), { recursive: true });
  for (const [file, content] of Object.entries({ 'config.json': '{"model_type":"bert"}', 'tokenizer.json': '{}', 'tokenizer_config.json': '{}', 'onnx/model.onnx': 'graph' })) {
    fs.writeFileSync(path.join(model, file), content);
  }
  const tf = await loadTransformers(false);
  const saved = { fetch: tf.env.fetch, remoteHost: tf.env.remoteHost };
  const savedEndpoint = process.env.HF_ENDPOINT;
  t.after(() => {
    Object.assign(tf.env, saved, { allowRemoteModels: false });
    if (savedEndpoint === undefined) delete process.env.HF_ENDPOINT;
    else process.env.HF_ENDPOINT = savedEndpoint;
    fs.rmSync(root, { recursive: true, force: true });
  });
  const hosts = new Set<string>();
  tf.env.fetch = (input: string | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input));
    hosts.add(url.host);
    const m = /^\/mirror\/(.+)\/resolve\/main\/(.+)$/.exec(url.pathname);
    const file = m ? path.join(root, 'hub', m[1] ?? '', m[2] ?? '') : '';
    if (!file || !fs.existsSync(file)) return Promise.resolve(new Response('not found', { status: 404 }));
    const body = fs.readFileSync(file);
    if (new Headers(init?.headers).get('range')) {
      return Promise.resolve(new Response(body.subarray(0, 1), { status: 206, headers: { 'content-range': `bytes 0-0/${body.length}` } }));
    }
    return Promise.resolve(new Response(body, { status: 200, headers: { 'content-length': String(body.length) } }));
  };
  process.env.HF_ENDPOINT = 'http://mirror.test/mirror';

  const folder = await fetchHubModel('acme/tiny', { cacheDir: path.join(root, 'cache') });
  assert.equal(fs.readFileSync(path.join(folder, 'onnx/model.onnx'), 'utf8'), 'graph');
  assert.deepEqual([...hosts], ['mirror.test']);
});
