import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { exportBlockNpy, isStoreComplete, openFeatureStore, pruneOutdatedStores, pruneStoreCache, readBlock, type DeletedStore } from '../../src/core/extract/store';
import type { StoreLayout } from '../../src/core/extract/store-format';
import { leaseForReading } from '../../src/core/extract/store-lock';
import { FeatureStoreWriter } from '../../src/core/extract/store-writer';
import { npyHeader } from '../../src/core/extract/npy';
import { mulberry32 } from '../../src/core/random';

function tmpDir(t: { after: (fn: () => void) => void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stc-store-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const LAYOUT: StoreLayout = { key: 'k1', rows: 4, blocks: [{ name: 'L0.hid.mean', dim: 3 }, { name: 'L2.act.max', dim: 2 }], info: { model: 'tiny' } };
/** Sorted position -> dataset row, as the runner's length sort gives it. */
const ORDER = Int32Array.from([2, 0, 3, 1]);
/** Row r of L0.hid.mean is [10r, 10r+1, 10r+2]; of L2.act.max [-r, r]. */
const meanRow = (r: number) => [10 * r, 10 * r + 1, 10 * r + 2];
const maxRow = (r: number) => [-r, r];

function writeBatch(w: FeatureStoreWriter, from: number, to: number): void {
  const rows = Array.from(ORDER.subarray(from, to));
  w.writeRows('L0.hid.mean', from, Float32Array.from(rows.flatMap(meanRow)));
  w.writeRows('L2.act.max', from, Float32Array.from(rows.flatMap(maxRow)));
  w.markDone({ from, to });
}

const EXPECTED_MEAN = [0, 1, 2, 3].flatMap(meanRow);

/** A block or order file: "STCF", uint32 LE header length, JSON header, data from a 64-byte boundary. */
function parseStoreFile(raw: Buffer): { header: unknown; data: ArrayBufferLike } {
  assert.equal(raw.toString('latin1', 0, 4), 'STCF');
  const headerLength = raw.readUInt32LE(4);
  assert.equal((8 + headerLength) % 64, 0, 'data aligned to 64 bytes');
  return { header: JSON.parse(raw.toString('utf8', 8, 8 + headerLength)), data: raw.buffer.slice(raw.byteOffset + 8 + headerLength, raw.byteOffset + raw.length) };
}

test('round trip: rows written in sorted order are read in dataset order; completion is required', async (t) => {
  const dir = path.join(tmpDir(t), 'k1');
  const w = FeatureStoreWriter.open(dir, LAYOUT, { checkpointMs: 0 });
  assert.deepEqual(w.resume(ORDER), []);
  writeBatch(w, 0, 2);
  writeBatch(w, 2, 4);
  assert.equal(isStoreComplete(dir), false);
  assert.throws(() => openFeatureStore(dir), /not a finished feature store/);
  await w.complete();
  await w.close();
  assert.deepEqual(fs.readdirSync(dir).sort(), ['L0.hid.mean.f32', 'L2.act.max.f32', 'complete.json', 'manifest.json', 'order.i32'], 'lock and progress are gone');

  const store = openFeatureStore(dir);
  assert.equal(store.rows, 4);
  assert.deepEqual(store.info, { model: 'tiny' });
  const m = readBlock(store, 'L0.hid.mean');
  assert.deepEqual({ rows: m.rows, cols: m.cols }, { rows: 4, cols: 3 });
  assert.deepEqual(Array.from(m.data), EXPECTED_MEAN);
  assert.deepEqual(Array.from(readBlock(store, 'L2.act.max').data), [0, 1, 2, 3].flatMap(maxRow));
  assert.throws(() => readBlock(store, 'L9.hid.mean'), /has no block L9\.hid\.mean; it has L0\.hid\.mean, L2\.act\.max/);

  // The files are self-describing: magic, a JSON header, 64-byte aligned data. A block keeps the
  // rows where the extraction wrote them; order.i32 says which dataset row each position holds.
  const block = parseStoreFile(fs.readFileSync(path.join(dir, 'L0.hid.mean.f32')));
  assert.deepEqual(block.header, { magic: 'stc-features', version: 2, block: 'L0.hid.mean', rows: 4, dim: 3, dtype: 'float32', byteOrder: 'little', key: 'k1', rowOrder: 'order.i32' });
  assert.deepEqual(Array.from(new Float32Array(block.data)), Array.from(ORDER).flatMap(meanRow));
  const order = parseStoreFile(fs.readFileSync(path.join(dir, 'order.i32')));
  assert.deepEqual(order.header, { magic: 'stc-features', version: 2, content: 'row order', rows: 4, dtype: 'int32', byteOrder: 'little', key: 'k1' });
  assert.deepEqual(Array.from(new Int32Array(order.data)), Array.from(ORDER));
});

test('dataset order is restored for any write order: a random permutation, batches written out of turn, blocks larger than a read chunk', async (t) => {
  const dir = path.join(tmpDir(t), 'big');
  const rows = 3001;
  const layout: StoreLayout = { key: 'big', rows, blocks: [{ name: 'L1.hid.max', dim: 1400 }, { name: 'L0.act.single', dim: 1 }] };
  const random = mulberry32(7);
  const order = Int32Array.from({ length: rows }, (_, i) => i);
  for (let i = rows - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j] ?? 0, order[i] ?? 0];
  }
  const value = (row: number, col: number) => row * 2000 + col; // exact in float32
  const w = FeatureStoreWriter.open(dir, layout, { checkpointMs: 0 });
  w.resume(order);
  const batches = [[2000, 3001], [0, 7], [7, 2000]] as const;
  for (const [from, to] of batches) {
    for (const { name, dim } of layout.blocks) {
      const data = new Float32Array((to - from) * dim);
      for (let p = from; p < to; p++) for (let c = 0; c < dim; c++) data[(p - from) * dim + c] = value(order[p] ?? 0, c);
      w.writeRows(name, from, data);
    }
    w.markDone({ from, to });
  }
  await w.complete();
  await w.close();
  const store = openFeatureStore(dir);
  for (const { name, dim } of layout.blocks) {
    const m = readBlock(store, name);
    assert.deepEqual({ rows: m.rows, cols: m.cols }, { rows, cols: dim });
    let wrong = 0;
    for (let r = 0; r < rows; r++) for (let c = 0; c < dim; c++) if (m.data[r * dim + c] !== value(r, c)) wrong++;
    assert.equal(wrong, 0, `${name}: every value at its dataset row`);
  }
  const out = path.join(dir, 'single.npy');
  exportBlockNpy(store, 'L0.act.single', out);
  assert.deepEqual(Array.from(parseNpy(fs.readFileSync(out)).data), Array.from({ length: rows }, (_, r) => value(r, 0)));
});

