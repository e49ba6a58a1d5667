// Writing a feature store, resumably. Each block's rows go to `{block}.f32` in the length-sorted
// order the batches run in, so a batch is one contiguous write per block (rows scattered to their
// dataset positions would cost a write per row and per block, several times slower), and they stay
// there: the file's header is written when it is created, and completion adds only the row order
// (order.i32) and complete.json, so the features are written once. progress.jsonl records finished
// ranges of the order; the block files are flushed before the ranges covering them are appended, so
// after a crash, even of the machine, every recorded range is on disk. Checkpoints flush in the
// background (libuv's thread pool): onnxruntime runs the model on the main thread, so a synchronous
// flush would be time the model does not run.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { Range } from './batching';
import { acquireLock, releaseLock } from './store-lock';
import {
  COMPLETE, LOCK, MAGIC, MANIFEST, PROGRESS, STORE_FORMAT_VERSION,
  blockFile, blockHeader, encodeHeader, orderFile, orderHeader, syncDir, writeFileAtomic, readManifest,
  type BlockSpec, type Manifest, type StoreLayout,
} from './store-format';

export interface WriterOptions {
  /** Flush data and record finished ranges at most this often (ms). A crash loses at most this much
   *  work; 0 records after every batch. Default 2000. */
  readonly checkpointMs?: number;
  /** Flushes a file's data to disk. Default fs.fdatasync; tests replace it to inject a failure. */
  readonly sync?: (fd: number) => Promise<void>;
}

function sameLayout(a: StoreLayout, b: StoreLayout): boolean {
  return a.key === b.key && a.rows === b.rows && JSON.stringify(a.blocks) === JSON.stringify(b.blocks);
}

function mergeRanges(ranges: readonly Range[]): Range[] {
  const out: { from: number; to: number }[] = [];
  for (const r of [...ranges].sort((x, y) => x.from - y.from)) {
    const last = out[out.length - 1];
    if (last && r.from <= last.to) last.to = Math.max(last.to, r.to);
    else out.push({ from: r.from, to: r.to });
  }
  return out;
}

function parseLine(line: string): unknown {
  try {
    return line.trim() ? JSON.parse(line) : undefined;
  } catch {
    return undefined; // a line torn by a crash
  }
}

function hashOrder(order: Int32Array): string {
  return createHash('sha256').update(new Uint8Array(order.buffer, order.byteOffset, order.byteLength)).digest('hex');
}

const fdatasync = promisify(fs.fdatasync);

