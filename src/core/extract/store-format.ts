// The feature store's files. A store is one directory per (model, dataset, settings) key:
//   manifest.json    key, rows, blocks and their dimensions, provenance
//   {block}.f32      one block: "STCF", uint32 LE header length, a JSON header (magic, version,
//                    block, rows, dim, dtype, byte order, key, rowOrder) padded so the data starts
//                    on a 64-byte boundary, then rows x dim float32 little-endian, row-major, in
//                    the length-sorted order the batches ran in (see store-writer)
//   order.i32        the row order of every block file, same framing: a JSON header (magic, version,
//                    content "row order", rows, dtype int32, byte order, key), then rows int32 LE;
//                    entry p is the dataset row stored at position p
//   progress.jsonl   while extracting: the row order's hash, then finished ranges of it
//   complete.json    written last, atomically: the store is finished
//   lock             the pid of the process writing the store
//   read-{pid}-{n}   a lease: process pid is reading the store (the cache's pruners leave it alone)
// Rows stay where the extraction wrote them, so finishing a store copies no data; readers put them
// back in dataset order.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** 2: block files keep the extraction's row order, given by order.i32 (1 held dataset order). */
export const STORE_FORMAT_VERSION = 2;
export const MAGIC = 'stc-features';
const FILE_MAGIC = 'STCF';
const DATA_ALIGN = 64;

export const MANIFEST = 'manifest.json';
export const ORDER = 'order.i32';
export const PROGRESS = 'progress.jsonl';
export const COMPLETE = 'complete.json';
export const LOCK = 'lock';

/** A read lease's file name: process `pid`'s `n`th lease. */
export const readLeaseName = (pid: number, n: number): string => `read-${pid}-${n}`;

/** The pid a read lease's file name names; undefined for any other name. */
export function readLeasePid(name: string): number | undefined {
  const m = /^read-([1-9]\d*)-\d+$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

export interface BlockSpec {
  /** `L{layer}.{kind}.{pooling}` */
  readonly name: string;
  readonly dim: number;
}

export interface StoreLayout {
  readonly key: string;
  readonly rows: number;
  readonly blocks: readonly BlockSpec[];
  /** Free-form provenance (model id and hash, settings), kept in the manifest for people. */
  readonly info?: Readonly<Record<string, unknown>>;
}

export interface Manifest extends StoreLayout {
  readonly magic: string;
  readonly version: number;
}

/** A row-major float32 matrix: the shape the learning code consumes. */
export interface FeatureMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array;
}

interface FileHeader {
  readonly magic: string;
  readonly version: number;
  readonly key: string;
  readonly rows: number;
  readonly byteOrder: 'little';
}

export interface BlockHeader extends FileHeader {
  readonly block: string;
  readonly dim: number;
  readonly dtype: 'float32';
  /** The file whose entry p is the dataset row of this file's row p. */
  readonly rowOrder: typeof ORDER;
}

export interface OrderHeader extends FileHeader {
  readonly content: 'row order';
  readonly dtype: 'int32';
}

export const blockFile = (dir: string, block: string): string => path.join(dir, `${block}.f32`);
export const orderFile = (dir: string): string => path.join(dir, ORDER);

export function blockHeader(layout: StoreLayout, spec: BlockSpec): BlockHeader {
  return { magic: MAGIC, version: STORE_FORMAT_VERSION, block: spec.name, rows: layout.rows, dim: spec.dim, dtype: 'float32', byteOrder: 'little', key: layout.key, rowOrder: ORDER };
}

export function orderHeader(layout: StoreLayout): OrderHeader {
  return { magic: MAGIC, version: STORE_FORMAT_VERSION, content: 'row order', rows: layout.rows, dtype: 'int32', byteOrder: 'little', key: layout.key };
}

/** The header bytes of a block or order file; their length is a multiple of 64, where data starts. */
export function encodeHeader(h: BlockHeader | OrderHeader): Buffer {
  const json = JSON.stringify(h);
  const total = Math.ceil((8 + Buffer.byteLength(json)) / DATA_ALIGN) * DATA_ALIGN;
  const buf = Buffer.alloc(total, 0x20);
  buf.write(FILE_MAGIC, 0, 'latin1');
  buf.writeUInt32LE(total - 8, 4);
  buf.write(json, 8, 'utf8');
  return buf;
}

/** A header as found in a file, before it is checked. */
type FoundHeader = Partial<Record<keyof BlockHeader | keyof OrderHeader, unknown>>;

const startOver = (file: string): string => `delete the folder ${path.dirname(file)} and run the extraction again`;

