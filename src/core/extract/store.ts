// Reading finished feature stores (store-format.ts describes the files, store-writer.ts how they
// are written). Readers load one block at a time, so memory stays at one matrix.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { npyHeader } from './npy';
import { COMPLETE, MANIFEST, blockFile, readBlockHeader, readFully, readJson, type BlockHeader, type BlockSpec, type FeatureMatrix, type Manifest } from './store-format';

export interface FeatureStore {
  readonly dir: string;
  readonly key: string;
  readonly rows: number;
  readonly blocks: readonly BlockSpec[];
  readonly info: Readonly<Record<string, unknown>>;
}

export function isStoreComplete(dir: string): boolean {
  const manifest = readJson(path.join(dir, MANIFEST)) as Manifest | undefined;
  const marker = readJson(path.join(dir, COMPLETE)) as { key?: unknown } | undefined;
  return manifest !== undefined && marker !== undefined && marker.key === manifest.key;
}

/** Opens a finished store for reading. */
export function openFeatureStore(dir: string): FeatureStore {
  if (!isStoreComplete(dir)) throw new Error(`${dir} is not a finished feature store; run the extraction (it resumes where it stopped).`);
  const m = readJson(path.join(dir, MANIFEST)) as Manifest;
  return { dir, key: m.key, rows: m.rows, blocks: m.blocks, info: m.info ?? {} };
}

interface OpenedBlock {
  readonly fd: number;
  readonly file: string;
  readonly header: BlockHeader;
  readonly dataOffset: number;
}

function openBlock(store: FeatureStore, block: string): OpenedBlock {
  if (!store.blocks.some((b) => b.name === block)) {
    throw new Error(`Feature store ${store.dir} has no block ${block}; it has ${store.blocks.map((b) => b.name).join(', ')}.`);
  }
  const file = blockFile(store.dir, block);
  const fd = fs.openSync(file, 'r');
  try {
    const { header, dataOffset } = readBlockHeader(file, fd);
    const expected = dataOffset + header.rows * header.dim * 4;
    const size = fs.fstatSync(fd).size;
    if (header.key !== store.key || header.block !== block || header.rows !== store.rows || size !== expected) {
      throw new Error(`${file} does not match its store (key, block, rows or size ${size} != ${expected} bytes); delete ${store.dir} to extract again.`);
    }
    return { fd, file, header, dataOffset };
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
}

/** Loads one block: rows in dataset order, row-major. */
export function readBlock(store: FeatureStore, block: string): FeatureMatrix {
  const b = openBlock(store, block);
  try {
    const data = new Float32Array(b.header.rows * b.header.dim);
    readFully(b.fd, new Uint8Array(data.buffer), b.dataOffset, b.file);
    return { rows: b.header.rows, cols: b.header.dim, data };
  } finally {
    fs.closeSync(b.fd);
  }
}

/** Writes a block as a NumPy .npy file (float32, [rows, dim]), copying it in chunks. */
export function exportBlockNpy(store: FeatureStore, block: string, outFile: string): void {
  const b = openBlock(store, block);
  const tmp = `${outFile}.tmp-${process.pid}`;
  const out = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(out, npyHeader(b.header.rows, b.header.dim));
    const total = b.header.rows * b.header.dim * 4;
    const buf = new Uint8Array(1 << 24);
    for (let at = 0; at < total; ) {
      const n = Math.min(buf.length, total - at);
      readFully(b.fd, buf.subarray(0, n), b.dataOffset + at, b.file);
      fs.writeSync(out, buf, 0, n);
      at += n;
    }
  } catch (e) {
    fs.closeSync(out);
    fs.rmSync(tmp, { force: true });
    throw e;
  } finally {
    fs.closeSync(b.fd);
  }
  fs.closeSync(out);
  fs.renameSync(tmp, outFile);
}