test('complete() refuses a store with unfinished rows; a damaged block file is refused on read', async (t) => {
  const dir = path.join(tmpDir(t), 's');
  const w = FeatureStoreWriter.open(dir, LAYOUT, { checkpointMs: 0 });
  w.resume(ORDER);
  writeBatch(w, 0, 3);
  await assert.rejects(w.complete(), /finished rows are \[\{"from":0,"to":3\}\] of 4/);
  writeBatch(w, 3, 4);
  await w.complete();
  await w.close();
  const file = path.join(dir, 'L2.act.max.f32');
  const size = fs.statSync(file).size;
  fs.truncateSync(file, size - 8);
  assert.throws(() => readBlock(openFeatureStore(dir), 'L2.act.max'), new RegExp(`does not match its store .*size ${size - 8} != ${size} bytes`));
  fs.truncateSync(file, 20);
  assert.throws(() => readBlock(openFeatureStore(dir), 'L2.act.max'), /L2\.act\.max\.f32 has a damaged header; delete the folder/);

  const orderPath = path.join(dir, 'order.i32');
  const order = fs.readFileSync(orderPath);
  order.writeInt32LE(order.readInt32LE(order.length - 8), order.length - 4); // the last two positions name one row
  fs.writeFileSync(orderPath, order);
  assert.throws(() => readBlock(openFeatureStore(dir), 'L0.hid.mean'), /order\.i32 is damaged: position 3 holds row 3, out of range or repeated; delete the folder/);
  fs.writeFileSync(orderPath, order.subarray(0, order.length - 4));
  assert.throws(() => readBlock(openFeatureStore(dir), 'L0.hid.mean'), /order\.i32 is not the row order of this store .*size/);
  fs.rmSync(orderPath);
  assert.throws(() => readBlock(openFeatureStore(dir), 'L0.hid.mean'), /ENOENT.*order\.i32/);
});

