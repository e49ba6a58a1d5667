import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runExtraction, type ExtractionJob } from '../../src/core/extract/runner';
import { openFeatureStore, readBlock } from '../../src/core/extract/store';
import type { StoreLayout } from '../../src/core/extract/store-format';
import { FeatureStoreWriter } from '../../src/core/extract/store-writer';
import type { ExtractProgress } from '../../src/core/extract/progress';
import { decoderLike, encoderLike, expectedFeatures, fakeGraph, fakeRunner } from './fakes';
import { crashLayout, crashLimits, crashTexts } from './crash-shared';

function tmpDir(t: { after: (fn: () => void) => void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stc-run-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const TEXTS = ['a short one', '', 'x'.repeat(500), 'emoji 😀 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢', 'mid length text here', 'b', 'another text of some length'];
const layoutFor = (texts: readonly string[]): StoreLayout => ({ key: 'test', rows: texts.length, blocks: fakeGraph.outputs.map((o) => ({ name: `L${o.block.layer}.${o.block.kind}.${o.block.pooling}`, dim: o.dim })) });

/** Checks every stored row against the fake graph applied to that row's own tokens. */
function assertStoredRowsMatch(dir: string, texts: readonly string[], maxLength: number): void {
  const store = openFeatureStore(dir);
  const mean = readBlock(store, 'L0.hid.mean');
  const max = readBlock(store, 'L1.act.max');
  const ids = (encoderLike.encode(texts, maxLength) as { ids: number[][] }).ids;
  ids.forEach((rowIds, row) => {
    const e = expectedFeatures(rowIds);
    assert.deepEqual(Array.from(mean.data.subarray(row * 2, row * 2 + 2)), Array.from(Float32Array.from(e.f_mean)), `row ${row} mean`);
    assert.deepEqual(Array.from(max.data.subarray(row * 3, row * 3 + 3)), Array.from(Float32Array.from(e.f_max)), `row ${row} max`);
  });
}

function job(texts: readonly string[], store: FeatureStoreWriter, extra: Partial<ExtractionJob> = {}): ExtractionJob {
  return { texts, encoder: encoderLike, maxLength: 64, graph: fakeGraph, run: fakeRunner().run, store, limits: { tokenBudget: 100, maxBatchSize: 3 }, ...extra };
}

test('rows are sorted into token-budget batches and stored back in dataset order; long texts are truncated', async (t) => {
  const dir = path.join(tmpDir(t), 's');
  const store = FeatureStoreWriter.open(dir, layoutFor(TEXTS), { checkpointMs: 0 });
  const fake = fakeRunner();
  const result = await runExtraction(job(TEXTS, store, { run: fake.run }));
  await store.close();
  assert.equal(result.batchesRun, fake.batches.length);
  assert.deepEqual(fake.batches[0], { rows: 1, paddedLength: 64 }, 'the truncated 500-char text first, alone');
  for (const b of fake.batches) assert.ok(b.rows * b.paddedLength <= 100 && b.rows <= 3);
  assert.deepEqual(
    fake.batches.map((b) => b.paddedLength),
    [...fake.batches.map((b) => b.paddedLength)].sort((a, b) => b - a),
    'longest first',
  );
  assert.equal(fake.batches.reduce((n, b) => n + b.rows, 0), TEXTS.length);
  assertStoredRowsMatch(dir, TEXTS, 64);
});

test('an empty text encoding to no tokens gets the stand-in token, or a clear error without one', async (t) => {
  const dir = tmpDir(t);
  const texts = ['abc', ''];
  const store = FeatureStoreWriter.open(path.join(dir, 'a'), layoutFor(texts), { checkpointMs: 0 });
  await runExtraction(job(texts, store, { encoder: decoderLike(7) }));
  await store.close();
  assert.deepEqual(Array.from(readBlock(openFeatureStore(path.join(dir, 'a')), 'L0.hid.mean').data.subarray(2, 4)), [7, 1]);

  const bare = FeatureStoreWriter.open(path.join(dir, 'b'), layoutFor(texts));
  await assert.rejects(runExtraction(job(texts, bare, { encoder: decoderLike(undefined) })), /Row 1 encodes to no tokens and the tokenizer has no BOS, EOS, PAD or UNK token/);
  await bare.close();

  const sloppy = FeatureStoreWriter.open(path.join(dir, 'c'), layoutFor(texts));
  await assert.rejects(runExtraction(job(texts, sloppy, { maxLength: 2, encoder: { encode: (all) => ({ ids: all.map(() => [1, 2, 3, 4, 5]) }) } })), /returned 5 tokens for row 0, more than the maximum length 2: it did not truncate/);
  await sloppy.close();
});

test('progress: rows, batches, rates and an ETA from the clock, ending at done', async (t) => {
  let clock = 0;
  const fake = fakeRunner(() => {
    clock += 1000; // each batch takes one second
  });
  const events: ExtractProgress[] = [];
  const store = FeatureStoreWriter.open(path.join(tmpDir(t), 's'), layoutFor(TEXTS), { checkpointMs: 0 });
  await runExtraction(job(TEXTS, store, { run: fake.run, now: () => clock, onProgress: (p) => events.push(p) }));
  await store.close();

  assert.equal(events[0]?.stage, 'tokenizing');
  const extracting = events.filter((e) => e.stage === 'extracting');
  assert.equal(extracting[0]?.batchesDone, 0);
  assert.equal(extracting[0]?.etaSeconds, undefined);
  const last = events[events.length - 1]!;
  assert.equal(last.stage, 'done');
  assert.equal(last.rowsDone, TEXTS.length);
  assert.equal(last.rowsTotal, TEXTS.length);
  assert.equal(last.batchesDone, fake.batches.length);
  assert.equal(last.etaSeconds, 0);
  assert.equal(last.rowsPerSecond, TEXTS.length / fake.batches.length);
  const realTokens = (encoderLike.encode(TEXTS, 64) as { ids: number[][] }).ids.reduce((n, ids) => n + ids.length, 0);
  assert.equal(last.tokensPerSecond, realTokens / fake.batches.length);
  for (let i = 1; i < extracting.length; i++) {
    assert.ok((extracting[i]?.rowsDone ?? 0) > (extracting[i - 1]?.rowsDone ?? 0), 'rows only grow');
    assert.ok((extracting[i]?.etaSeconds ?? -1) >= 0);
  }
});

test('cancellation stops between batches; a re-run computes only the rest', async (t) => {
  const dir = path.join(tmpDir(t), 's');
  const controller = new AbortController();
  const first = fakeRunner();
  const store = FeatureStoreWriter.open(dir, layoutFor(TEXTS), { checkpointMs: 60_000 });
  await assert.rejects(
    runExtraction(job(TEXTS, store, { run: first.run, signal: controller.signal, onProgress: (p) => p.batchesDone === 2 && controller.abort() })),
    (e: Error) => e.name === 'AbortError',
  );
  await store.close();
  // The third batch was already running beside the second's storing when the abort came: it is
  // awaited and dropped, never stored; no fourth starts.
  assert.equal(first.batches.length, 3, 'only the batch in flight ran after the abort');

  const second = fakeRunner();
  const again = FeatureStoreWriter.open(dir, layoutFor(TEXTS), { checkpointMs: 60_000 });
  const result = await runExtraction(job(TEXTS, again, { run: second.run }));
  await again.close();
  const rowsBefore = first.batches.slice(0, 2).reduce((n, b) => n + b.rows, 0);
  assert.equal(result.rowsResumed, rowsBefore, 'finished batches were kept even with a long checkpoint interval');
  assert.equal(second.batches.reduce((n, b) => n + b.rows, 0), TEXTS.length - rowsBefore, 'nothing recomputed');
  assertStoredRowsMatch(dir, TEXTS, 64);

  // A finished store is not even tokenised again.
  const done = FeatureStoreWriter.open(dir, layoutFor(TEXTS));
  const encode = t.mock.fn((texts: readonly string[], maxLength: number) => encoderLike.encode(texts, maxLength));
  const noop = await runExtraction(job(TEXTS, done, { encoder: { ...encoderLike, encode } }));
  await done.close();
  assert.deepEqual([noop.batchesRun, noop.rowsResumed, encode.mock.callCount()], [0, TEXTS.length, 0]);
});

test('a bad batch fails the run while the next is in flight: the error is the bad batch\'s, and the failing run behind it is awaited, never an unhandled rejection', async (t) => {
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);
  process.on('unhandledRejection', onUnhandled);
  t.after(() => process.off('unhandledRejection', onUnhandled));
  const store = FeatureStoreWriter.open(path.join(tmpDir(t), 's'), layoutFor(TEXTS), { checkpointMs: 0 });
  const good = fakeRunner();
  let calls = 0;
  const run: ExtractionJob['run'] = async (feeds, names) => {
    const index = calls++;
    if (index === 1) throw new Error('second batch failed');
    const out = await good.run(feeds, names);
    return index === 0 ? { ...out, f_mean: new Float32Array(1) } : out;
  };
  await assert.rejects(runExtraction(job(TEXTS, store, { run })), /Graph output f_mean .* gave 1 values/);
  await store.close();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(calls, 2, 'the second batch had started beside the first one\'s storing');
  assert.deepEqual(unhandled, []);
});

test('after a crash (the process killed mid-run) finished batches are not recomputed', async (t) => {
  const dir = path.join(tmpDir(t), 'crash');
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'crash-child.ts'), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    child.on('exit', (code) => reject(new Error(`child exited early with ${code}`)));
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  assert.ok(fs.existsSync(path.join(dir, 'lock')), 'the dead process left its lock behind');

  const fake = fakeRunner();
  const store = FeatureStoreWriter.open(dir, crashLayout, { checkpointMs: 0 });
  const result = await runExtraction({ texts: crashTexts, encoder: encoderLike, maxLength: 32, graph: fakeGraph, run: fake.run, store, limits: crashLimits });
  await store.close();
  assert.ok(result.rowsResumed > 0);
  assert.equal(fake.batches.reduce((n, b) => n + b.rows, 0), crashTexts.length - result.rowsResumed, 'only unfinished rows ran');

  // The child finished exactly three batches; the same plan from scratch has three more.
  const fresh = fakeRunner();
  const freshStore = FeatureStoreWriter.open(path.join(tmpDir(t), 'fresh'), crashLayout, { checkpointMs: 0 });
  await runExtraction({ texts: crashTexts, encoder: encoderLike, maxLength: 32, graph: fakeGraph, run: fresh.run, store: freshStore, limits: crashLimits });
  await freshStore.close();
  assert.equal(result.batchesRun, fresh.batches.length - 3);
  assertStoredRowsMatch(dir, crashTexts, 32);
});
