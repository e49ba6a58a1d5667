// Feature parity between two extractions of the same rows: per block, the largest absolute
// difference and the smallest cosine similarity of a row vector with its counterpart.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readBlock, type FeatureStore } from '../src/core/extract/store';
import type { FeatureMatrix } from '../src/core/extract/store-format';

export interface BlockParity {
  readonly block: string;
  readonly maxAbsDiff: number;
  readonly minCosine: number;
}

/** The first `rows` rows of a little-endian float32 C-order .npy matrix (as extract_torch.py writes). */
export function readNpyRows(file: string, rows: number): FeatureMatrix {
  const fd = fs.openSync(file, 'r');
  try {
    const prefix = Buffer.alloc(12);
    fs.readSync(fd, prefix, 0, 12, 0);
    if (prefix.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error(`${file} is not a .npy file.`);
    const major = prefix[6] ?? 1;
    const headerLength = major === 1 ? prefix.readUInt16LE(8) : prefix.readUInt32LE(8);
    const headerStart = major === 1 ? 10 : 12;
    const header = Buffer.alloc(headerLength);
    fs.readSync(fd, header, 0, headerLength, headerStart);
    const dict = header.toString('latin1');
    const shape = /'shape':\s*\((\d+),\s*(\d+)\)/.exec(dict);
    if (!dict.includes("'<f4'") || dict.includes("'fortran_order': True") || !shape) {
      throw new Error(`${file}: expected a little-endian float32 C-order matrix, found header ${dict.trim()}.`);
    }
    const cols = Number(shape[2]);
    const n = Math.min(rows, Number(shape[1]));
    const data = new Float32Array(n * cols);
    fs.readSync(fd, new Uint8Array(data.buffer), 0, data.byteLength, headerStart + headerLength);
    return { rows: n, cols, data };
  } finally {
    fs.closeSync(fd);
  }
}

export function compareMatrices(block: string, a: FeatureMatrix, b: FeatureMatrix, rows: number): BlockParity {
  if (a.cols !== b.cols) throw new Error(`${block}: dimensions differ (${a.cols} vs ${b.cols}).`);
  const n = Math.min(rows, a.rows, b.rows);
  let maxAbsDiff = 0;
  let minCosine = 1;
  for (let r = 0; r < n; r++) {
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (let c = r * a.cols; c < (r + 1) * a.cols; c++) {
      const x = a.data[c] ?? 0;
      const y = b.data[c] ?? 0;
      maxAbsDiff = Math.max(maxAbsDiff, Math.abs(x - y));
      dot += x * y;
      na += x * x;
      nb += y * y;
    }
    // Two zero vectors are the same vector.
    const cosine = na === 0 && nb === 0 ? 1 : dot / Math.sqrt(na * nb);
    minCosine = Math.min(minCosine, cosine);
  }
  return { block, maxAbsDiff, minCosine };
}

/** Every block of `store` against the .npy of the same name in `npyDir`, over the first `rows` rows. */
export function compareWithNpy(store: FeatureStore, npyDir: string, rows: number): BlockParity[] {
  return store.blocks.map(({ name }) => compareMatrices(name, readBlock(store, name), readNpyRows(path.join(npyDir, `${name}.npy`), rows), rows));
}

/** Every block of `a` against the same block of `b`. */
export function compareStores(a: FeatureStore, b: FeatureStore, rows: number): BlockParity[] {
  return a.blocks.map(({ name }) => compareMatrices(name, readBlock(a, name), readBlock(b, name), rows));
}

/** The block with the largest difference, and the smallest cosine over all blocks. */
export function worst(parity: readonly BlockParity[]): { maxAbsDiff: BlockParity; minCosine: BlockParity } {
  const first = parity[0];
  if (!first) throw new Error('No blocks to compare.');
  return {
    maxAbsDiff: parity.reduce((w, p) => (p.maxAbsDiff > w.maxAbsDiff ? p : w), first),
    minCosine: parity.reduce((w, p) => (p.minCosine < w.minCosine ? p : w), first),
  };
}
