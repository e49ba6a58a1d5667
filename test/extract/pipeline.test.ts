// extractFeatures with the real pieces (resolution, tokenizer, tapped graph, onnxruntime) on the
// fixture models: reuse of a finished store, the store cache's size cap, bad input, provider fallback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { extractFeatures, type ExtractFeaturesOptions } from '../../src/core/extract';
import type { ExtractProgress } from '../../src/core/extract/progress';
import { readBlock, type DeletedStore } from '../../src/core/extract/store';
import { resolveModel } from '../../src/core/model/resolve';
import type { ProviderFallback } from '../../src/core/model/session';
import { allBlocks, type FeatureBlock } from '../../src/core/neurons';
import type { Reference } from './reference-check';

const FIXTURES = path.join(__dirname, '../fixtures/models');
const REFERENCES = path.join(__dirname, '../fixtures/reference');
const ready = ['bert', 'gpt2'].every((m) => fs.existsSync(path.join(FIXTURES, m, 'onnx/model.onnx')) && fs.existsSync(path.join(REFERENCES, `${m}.json`)));
const skip = !ready && 'fixture models not present (scripts/models/export_all.py)';

function workDir(t: { after: (fn: () => void) => void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stc-pipeline-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function options(model: string, work: string, texts: readonly string[], blocks: readonly FeatureBlock[]): Promise<ExtractFeaturesOptions> {
  return { model: await resolveModel(path.join(FIXTURES, model)), texts, blocks, storeRoot: path.join(work, 'features'), graphCacheDir: path.join(work, 'graphs'), session: { provider: 'cpu' } };
}

function allFinite(data: Float32Array): boolean {
  return data.every((v) => Number.isFinite(v));
}

test('bert with its own tokenizer matches PyTorch; a second run reads the finished store without the model', { skip }, async (t) => {
  const ref = JSON.parse(fs.readFileSync(path.join(REFERENCES, 'bert.json'), 'utf8')) as Reference;
  const work = workDir(t);
  const events: ExtractProgress[] = [];
  const opts = { ...(await options('bert', work, ref.texts, allBlocks(ref.num_layers))), onProgress: (p: ExtractProgress) => events.push(p) };
  const first = await extractFeatures(opts);
  assert.equal(first.provider, 'cpu');
  assert.equal(first.maxLength, 100, 'the fixture tokenizer\'s model_max_length');
  assert.deepEqual([...new Set(events.map((e) => e.stage))], ['preparing', 'tokenizing', 'extracting', 'done']);
  for (const [name, expected] of Object.entries(ref.features)) {
    const m = readBlock(first.store, name);
    const worst = Math.max(...expected.flatMap((row, r) => row.map((v, c) => Math.abs((m.data[r * m.cols + c] ?? NaN) - v))));
    assert.ok(worst <= 1e-4, `${name}: ${worst}`);
  }

  const second = await extractFeatures(opts);
  assert.deepEqual([second.provider, second.batchesRun, second.store.dir], [undefined, 0, first.store.dir]);
  const other = await extractFeatures({ ...opts, maxLength: 8 });
  assert.notEqual(other.store.dir, first.store.dir, 'another maximum length is another store');
});

test('the size cap deletes the store used least recently, reuse counting as use, before a new store is written; a store being read stays', { skip }, async (t) => {
  const work = workDir(t);
  const deleted: DeletedStore[] = [];
  const opts = { ...(await options('bert', work, ['a b', 'c'], [{ kind: 'hid', layer: 1, pooling: 'max' }])), onStoresDeleted: (d: readonly DeletedStore[]) => deleted.push(...d) };
  const extract = async (o: typeof opts) => {
    const result = await extractFeatures(o);
    result.release();
    return result;
  };
  const a = (await extract(opts)).store.dir;
  const b = (await extract({ ...opts, texts: ['d e', 'f'] })).store.dir;
  fs.utimesSync(a, 100, 100);
  fs.utimesSync(b, 200, 200);
  const storeBytes = fs.readdirSync(a).reduce((sum, f) => sum + fs.statSync(path.join(a, f)).size, 0);
  const maxStoreBytes = 2.5 * storeBytes;

  const reused = await extractFeatures({ ...opts, maxStoreBytes });
  assert.deepEqual([reused.store.dir, reused.batchesRun, deleted], [a, 0, []], 'two stores fit');
  assert.ok(fs.statSync(a).mtimeMs > fs.statSync(b).mtimeMs, 'reading touched it');
  const c = (await extract({ ...opts, texts: ['g h', 'i'], maxStoreBytes })).store.dir;
  assert.deepEqual(deleted.map((d) => d.dir), [b], 'the third store made room by deleting the least recently used');
  assert.deepEqual([fs.existsSync(a), fs.existsSync(b), fs.existsSync(c)], [true, false, true]);

  // a is now the least recently used, but still leased by the run that reused it: c goes instead.
  const d = (await extract({ ...opts, texts: ['j k', 'l'], maxStoreBytes })).store.dir;
  assert.deepEqual(deleted.map((s) => s.dir), [b, c]);
  // Released, the lease no longer protects it. (Folder times are set: releasing touches the folder,
  // and file times are too coarse to order two stores touched a moment apart.)
  reused.release();
  fs.utimesSync(a, 300, 300);
  fs.utimesSync(d, 400, 400);
  await extract({ ...opts, texts: ['m n', 'o'], maxStoreBytes });
  assert.deepEqual(deleted.map((s) => s.dir), [b, c, a]);
  assert.ok(fs.existsSync(d));
});

test('bad input: a text far over the maximum length, emoji and other non-BMP text, empty texts', { skip }, async (t) => {
  const work = workDir(t);
  const texts = ['', 'word '.repeat(20_000), '😀🙂 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𓀀', '\u0000\uFFFD', 'ok'];
  const blocks: FeatureBlock[] = [{ kind: 'hid', layer: 3, pooling: 'mean' }, { kind: 'act', layer: 0, pooling: 'max' }];
  for (const model of ['bert', 'gpt2']) {
    // GPT-2 adds no BOS: its empty text has no tokens and gets the stand-in token.
    const result = await extractFeatures(await options(model, path.join(work, model), texts, model === 'bert' ? blocks : [{ kind: 'hid', layer: 2, pooling: 'single' }]));
    for (const b of result.store.blocks) {
      const m = readBlock(result.store, b.name);
      assert.equal(m.rows, texts.length);
      assert.ok(allFinite(m.data), `${model} ${b.name} is finite`);
    }
  }
});

test('a truncated ONNX file is a clear error naming the file', { skip }, async (t) => {
  const work = workDir(t);
  const folder = path.join(work, 'broken-bert');
  fs.cpSync(path.join(FIXTURES, 'bert'), folder, { recursive: true });
  const onnx = path.join(folder, 'onnx/model.onnx');
  fs.truncateSync(onnx, Math.floor(fs.statSync(onnx).size / 2));
  const opts = { ...(await options('bert', work, ['a'], [{ kind: 'hid', layer: 0, pooling: 'mean' }])), model: await resolveModel(folder) };
  await assert.rejects(extractFeatures(opts), (e: Error) => e.message.includes(onnx) && /truncated or corrupt/.test(e.message));
});

test('a GPU provider that cannot start falls back to the CPU, with the reason reported', { skip }, async (t) => {
  const work = workDir(t);
  const reported: ProviderFallback[] = [];
  const opts = await options('bert', work, ['a', 'b c'], [{ kind: 'hid', layer: 1, pooling: 'max' }]);
  const result = await extractFeatures({ ...opts, session: { provider: 'webgpu', intraOpNumThreads: 1 }, onFallback: (f) => reported.push(f) });
  if (result.provider === 'cpu') {
    assert.equal(reported[0]?.provider, 'webgpu');
    assert.deepEqual(result.fallbacks, reported);
  }
  assert.equal(readBlock(result.store, 'L1.hid.max').rows, 2);
});

test('the default model under auto stays on the CPU: CUDA is skipped, not tried, and the reason names the op', { skip: process.platform !== 'linux' && 'auto tries CUDA first on Linux only' }, async (t) => {
  const work = workDir(t);
  const reported: ProviderFallback[] = [];
  const model = await resolveModel(path.join(__dirname, '../../models/all-MiniLM-L6-v2'));
  const result = await extractFeatures({ model, texts: ['a fine film', 'dull'], blocks: [{ kind: 'act', layer: 1, pooling: 'mean' }], storeRoot: path.join(work, 'features'), graphCacheDir: path.join(work, 'graphs'), session: { provider: 'auto', intraOpNumThreads: 1 }, onFallback: (f) => reported.push(f) });
  assert.equal(result.provider, 'cpu');
  assert.deepEqual(result.fallbacks.map((f) => [f.provider, f.outcome]), [['cuda', 'skipped']]);
  assert.match(result.fallbacks[0]?.reason ?? '', /MatMulIntegerToFloat nodes have no cuda kernel/);
  assert.deepEqual(reported, result.fallbacks);
  assert.equal(readBlock(result.store, 'L1.act.mean').rows, 2);
  result.release();
});
