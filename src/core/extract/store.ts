// Reading finished feature stores, and deleting those of another format version or beyond the
// cache's size cap (store-format.ts describes the files, store-writer.ts how they are written).
// Block files hold rows in the extraction's order; readers return them in dataset order, one block
// at a time, so memory stays at one matrix (plus the row order).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { npyHeader } from './npy';
import { storeInUse } from './store-lock';
import {
  COMPLETE, STORE_FORMAT_VERSION,
  blockFile, readBlockHeader, readJson, readManifest, readOrder,
  type BlockSpec, type FeatureMatrix,
} from './store-format';

/** Buffers per readv call: Linux's and macOS's limit. */
const IOV_MAX = 1024;

export interface FeatureStore {
  readonly dir: string;
  readonly key: string;
  readonly rows: number;
  readonly blocks: readonly BlockSpec[];
  readonly info: Readonly<Record<string, unknown>>;
}

/** Whether `dir` holds a finished store this version can read (a store of another format version is not). */
export function isStoreComplete(dir: string): boolean {
  const manifest = readManifest(dir);
  const marker = readJson(path.join(dir, COMPLETE)) as { key?: unknown } | undefined;
  return manifest?.version === STORE_FORMAT_VERSION && marker !== undefined && marker.key === manifest.key;
}

/** The store folders under `root` (those with a manifest) and the format version each was written in. */
function storesUnder(root: string): { dir: string; version: number }[] {
  if (!fs.existsSync(root)) return [];
  return fs.readdirSync(root, { withFileTypes: true }).flatMap((entry) => {
    const dir = path.join(root, entry.name);
    const version = entry.isDirectory() ? readManifest(dir)?.version : undefined;
    return version === undefined ? [] : [{ dir, version }];
  });
}

/**
 * Deletes the stores under `root` written in another format version: the key hashes the version,
 * so no extraction of this version looks them up again, and each holds the features of a whole
 * dataset (a gigabyte for SST-2 train). A store a live process writes or reads (its lock or a
 * read lease) is left alone.
 * Returns the folders deleted.
 */
export function pruneOutdatedStores(root: string): string[] {
  const pruned: string[] = [];
  for (const { dir, version } of storesUnder(root)) {
    if (version === STORE_FORMAT_VERSION || storeInUse(dir)) continue;
    fs.rmSync(dir, { recursive: true, force: true });
    pruned.push(dir);
  }
  return pruned;
}

export interface DeletedStore {
  readonly dir: string;
  readonly bytes: number;
  /** The folder's mtime: when the store was last written or reused. */
  readonly lastUsed: Date;
}

/**
 * Deletes the least recently used stores under `root` (this format version, finished or resumable)
 * until they total at most `maxBytes` (0, less or undefined: no cap). The key changes with the
 * data, the model and the settings, so without a cap the stores of data no longer trained on pile
 * up, a gigabyte each for SST-2 train. Last use is the folder's mtime, which creating a store's
 * files sets and extractFeatures sets on reuse. Sizes are the files' lengths, so a store whose
 * block files were just created (whole, still empty) counts at its finished size, and room is made
 * before its rows are written. `keep`, the store the caller is about to use, and a store a live
 * process writes or reads (its lock or a read lease) stay even when the total then stays over the
 * cap; folders without a store manifest are not the cache's.
 */