/** Appends `text` to `file` and flushes it, off the main thread. */
async function appendDurably(file: string, text: string): Promise<void> {
  const handle = await fs.promises.open(file, 'a');
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

interface OpenBlock {
  readonly spec: BlockSpec;
  readonly fd: number;
  /** Where row 0 starts: after the header. */
  readonly dataOffset: number;
}

/** Whether `file` is a block file as the writer creates it: exactly `header`, then room for every row. */
function isBlockFileOf(file: string, header: Buffer, dataBytes: number): boolean {
  if (!fs.existsSync(file) || fs.statSync(file).size !== header.length + dataBytes) return false;
  const fd = fs.openSync(file, 'r');
  try {
    const found = Buffer.alloc(header.length);
    return fs.readSync(fd, found, 0, header.length, 0) === header.length && found.equals(header);
  } finally {
    fs.closeSync(fd);
  }
}

export class FeatureStoreWriter {
  /** Block files open for writing rows; empty once the store is complete. */
  private readonly open = new Map<string, OpenBlock>();
  private order: Int32Array | undefined;
  /** Ranges recorded in progress.jsonl. */
  private done: Range[] = [];
  /** Finished ranges the next checkpoint records. */
  private pending: Range[] = [];
  private lastCheckpoint = Date.now();
  /** The checkpoint being flushed, if any. It never rejects: a failure goes to `failure`. */
  private inFlight: Promise<void> | undefined;
  /** Why a checkpoint failed. Its ranges are not recorded, nor any later: every later call throws this. */
  private failure: Error | undefined;
  private closed = false;

  private constructor(
    readonly dir: string,
    readonly layout: StoreLayout,
    private readonly checkpointMs: number,
    private readonly sync: (fd: number) => Promise<void>,
  ) {}

  /** Opens the store for `layout.key` in `dir`, creating it or continuing an interrupted one. */
  static open(dir: string, layout: StoreLayout, options: WriterOptions = {}): FeatureStoreWriter {
    if (os.endianness() !== 'LE') throw new Error('The feature store is little-endian; this machine is big-endian.');
    fs.mkdirSync(dir, { recursive: true });
    acquireLock(dir);
    const writer = new FeatureStoreWriter(dir, layout, options.checkpointMs ?? 2000, options.sync ?? fdatasync);
    try {
      writer.openFiles();
    } catch (e) {
      writer.closeFiles();
      releaseLock(dir);
      throw e;
    }
    return writer;
  }

  /** Continues the store when its manifest (format version included) and every block file are this layout's; else starts over. */
  private openFiles(): void {
    const manifest = readManifest(this.dir);
    if (!(manifest?.version === STORE_FORMAT_VERSION && sameLayout(manifest, this.layout))) return this.reset();
    if (this.isComplete) return;
    for (const spec of this.layout.blocks) {
      const file = blockFile(this.dir, spec.name);
      const header = encodeHeader(blockHeader(this.layout, spec));
      if (!isBlockFileOf(file, header, this.layout.rows * spec.dim * 4)) return this.reset(); // its rows are gone
      this.open.set(spec.name, { spec, fd: fs.openSync(file, 'r+'), dataOffset: header.length });
    }
  }

  /** Starts over: a new store, a different layout or format under the same key, or damaged files. */
  private reset(): void {
    this.closeFiles();
    for (const f of fs.readdirSync(this.dir)) if (f !== LOCK) fs.rmSync(path.join(this.dir, f), { recursive: true, force: true });
    const manifest: Manifest = { magic: MAGIC, version: STORE_FORMAT_VERSION, ...this.layout };
    writeFileAtomic(path.join(this.dir, MANIFEST), JSON.stringify({ ...manifest, createdAt: new Date().toISOString() }, null, 2));
    for (const spec of this.layout.blocks) {
      // The header is final from the start (it depends on the layout only); rows fill the space after it.
      const header = encodeHeader(blockHeader(this.layout, spec));
      const fd = fs.openSync(blockFile(this.dir, spec.name), 'w+');
      this.open.set(spec.name, { spec, fd, dataOffset: header.length });
      fs.writeSync(fd, header, 0, header.length, 0);
      fs.ftruncateSync(fd, header.length + this.layout.rows * spec.dim * 4);
    }
    this.done = [];
    this.pending = [];
  }

  get isComplete(): boolean {
    return fs.existsSync(path.join(this.dir, COMPLETE));
  }

  /**
   * Declares the row order the batches run in (`order[p]` is the dataset row at sorted position p)
   * and returns its finished ranges. Progress recorded for another order (other tokenisation, other
   * sort) means other rows, so the store then starts over. Rewrites the log compactly, which also
   * drops a line torn by a crash.
   */
  resume(order: Int32Array): Range[] {
    if (this.inFlight) throw new Error(`resume() of ${this.dir} while a checkpoint is in flight: call it before the first batch.`);
    if (order.length !== this.layout.rows) throw new Error(`The row order has ${order.length} rows; the store has ${this.layout.rows}.`);
    const hash = hashOrder(order);
    const file = path.join(this.dir, PROGRESS);
    const lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n') : [];
    const head = parseLine(lines[0] ?? '') as { order?: unknown } | undefined;
    const ranges: Range[] = [];
    if (head?.order === hash) {
      for (const line of lines.slice(1)) {
        const r = parseLine(line) as { from?: unknown; to?: unknown } | undefined;
        if (typeof r?.from === 'number' && typeof r.to === 'number' && Number.isInteger(r.from) && Number.isInteger(r.to) && r.from >= 0 && r.to <= this.layout.rows && r.from < r.to) {
          ranges.push({ from: r.from, to: r.to });
        }
      }
    } else if (lines.length > 0 || this.open.size < this.layout.blocks.length) {
      this.reset();
    }
    this.order = order;
    this.done = mergeRanges(ranges);
    this.pending = [];
    writeFileAtomic(file, [JSON.stringify({ order: hash }), ...this.done.map((r) => JSON.stringify(r))].join('\n') + '\n');
    return this.done;
  }

  /** Writes `data` (rows x dim, row-major) as the rows at sorted positions `from`, `from + 1`, ... */
  writeRows(block: string, from: number, data: Float32Array): void {
    const b = this.open.get(block);
    if (!b) throw new Error(`Block ${block} is not being written in the feature store ${this.dir}.`);
    const dim = b.spec.dim;
    const rows = data.length / dim;
    if (!Number.isInteger(rows) || from < 0 || from + rows > this.layout.rows) {
      throw new Error(`Block ${block}: ${data.length} values at position ${from} do not fit rows of dimension ${dim} in ${this.layout.rows} rows.`);
    }
    fs.writeSync(b.fd, new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 0, data.byteLength, b.dataOffset + from * dim * 4);
  }

  /**
   * Records a finished range of the sorted order: the next checkpoint flushes it in the background.
   * One checkpoint at a time; ranges finished while one is in flight wait for the first markDone
   * after it (queueing a second flush right behind the first would keep the disk busy for one
   * batch's worth of rows; close() and complete() record whatever is left).
   */
  markDone(range: Range): void {
    this.throwIfFailed();
    this.pending.push(range);
    if (!this.inFlight && Date.now() - this.lastCheckpoint >= this.checkpointMs) void this.startCheckpoint();
  }

  /** Waits for the checkpoint in flight, then flushes the rows written so far and records the pending ranges. */
  async checkpoint(): Promise<void> {
    await this.settle();
    if (this.pending.length > 0) await this.startCheckpoint();
    this.throwIfFailed();
  }

  /** Waits until no checkpoint is in flight; throws if one failed. */
  private async settle(): Promise<void> {
    while (this.inFlight) await this.inFlight;
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }

  /**
   * Takes the pending ranges and starts flushing every block file, in the same tick: their rows
   * were all written before the flush began. Records the ranges once every flush has finished.
   */
  private startCheckpoint(): Promise<void> {
    this.lastCheckpoint = Date.now();
    const ranges = this.pending;
    this.pending = [];
    const flight = this.flushThenRecord(ranges)
      .catch((e: unknown) => {
        this.failure ??= e instanceof Error ? e : new Error(String(e));
      })
      .finally(() => {
        this.inFlight = undefined;
      });
    this.inFlight = flight;
    return flight;
  }

  private async flushThenRecord(ranges: readonly Range[]): Promise<void> {
    const blocks = [...this.open.values()];
    // allSettled, not all: a file may be closed only once its own flush has finished.
    const flushed = await Promise.allSettled(blocks.map(async (b) => this.sync(b.fd)));
    for (const [i, r] of flushed.entries()) {
      if (r.status === 'rejected') throw this.storeFailure(`flushing ${blocks[i]?.spec.name}.f32 to disk`, r.reason);
    }
    if (ranges.length === 0) return;
    try {
      await appendDurably(path.join(this.dir, PROGRESS), ranges.map((r) => JSON.stringify(r) + '\n').join(''));
    } catch (e) {
      throw this.storeFailure(`recording finished batches in ${PROGRESS}`, e);
    }
    this.done = mergeRanges([...this.done, ...ranges]);
  }

  private storeFailure(what: string, cause: unknown): Error {
    const reason = cause instanceof Error ? cause.message : String(cause);
    return new Error(
      `Feature store ${this.dir}: ${what} failed (${reason}). The batches finished since its last checkpoint are not recorded, nor any later. Check the disk (free space, I/O errors), then run the extraction again: it resumes from the last checkpoint.`,
      { cause },
    );
  }

  /**
   * Once every row is recorded as done: flushes the block files (headers included, even where no
   * range was pending), writes the row order, and marks the store finished. No row is copied.
   */
  async complete(): Promise<void> {
    await this.settle();
    await this.startCheckpoint(); // even with no range pending
    this.throwIfFailed();
    const { rows } = this.layout;
    const covered = rows === 0 || (this.done.length === 1 && this.done[0]?.from === 0 && this.done[0].to === rows);
    if (!covered || !this.order) {
      throw new Error(`Cannot finish ${this.dir}: finished rows are ${JSON.stringify(this.done)} of ${rows}.`);
    }
    writeFileAtomic(orderFile(this.dir), [encodeHeader(orderHeader(this.layout)), new Uint8Array(this.order.buffer, this.order.byteOffset, this.order.byteLength)]);
    this.closeFiles();
    syncDir(this.dir); // the block and order files' entries are durable before the marker that vouches for them
    writeFileAtomic(path.join(this.dir, COMPLETE), JSON.stringify({ key: this.layout.key, rows, completedAt: new Date().toISOString() }));
    fs.rmSync(path.join(this.dir, PROGRESS), { force: true });
  }

  /**
   * Waits for the checkpoint in flight, records the finished ranges still pending, and releases the
   * files and the lock, even when a checkpoint failed (its error is then thrown); safe to call more
   * than once.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.checkpoint();
    } finally {
      this.closeFiles();
      releaseLock(this.dir);
    }
  }

  private closeFiles(): void {
    for (const b of this.open.values()) fs.closeSync(b.fd);
    this.open.clear();
  }
}