test('resume: finished ranges survive a reopen; another row order or layout starts over; a torn line is ignored', async (t) => {
  const dir = path.join(tmpDir(t), 'k1');
  const w1 = FeatureStoreWriter.open(dir, LAYOUT, { checkpointMs: 0 });
  w1.resume(ORDER);
  writeBatch(w1, 0, 2);
  await w1.close();
  fs.appendFileSync(path.join(dir, 'progress.jsonl'), '{"from":2,"t'); // a crash mid-append

  const w2 = FeatureStoreWriter.open(dir, LAYOUT, { checkpointMs: 0 });
  assert.deepEqual(w2.resume(ORDER), [{ from: 0, to: 2 }]);
  writeBatch(w2, 2, 4);
  await w2.close(); // interrupted before complete(): everything is done but not finished

  const w3 = FeatureStoreWriter.open(dir, LAYOUT, { checkpointMs: 0 });
  assert.deepEqual(w3.resume(ORDER), [{ from: 0, to: 4 }]);
  await w3.complete();
  await w3.close();
  assert.deepEqual(Array.from(readBlock(openFeatureStore(dir), 'L0.hid.mean').data), EXPECTED_MEAN, 'rows of all runs');

  const w4 = FeatureStoreWriter.open(dir, LAYOUT, { checkpointMs: 0 });
  assert.equal(w4.isComplete, true);
  assert.deepEqual(w4.resume(Int32Array.from([0, 1, 2, 3])), [], 'ranges of another order mean other rows');
  assert.equal(w4.isComplete, false);
  await w4.close();

  const w5 = FeatureStoreWriter.open(dir, { ...LAYOUT, blocks: [{ name: 'L0.hid.mean', dim: 4 }] }, { checkpointMs: 0 });
  assert.deepEqual(w5.resume(ORDER), [], 'a new layout starts over');
  await w5.close();
  assert.equal(fs.existsSync(path.join(dir, 'L2.act.max.f32')), false);
});

test('a crash while finishing computes nothing again; a block file that is not as created starts the store over', async (t) => {
  const dir = path.join(tmpDir(t), 'k1');
  const w1 = FeatureStoreWriter.open(dir, LAYOUT, { checkpointMs: 0 });
  w1.resume(ORDER);
  writeBatch(w1, 0, 4);
  await w1.complete();
  await w1.close();
  const files = Object.fromEntries(fs.readdirSync(dir).map((f) => [f, fs.readFileSync(path.join(dir, f))]));
  // As if the process died after writing order.i32 but before complete.json.
  fs.rmSync(path.join(dir, 'complete.json'));
  fs.writeFileSync(path.join(dir, 'progress.jsonl'), `{"order":"${createHash('sha256').update(new Uint8Array(ORDER.buffer)).digest('hex')}"}\n{"from":0,"to":4}\n`);
  const w2 = FeatureStoreWriter.open(dir, LAYOUT, { checkpointMs: 0 });
  assert.deepEqual(w2.resume(ORDER), [{ from: 0, to: 4 }]);
  await w2.complete(); // no row written by this run
  await w2.close();
  for (const f of ['L0.hid.mean.f32', 'L2.act.max.f32', 'order.i32']) assert.deepEqual(fs.readFileSync(path.join(dir, f)), files[f], f);
  assert.deepEqual(Array.from(readBlock(openFeatureStore(dir), 'L0.hid.mean').data), EXPECTED_MEAN);

  // Unfinished, with one block file cut short: its rows are gone, so everything starts over.
  fs.rmSync(path.join(dir, 'complete.json'));
  fs.truncateSync(path.join(dir, 'L2.act.max.f32'), 100);
  const w3 = FeatureStoreWriter.open(dir, LAYOUT, { checkpointMs: 0 });
  assert.deepEqual(w3.resume(ORDER), []);
  await w3.close();
  assert.deepEqual(fs.readdirSync(dir).sort(), ['L0.hid.mean.f32', 'L2.act.max.f32', 'manifest.json', 'progress.jsonl']);
});

/** Writes a finished store as format version 1 wrote it: blocks in dataset order, no order.i32. */
function writeVersion1Store(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ magic: 'stc-features', version: 1, ...LAYOUT }));
  const json = JSON.stringify({ magic: 'stc-features', version: 1, block: 'L0.hid.mean', rows: 4, dim: 3, dtype: 'float32', byteOrder: 'little', key: 'k1' });
  const header = Buffer.alloc(Math.ceil((8 + json.length) / 64) * 64, 0x20);
  header.write('STCF', 0, 'latin1');
  header.writeUInt32LE(header.length - 8, 4);
  header.write(json, 8);
  fs.writeFileSync(path.join(dir, 'L0.hid.mean.f32'), Buffer.concat([header, new Uint8Array(Float32Array.from(EXPECTED_MEAN).buffer)]));
  fs.writeFileSync(path.join(dir, 'complete.json'), JSON.stringify({ key: 'k1', rows: 4 }));
}