export function pruneStoreCache(root: string, { maxBytes, keep }: { maxBytes: number | undefined; keep: string }): DeletedStore[] {
  const cap = maxBytes ?? 0;
  if (!(cap > 0)) return [];
  const stores = storesUnder(root).flatMap(({ dir, version }) => {
    if (version !== STORE_FORMAT_VERSION) return [];
    try {
      // A store is flat: its files are all at its top level.
      const bytes = fs.readdirSync(dir).reduce((sum, f) => sum + (fs.statSync(path.join(dir, f), { throwIfNoEntry: false })?.size ?? 0), 0);
      return [{ dir, bytes, lastUsed: fs.statSync(dir).mtime }];
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return []; // another run's pruning deleted it meanwhile
      throw e;
    }
  });
  stores.sort((a, b) => a.lastUsed.getTime() - b.lastUsed.getTime() || a.dir.localeCompare(b.dir));
  let total = stores.reduce((sum, s) => sum + s.bytes, 0);
  const deleted: DeletedStore[] = [];
  for (const store of stores) {
    if (total <= cap) break;
    if (path.resolve(store.dir) === path.resolve(keep) || storeInUse(store.dir)) continue;
    fs.rmSync(store.dir, { recursive: true, force: true });
    total -= store.bytes;
    deleted.push(store);
  }
  return deleted;
}

/** Opens a finished store for reading. */
export function openFeatureStore(dir: string): FeatureStore {
  const m = readManifest(dir);
  if (m !== undefined && m.version !== STORE_FORMAT_VERSION) {
    // The key hashes the format version, so the extraction never looks here again; the folder is dead weight.
    throw new Error(`${dir} is a feature store of format v${m.version}; this version reads v${STORE_FORMAT_VERSION}. Run the extraction again (it writes a new store) and delete this folder.`);
  }
  if (m === undefined || !isStoreComplete(dir)) throw new Error(`${dir} is not a finished feature store; run the extraction (it resumes where it stopped).`);
  return { dir, key: m.key, rows: m.rows, blocks: m.blocks, info: m.info ?? {} };
}

/** Loads one block: rows in dataset order, row-major. */
export function readBlock(store: FeatureStore, block: string): FeatureMatrix {
  if (!store.blocks.some((b) => b.name === block)) {
    throw new Error(`Feature store ${store.dir} has no block ${block}; it has ${store.blocks.map((b) => b.name).join(', ')}.`);
  }
  const file = blockFile(store.dir, block);
  const fd = fs.openSync(file, 'r');
  try {
    const { header, dataOffset } = readBlockHeader(file, fd);
    const { rows, dim } = header;
    const expected = dataOffset + rows * dim * 4;
    const size = fs.fstatSync(fd).size;
    if (header.key !== store.key || header.block !== block || rows !== store.rows || size !== expected) {
      throw new Error(`${file} does not match its store (key, block, rows or size ${size} != ${expected} bytes); delete ${store.dir} to extract again.`);
    }
    const order = readOrder(store.dir, store.key, rows);
    const data = new Float32Array(rows * dim);
    const bytes = new Uint8Array(data.buffer);
    const rowBytes = dim * 4;
    // One pass in file order; the kernel puts each row at its dataset position (a scatter read of
    // IOV_MAX rows per call), so this costs about what a plain read of the block does.
    for (let p0 = 0; p0 < rows; p0 += IOV_MAX) {
      const rowViews = Array.from(order.subarray(p0, p0 + IOV_MAX), (row) => bytes.subarray(row * rowBytes, (row + 1) * rowBytes));
      if (fs.readvSync(fd, rowViews, dataOffset + p0 * rowBytes) !== rowViews.length * rowBytes) throw new Error(`${file}: unexpected end of file.`);
    }
    return { rows, cols: dim, data };
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes a block as a NumPy .npy file (float32, [rows, dim], dataset order). */
export function exportBlockNpy(store: FeatureStore, block: string, outFile: string): void {
  const m = readBlock(store, block);
  const tmp = `${outFile}.tmp-${process.pid}`;
  const out = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(out, npyHeader(m.rows, m.cols));
    // Chunked: one write is limited to 2 GB.
    const bytes = new Uint8Array(m.data.buffer, m.data.byteOffset, m.data.byteLength);
    for (let at = 0; at < bytes.length; at += 1 << 26) fs.writeSync(out, bytes.subarray(at, Math.min(bytes.length, at + (1 << 26))));
  } catch (e) {
    fs.closeSync(out);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.closeSync(out);
  fs.renameSync(tmp, outFile);
}
