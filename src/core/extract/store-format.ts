// The feature store's files. A store is one directory per (model, dataset, settings) key:
//   manifest.json    key, rows, blocks and their dimensions, provenance
//   {block}.f32      a finished block: "STCF", uint32 LE header length, a JSON header (magic,
//                    version, block, rows, dim, dtype, byte order, key) padded so the data starts
//                    on a 64-byte boundary, then rows x dim float32 little-endian, row-major, in
//                    dataset row order
//   {block}.sorted   while extracting: raw float32 rows in length-sorted order (see store-writer)
//   progress.jsonl   while extracting: the row order's hash, then finished ranges of it
//   complete.json    written last, atomically: the store is finished
//   lock             the pid of the process writing the store
import * as fs from 'node:fs';
import * as path from 'node:path';

export const STORE_FORMAT_VERSION = 1;
export const MAGIC = 'stc-features';
const FILE_MAGIC = 'STCF';
const DATA_ALIGN = 64;

export const MANIFEST = 'manifest.json';
export const PROGRESS = 'progress.jsonl';
export const COMPLETE = 'complete.json';
export const LOCK = 'lock';

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

export interface BlockHeader {
  readonly magic: string;
  readonly version: number;
  readonly block: string;
  readonly rows: number;
  readonly dim: number;
  readonly dtype: 'float32';
  readonly byteOrder: 'little';
  readonly key: string;
}

export const blockFile = (dir: string, block: string): string => path.join(dir, `${block}.f32`);
export const sortedFile = (dir: string, block: string): string => path.join(dir, `${block}.sorted`);

export function encodeBlockHeader(h: BlockHeader): Buffer {
  const json = JSON.stringify(h);
  const total = Math.ceil((8 + Buffer.byteLength(json)) / DATA_ALIGN) * DATA_ALIGN;
  const buf = Buffer.alloc(total, 0x20);
  buf.write(FILE_MAGIC, 0, 'latin1');
  buf.writeUInt32LE(total - 8, 4);
  buf.write(json, 8, 'utf8');
  return buf;
}

export function readBlockHeader(file: string, fd: number): { header: BlockHeader; dataOffset: number } {
  const fixed = Buffer.alloc(8);
  if (fs.readSync(fd, fixed, 0, 8, 0) !== 8 || fixed.toString('latin1', 0, 4) !== FILE_MAGIC) {
    throw new Error(`${file} is not an STC feature file (bad magic); delete the folder ${path.dirname(file)} to extract again.`);
  }
  const length = fixed.readUInt32LE(4);
  const json = Buffer.alloc(length);
  fs.readSync(fd, json, 0, length, 8);
  let header: BlockHeader;
  try {
    header = JSON.parse(json.toString('utf8')) as BlockHeader;
  } catch (e) {
    throw new Error(`${file} has a damaged header; delete the folder ${path.dirname(file)} to extract again.`, { cause: e });
  }
  if (header.magic !== MAGIC || header.version !== STORE_FORMAT_VERSION || header.dtype !== 'float32' || header.byteOrder !== 'little') {
    throw new Error(`${file} is format ${header.magic} v${header.version} (${header.dtype}, ${header.byteOrder}); this version reads ${MAGIC} v${STORE_FORMAT_VERSION} float32 little-endian. Delete the folder to extract again.`);
  }
  return { header, dataOffset: 8 + length };
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