test('a store of format version 1 is refused with what to do, and the writer extracts it again', async (t) => {
  const dir = path.join(tmpDir(t), 'k1');
  writeVersion1Store(dir);
  assert.equal(isStoreComplete(dir), false, 'not a finished store for this version');
  assert.throws(() => openFeatureStore(dir), /k1 is a feature store of format v1; this version reads v2\. Run the extraction again \(it writes a new store\) and delete this folder/);
  const v1Block = { dir, key: 'k1', rows: 4, blocks: LAYOUT.blocks, info: {} };
  assert.throws(() => readBlock(v1Block, 'L0.hid.mean'), /L0\.hid\.mean\.f32 is format stc-features v1 \(little-endian\); this version reads stc-features v2 little-endian: delete the folder/);

  const w = FeatureStoreWriter.open(dir, LAYOUT, { checkpointMs: 0 });
  assert.equal(w.isComplete, false);
  assert.deepEqual(w.resume(ORDER), [], 'nothing of the old store is reused');
  writeBatch(w, 0, 4);
  await w.complete();
  await w.close();
  assert.deepEqual(Array.from(readBlock(openFeatureStore(dir), 'L0.hid.mean').data), EXPECTED_MEAN);
});

test('finished ranges are recorded only at checkpoints, after the data is flushed', async (t) => {
  const dir = path.join(tmpDir(t), 'k1');
  const w = FeatureStoreWriter.open(dir, LAYOUT, { checkpointMs: 60_000 });
  w.resume(ORDER);
  writeBatch(w, 0, 2);
  const log = () => fs.readFileSync(path.join(dir, 'progress.jsonl'), 'utf8').trim().split('\n');
  assert.equal(log().length, 1, 'only the header before a checkpoint');
  await w.checkpoint();
  assert.deepEqual(log().slice(1), ['{"from":0,"to":2}']);
  await w.close();
});

test('one writer per store: a live lock is refused, a dead process\'s lock is taken over', async (t) => {
  const dir = path.join(tmpDir(t), 'k1');
  const w = FeatureStoreWriter.open(dir, LAYOUT);
  assert.throws(() => FeatureStoreWriter.open(dir, LAYOUT), /already being written by this process/);
  await w.close();
  fs.writeFileSync(path.join(dir, 'lock'), String(process.ppid)); // a live process: our parent
  assert.throws(() => FeatureStoreWriter.open(dir, LAYOUT), new RegExp(`being written by process ${process.ppid}`));
  fs.writeFileSync(path.join(dir, 'lock'), '999999999'); // no such process
  await FeatureStoreWriter.open(dir, LAYOUT).close();
});

function parseNpy(buf: Buffer): { shape: number[]; descr: string; fortran: boolean; data: Float32Array } {
  assert.equal(buf.toString('latin1', 0, 6), '\x93NUMPY');
  assert.deepEqual([buf[6], buf[7]], [1, 0]);
  const headerLength = buf.readUInt16LE(8);
  const offset = 10 + headerLength;
  assert.equal(offset % 64, 0, 'data aligned to 64 bytes');
  const header = buf.toString('latin1', 10, offset);
  const m = /^\{'descr': '([^']+)', 'fortran_order': (True|False), 'shape': \((\d+), (\d+)\), \} *\n$/.exec(header);
  assert.ok(m, `header ${JSON.stringify(header)}`);
  const data = new Float32Array(buf.buffer.slice(buf.byteOffset + offset, buf.byteOffset + buf.length));
  return { descr: m[1] ?? '', fortran: m[2] === 'True', shape: [Number(m[3]), Number(m[4])], data };
}

