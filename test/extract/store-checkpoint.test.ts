// Checkpoints flush the block files in the background; these tests hold the flushes at a gate to
// see what is recorded, and when, around them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { runExtraction } from '../../src/core/extract/runner';
import { openFeatureStore, readBlock } from '../../src/core/extract/store';
import type { StoreLayout } from '../../src/core/extract/store-format';
import { FeatureStoreWriter } from '../../src/core/extract/store-writer';
import { encoderLike, fakeGraph, fakeRunner } from './fakes';

function tmpDir(t: { after: (fn: () => void) => void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stc-checkpoint-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const LAYOUT: StoreLayout = { key: 'k1', rows: 4, blocks: [{ name: 'L0.hid.mean', dim: 3 }, { name: 'L2.act.max', dim: 2 }] };
const ORDER = Int32Array.from([2, 0, 3, 1]);
const meanRow = (r: number) => [10 * r, 10 * r + 1, 10 * r + 2];

function writeBatch(w: FeatureStoreWriter, from: number, to: number): void {
  const rows = Array.from(ORDER.subarray(from, to));
  w.writeRows('L0.hid.mean', from, Float32Array.from(rows.flatMap(meanRow)));
  w.writeRows('L2.act.max', from, Float32Array.from(rows.flatMap((r) => [-r, r])));
  w.markDone({ from, to });
}

const fdatasync = promisify(fs.fdatasync);

/** A flush that waits at a gate, then really flushes (so a file closed under it fails with EBADF). */
function gatedSync(): { sync: (fd: number) => Promise<void>; open: () => void; calls: () => number } {
  let open = () => {};
  const gate = new Promise<void>((resolve) => (open = resolve));
  let calls = 0;
  const sync = async (fd: number) => {
    calls++;
    await gate;
    await fdatasync(fd);
  };
  return { sync, open: () => open(), calls: () => calls };
}

/** Lets the event loop run: a held flush cannot finish meanwhile, whatever the machine's speed. */
const turns = () => new Promise((resolve) => setTimeout(resolve, 50));

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.ok(condition(), what);
}

const progressLines = (dir: string) => fs.readFileSync(path.join(dir, 'progress.jsonl'), 'utf8').trim().split('\n').slice(1);

test('a range is recorded only once the flush that began after its rows were written has finished', async (t) => {
  const dir = path.join(tmpDir(t), 'k1');
  const gate = gatedSync();
  const w = FeatureStoreWriter.open(dir, LAYOUT, { checkpointMs: 0, sync: gate.sync });
  w.resume(ORDER);
  writeBatch(w, 0, 2);
  assert.equal(gate.calls(), 2, 'markDone started flushing both block files');
  writeBatch(w, 2, 4); // written while the flush is in flight
  assert.equal(gate.calls(), 2, 'one checkpoint at a time');
  await turns();
  assert.deepEqual(progressLines(dir), [], 'nothing recorded before the flush finishes');

  gate.open();
  await until(() => progressLines(dir).length > 0, 'the first checkpoint is recorded');
  assert.deepEqual(progressLines(dir), ['{"from":0,"to":2}'], 'not the rows written after its flush began');
  await w.checkpoint();
  assert.equal(gate.calls(), 4);
  assert.deepEqual(progressLines(dir), ['{"from":0,"to":2}', '{"from":2,"to":4}']);
  await w.close();
});

test('close() during a checkpoint waits for it, records the rest, and a reopened store resumes after both', async (t) => {
  const dir = path.join(tmpDir(t), 'k1');
  const gate = gatedSync();
  const w = FeatureStoreWriter.open(dir, LAYOUT, { checkpointMs: 0, sync: gate.sync });
  w.resume(ORDER);
  writeBatch(w, 0, 2);
  writeBatch(w, 2, 4);
  const closing = w.close();
  await turns();
  assert.ok(fs.existsSync(path.join(dir, 'lock')), 'files and lock are kept while a flush is in flight');
  assert.deepEqual(progressLines(dir), []);
  gate.open();
  await closing;
  assert.equal(fs.existsSync(path.join(dir, 'lock')), false);
  assert.deepEqual(progressLines(dir), ['{"from":0,"to":2}', '{"from":2,"to":4}']);

  const again = FeatureStoreWriter.open(dir, LAYOUT);
  assert.deepEqual(again.resume(ORDER), [{ from: 0, to: 4 }]);
  await again.complete();
  await again.close();
  assert.deepEqual(Array.from(readBlock(openFeatureStore(dir), 'L0.hid.mean').data), [0, 1, 2, 3].flatMap(meanRow));
});

test('a run cancelled while a checkpoint is in flight keeps its finished batches', async (t) => {
  const dir = path.join(tmpDir(t), 's');
  const texts = ['one', 'two two', 'three three three', 'four', 'five five', 'six', 'seven seven seven seven'];
  const layout: StoreLayout = { key: 'run', rows: texts.length, blocks: fakeGraph.outputs.map((o) => ({ name: `L${o.block.layer}.${o.block.kind}.${o.block.pooling}`, dim: o.dim })) };
  const job = { texts, encoder: encoderLike, maxLength: 64, graph: fakeGraph, limits: { tokenBudget: 40, maxBatchSize: 2 } };
  const gate = gatedSync();
  const controller = new AbortController();
  const first = fakeRunner();
  const store = FeatureStoreWriter.open(dir, layout, { checkpointMs: 0, sync: gate.sync });
  await assert.rejects(
    runExtraction({ ...job, run: first.run, store, signal: controller.signal, onProgress: (p) => p.batchesDone === 2 && controller.abort() }),
    (e: Error) => e.name === 'AbortError',
  );
  const closing = store.close();
  gate.open();
  await closing;

  const second = fakeRunner();
  const again = FeatureStoreWriter.open(dir, layout);
  const result = await runExtraction({ ...job, run: second.run, store: again });
  await again.close();
  const rowsBefore = first.batches.slice(0, 2).reduce((n, b) => n + b.rows, 0);
  assert.equal(first.batches.length, 3, 'the batch in flight at the abort ran, and was dropped');
  assert.equal(result.rowsResumed, rowsBefore, 'both finished batches were kept');
  assert.equal(second.batches.reduce((n, b) => n + b.rows, 0), texts.length - rowsBefore, 'nothing recomputed');
});

test('a failed flush is an error of the next call, records nothing, and is never an unhandled rejection', async (t) => {
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);
  process.on('unhandledRejection', onUnhandled);
  t.after(() => process.off('unhandledRejection', onUnhandled));
  const eio = () => Promise.reject(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
  const failure = /Feature store .*k1: flushing L0\.hid\.mean\.f32 to disk failed \(EIO: i\/o error, fdatasync\)\. The batches finished since its last checkpoint are not recorded, nor any later\. Check the disk \(free space, I\/O errors\), then run the extraction again: it resumes from the last checkpoint\./;

  const dir = path.join(tmpDir(t), 'k1');
  const w = FeatureStoreWriter.open(dir, LAYOUT, { checkpointMs: 0, sync: eio });
  w.resume(ORDER);
  writeBatch(w, 0, 2);
  await turns();
  assert.throws(() => writeBatch(w, 2, 4), failure);
  await assert.rejects(w.complete(), failure);
  await assert.rejects(w.close(), failure);
  assert.equal(fs.existsSync(path.join(dir, 'lock')), false, 'the files and the lock are released all the same');
  assert.deepEqual(progressLines(dir), [], 'no range recorded');
  const again = FeatureStoreWriter.open(dir, LAYOUT);
  assert.deepEqual(again.resume(ORDER), []);
  await again.close();

  // Through the runner: the run fails with the same error.
  const texts = ['a', 'bb', 'ccc'];
  const layout: StoreLayout = { key: 'run', rows: texts.length, blocks: fakeGraph.outputs.map((o) => ({ name: `L${o.block.layer}.${o.block.kind}.${o.block.pooling}`, dim: o.dim })) };
  const store = FeatureStoreWriter.open(path.join(tmpDir(t), 'k1'), layout, { checkpointMs: 0, sync: eio });
  const runFailure = /Feature store .*k1: flushing L0\.hid\.mean\.f32 to disk failed \(EIO/;
  await assert.rejects(runExtraction({ texts, encoder: encoderLike, maxLength: 64, graph: fakeGraph, run: fakeRunner().run, store, limits: { tokenBudget: 10, maxBatchSize: 1 } }), runFailure);
  await assert.rejects(store.close(), runFailure);
  await turns();
  assert.deepEqual(unhandled, []);
});