function readHeader(file: string, fd: number): { header: FoundHeader; dataOffset: number } {
  const fixed = Buffer.alloc(8);
  if (fs.readSync(fd, fixed, 0, 8, 0) !== 8 || fixed.toString('latin1', 0, 4) !== FILE_MAGIC) {
    throw new Error(`${file} is not an STC feature file (bad magic); ${startOver(file)}.`);
  }
  const length = fixed.readUInt32LE(4);
  const json = Buffer.alloc(length);
  let header: FoundHeader;
  try {
    if (fs.readSync(fd, json, 0, length, 8) !== length) throw new Error('the header is cut short');
    header = JSON.parse(json.toString('utf8')) as FoundHeader;
  } catch (e) {
    throw new Error(`${file} has a damaged header; ${startOver(file)}.`, { cause: e });
  }
  if (header.magic !== MAGIC || header.version !== STORE_FORMAT_VERSION || header.byteOrder !== 'little') {
    throw new Error(`${file} is format ${String(header.magic)} v${String(header.version)} (${String(header.byteOrder)}-endian); this version reads ${MAGIC} v${STORE_FORMAT_VERSION} little-endian: ${startOver(file)}.`);
  }
  return { header, dataOffset: 8 + length };
}

export function readBlockHeader(file: string, fd: number): { header: BlockHeader; dataOffset: number } {
  const { header, dataOffset } = readHeader(file, fd);
  if (header.dtype !== 'float32' || header.rowOrder !== ORDER) {
    throw new Error(`${file} holds ${String(header.dtype)} rows in order ${String(header.rowOrder)}; a feature block is float32 in the order of ${ORDER}: ${startOver(file)}.`);
  }
  return { header: header as unknown as BlockHeader, dataOffset };
}

/**
 * Reads a store's row order: entry p is the dataset row at position p of every block file. Checked
 * to be a permutation of 0..rows-1, so a damaged file cannot silently misplace rows.
 */
export function readOrder(dir: string, key: string, rows: number): Int32Array {
  const file = orderFile(dir);
  const fd = fs.openSync(file, 'r');
  try {
    const { header, dataOffset } = readHeader(file, fd);
    const size = fs.fstatSync(fd).size;
    if (header.content !== 'row order' || header.dtype !== 'int32' || header.key !== key || header.rows !== rows || size !== dataOffset + rows * 4) {
      throw new Error(`${file} is not the row order of this store (content, key, rows or size ${size} != ${dataOffset + rows * 4} bytes); ${startOver(file)}.`);
    }
    const order = new Int32Array(rows);
    readFully(fd, new Uint8Array(order.buffer), dataOffset, file);
    const seen = new Uint8Array(rows);
    for (let p = 0; p < rows; p++) {
      const row = order[p] ?? -1;
      if (!(row >= 0 && row < rows) || seen[row]) throw new Error(`${file} is damaged: position ${p} holds row ${row}, out of range or repeated; ${startOver(file)}.`);
      seen[row] = 1;
    }
    return order;
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes through a temporary file, flushed, then renamed: readers see the old or the new file. */
export function writeFileAtomic(file: string, parts: readonly Uint8Array[] | string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w');
  try {
    for (const part of typeof parts === 'string' ? [Buffer.from(parts)] : parts) fs.writeSync(fd, part);
    fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  fs.renameSync(tmp, file);
}

/**
 * Makes the directory's entries (created and renamed files) durable. Windows cannot open a directory
 * for this, and there NTFS journals the entries itself, so it is skipped where the open fails.
 */
export function syncDir(dir: string): void {
  let fd: number;
  try {
    fd = fs.openSync(dir, 'r');
  } catch {
    return;
  }
  try {
    fs.fsyncSync(fd);
  } catch (e) {
    if (!['EISDIR', 'EPERM', 'EINVAL', 'EBADF'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
  } finally {
    fs.closeSync(fd);
  }
}

/** A store's manifest, of any format version; undefined when `dir` holds none. */
export function readManifest(dir: string): Manifest | undefined {
  const manifest = readJson(path.join(dir, MANIFEST)) as Manifest | undefined;
  return manifest?.magic === MAGIC ? manifest : undefined;
}

export function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Reads `into.length` bytes at `position`, in chunks (a single read is limited to 2 GB). */
export function readFully(fd: number, into: Uint8Array, position: number, what: string): void {
  const CHUNK = 1 << 26;
  for (let at = 0; at < into.length; ) {
    const n = fs.readSync(fd, into, at, Math.min(CHUNK, into.length - at), position + at);
    if (n <= 0) throw new Error(`${what}: unexpected end of file.`);
    at += n;
  }
}