test('a block exports as a valid .npy v1.0 file', async (t) => {
  const dir = path.join(tmpDir(t), 'k1');
  const w = FeatureStoreWriter.open(dir, LAYOUT, { checkpointMs: 0 });
  w.resume(ORDER);
  writeBatch(w, 0, 4);
  await w.complete();
  await w.close();
  const out = path.join(dir, 'mean.npy');
  exportBlockNpy(openFeatureStore(dir), 'L0.hid.mean', out);
  const npy = parseNpy(fs.readFileSync(out));
  assert.deepEqual(npy.shape, [4, 3]);
  assert.equal(npy.descr, '<f4');
  assert.equal(npy.fortran, false);
  assert.deepEqual(Array.from(npy.data), EXPECTED_MEAN);
  for (const [r, c] of [[0, 0], [1, 1], [123456, 1536], [7, 123456789]] as const) assert.deepEqual(parseNpy(npyHeader(r, c)).shape, [r, c]);

  // numpy itself, when the Python tooling venv is there (the unit tests do not need it).
  const python = path.join(__dirname, '../../.venv/bin/python');
  if (fs.existsSync(python)) {
    const printed = execFileSync(python, ['-c', 'import numpy,sys; a=numpy.load(sys.argv[1]); print(a.dtype, a.shape, a[3].tolist())', out], { encoding: 'utf8' });
    assert.equal(printed.trim(), 'float32 (4, 3) [30.0, 31.0, 32.0]');
  }
});

test('stores of another format version are pruned; current, locked and foreign folders stay', (t) => {
  const root = tmpDir(t);
  writeVersion1Store(path.join(root, 'old'));
  writeVersion1Store(path.join(root, 'old-being-written'));
  fs.writeFileSync(path.join(root, 'old-being-written', 'lock'), String(process.pid));
  writeVersion1Store(path.join(root, 'old-dead-lock'));
  fs.writeFileSync(path.join(root, 'old-dead-lock', 'lock'), '999999999');
  fs.mkdirSync(path.join(root, 'not-a-store'));
  fs.writeFileSync(path.join(root, 'not-a-store', 'manifest.json'), '{"magic":"something else","version":1}');
  fs.writeFileSync(path.join(root, 'a-file'), '');
  const current = path.join(root, 'current');
  fs.mkdirSync(current);
  fs.writeFileSync(path.join(current, 'manifest.json'), JSON.stringify({ magic: 'stc-features', version: 2, ...LAYOUT }));

  assert.deepEqual(pruneOutdatedStores(root).map((d) => path.basename(d)).sort(), ['old', 'old-dead-lock']);
  assert.deepEqual(fs.readdirSync(root).sort(), ['a-file', 'current', 'not-a-store', 'old-being-written']);
  assert.deepEqual(pruneOutdatedStores(path.join(root, 'missing')), [], 'no root, nothing to prune');
});

/** A current-version store of exactly `bytes` bytes, last used at `usedAt` (seconds since the epoch). */
function cachedStore(root: string, name: string, bytes: number, usedAt: number, lockPid?: number): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir);
  const manifest = JSON.stringify({ magic: 'stc-features', version: 2, ...LAYOUT, key: name });
  const lock = lockPid === undefined ? '' : String(lockPid);
  fs.writeFileSync(path.join(dir, 'manifest.json'), manifest);
  if (lockPid !== undefined) fs.writeFileSync(path.join(dir, 'lock'), lock);
  fs.writeFileSync(path.join(dir, 'L0.hid.mean.f32'), Buffer.alloc(bytes - manifest.length - lock.length));
  fs.utimesSync(dir, usedAt, usedAt);
  return dir;
}

const names = (deleted: readonly DeletedStore[]) => deleted.map((d) => path.basename(d.dir));

test('the cache cap deletes the least recently used stores until the rest fits; other folders are not counted or touched', (t) => {
  const root = tmpDir(t);
  cachedStore(root, 'mid', 1000, 200);
  cachedStore(root, 'old', 1000, 100);
  cachedStore(root, 'new', 1000, 300);
  const keep = cachedStore(root, 'keep', 1000, 50);
  writeVersion1Store(path.join(root, 'v1-store'));
  fs.utimesSync(path.join(root, 'v1-store'), 10, 10);
  fs.mkdirSync(path.join(root, 'not-a-store'));
  fs.writeFileSync(path.join(root, 'not-a-store', 'big'), Buffer.alloc(100_000));
  fs.utimesSync(path.join(root, 'not-a-store'), 10, 10);
  fs.writeFileSync(path.join(root, 'a-file'), Buffer.alloc(100_000));

  const deleted = pruneStoreCache(root, { maxBytes: 2500, keep });
  assert.deepEqual(names(deleted), ['old', 'mid'], 'oldest first, until 2000 <= 2500 bytes are left');
  assert.deepEqual(deleted.map((d) => [d.bytes, d.lastUsed.getTime()]), [[1000, 100_000], [1000, 200_000]]);
  assert.deepEqual(fs.readdirSync(root).sort(), ['a-file', 'keep', 'new', 'not-a-store', 'v1-store']);
  assert.deepEqual(pruneStoreCache(root, { maxBytes: 2000, keep }), [], 'at the cap exactly, nothing more');
});

test('the cache cap never deletes the store in use or one a live process writes, even over the cap; unfinished stores count', async (t) => {
  const root = tmpDir(t);
  const keep = cachedStore(root, 'keep', 1000, 100);
  cachedStore(root, 'written-now', 1000, 200, process.pid);
  cachedStore(root, 'dead-writer', 1000, 300, 999_999_999);
  const unfinished = path.join(root, 'unfinished');
  const w = FeatureStoreWriter.open(unfinished, LAYOUT, { checkpointMs: 0 });
  w.resume(ORDER);
  writeBatch(w, 0, 2);
  await w.close();
  fs.utimesSync(unfinished, 400, 400);

  const deleted = pruneStoreCache(root, { maxBytes: 1, keep });
  assert.deepEqual(names(deleted), ['dead-writer', 'unfinished']);
  assert.ok((deleted[1]?.bytes ?? 0) >= 2 * 64 + 4 * (3 + 2) * 4, 'two headers and all 4 rows of both blocks, though 2 rows were written');
  assert.deepEqual(fs.readdirSync(root).sort(), ['keep', 'written-now'], '2000 bytes stay over the 1-byte cap');
});

test('a store a live process reads (a read lease) is not pruned; a dead reader\'s lease and a released one do not count', (t) => {
  const root = tmpDir(t);
  const keep = path.join(root, 'new');
  const read = cachedStore(root, 'read-now', 1000, 100);
  const release = leaseForReading(read);
  fs.utimesSync(read, 100, 100); // a lease's file touches the folder: reading is use
  const deadReader = cachedStore(root, 'dead-reader', 1000, 200);
  fs.writeFileSync(path.join(deadReader, 'read-999999999-1'), '');
  // Not lease names: pid 0 would signal this process group, and "me" names no process.
  for (const name of ['read-0-1', 'read-me', `read-${process.pid}`]) fs.writeFileSync(path.join(deadReader, name), '');
  fs.utimesSync(deadReader, 200, 200);
  const released = cachedStore(root, 'released', 1000, 300);
  leaseForReading(released)();
  fs.utimesSync(released, 300, 300);
  cachedStore(root, 'newest', 1000, 400);

  assert.deepEqual(names(pruneStoreCache(root, { maxBytes: 2000, keep })), ['dead-reader', 'released'], 'the oldest, read-now, is skipped');
  const leases = fs.readdirSync(read).filter((f) => f.startsWith('read-'));
  assert.deepEqual(leases, [`read-${process.pid}-${leases[0]?.split('-')[2]}`], 'one lease, named after this process');
  release();
  release(); // a second call does nothing
  assert.deepEqual(fs.readdirSync(read).filter((f) => f.startsWith('read-')), []);
  fs.utimesSync(read, 100, 100);
  assert.deepEqual(names(pruneStoreCache(root, { maxBytes: 1500, keep })), ['read-now'], 'released: the least recently used goes');

  writeVersion1Store(path.join(root, 'old-read-now'));
  const releaseOld = leaseForReading(path.join(root, 'old-read-now'));
  assert.deepEqual(pruneOutdatedStores(root), [], 'an outdated store being read stays too');
  releaseOld();
  assert.deepEqual(pruneOutdatedStores(root).map((d) => path.basename(d)), ['old-read-now']);
  assert.throws(() => leaseForReading(path.join(root, 'old-read-now')), /ENOENT/, 'no lease on a deleted store');
});

test('without a cap (0 or undefined) nothing is deleted', (t) => {
  const root = tmpDir(t);
  cachedStore(root, 'a', 1000, 100);
  cachedStore(root, 'b', 1000, 200);
  const keep = path.join(root, 'new');
  assert.deepEqual(pruneStoreCache(root, { maxBytes: 0, keep }), []);
  assert.deepEqual(pruneStoreCache(root, { maxBytes: undefined, keep }), []);
  assert.deepEqual(fs.readdirSync(root).sort(), ['a', 'b']);
  assert.deepEqual(pruneStoreCache(path.join(root, 'missing'), { maxBytes: 1, keep }), [], 'no root, nothing to prune');
});
