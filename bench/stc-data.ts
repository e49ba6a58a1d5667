// The STC benchmark's data: a dataset folder's train/dev/test files, each cut to a seeded stratified
// subsample, laid out as one table of rows (train, then dev, then test) as trainClassifier does, and
// the same rows exported per split as .npy for the Python reference (its input layout is in the
// header of bench/reference/stc_reference.py).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadDataset, prepareData, stratifiedSplit, subsetDataset, type Dataset } from '../src/core/data';
import { npyHeader } from '../src/core/extract/npy';
import { readBlock, type FeatureStore } from '../src/core/extract/store';
import { blockName } from '../src/core/neurons';
import type { Metric, StcInput } from '../src/core/stc';

export interface Layout {
  readonly dataset: string;
  readonly texts: string[];
  /** Class index of every row. */
  readonly y: number[];
  readonly classes: string[];
  /** Rows per split, in this order: train rows first, then dev, then test. */
  readonly counts: { readonly train: number; readonly dev: number; readonly test: number };
  /** Rows in each source file before subsampling. */
  readonly fullCounts: { readonly train: number; readonly dev: number | null; readonly test: number };
  readonly devSource: string;
}

/** At most `max` rows of `d`, stratified by label and seeded (stratifiedSplit's held-out part). */
export function subsample(d: Dataset, max: number, seed: number): Dataset {
  if (d.texts.length <= max) return d;
  const picked = stratifiedSplit(d.labels, { devFraction: max / d.texts.length, seed }).dev;
  return subsetDataset(d, picked);
}

export interface Caps {
  readonly maxTrain: number;
  readonly maxDev: number;
  readonly maxTest: number;
  readonly seed: number;
}

export async function loadLayout(folder: string, caps: Caps): Promise<Layout> {
  const file = (split: string) => path.join(folder, `${split}.jsonl`);
  const train = await loadDataset(file('train'));
  const dev = fs.existsSync(file('dev')) ? await loadDataset(file('dev')) : undefined;
  const test = await loadDataset(file('test'));
  // Without a dev file, validation is prepareData's 10% stratified split of the subsampled train.
  const data = prepareData(subsample(train, caps.maxTrain, caps.seed), {
    dev: dev && subsample(dev, caps.maxDev, caps.seed),
    test: subsample(test, caps.maxTest, caps.seed),
  });
  const parts = [data.train, data.dev, data.test].filter((p) => p !== undefined);
  return {
    dataset: path.basename(folder),
    texts: parts.flatMap((p) => [...p.dataset.texts]),
    y: parts.flatMap((p) => [...p.y]),
    classes: [...data.classes],
    counts: { train: data.train.y.length, dev: data.dev.y.length, test: data.test?.y.length ?? 0 },
    fullCounts: { train: train.texts.length, dev: dev?.texts.length ?? null, test: test.texts.length },
    devSource: data.devSource === 'file' ? `dev.jsonl, subsampled` : '10% of the subsampled train, stratified, seed 42',
  };
}

/** The selection metric per dataset: macro-F1 where the issue asks for it (sms_spam is 87% ham). */
export const METRIC: Record<string, Metric> = { sst2: 'accuracy', trec: 'accuracy', subj: 'accuracy', sms_spam: 'macroF1', emotion: 'accuracy' };

/** trainStc's input for the layout's rows of a finished feature store. */
export function stcInput(store: FeatureStore, layout: Layout, numLayers: number): StcInput {
  return {
    source: { numLayers, read: (b) => readBlock(store, blockName(b)) },
    splits: splitRows(layout),
    y: Int32Array.from(layout.y),
    classes: layout.classes,
    devSource: layout.devSource,
  };
}

/** The row indices of each split in the layout's table. */
export function splitRows(layout: Pick<Layout, 'counts'>): { train: Int32Array; dev: Int32Array; test: Int32Array } {
  const ranges = splitRanges(layout);
  const rows = ([from, to]: [number, number]) => Int32Array.from({ length: to - from }, (_, i) => from + i);
  return { train: rows(ranges.train), dev: rows(ranges.dev), test: rows(ranges.test) };
}

/** Row ranges of the splits in the layout's table. */
export function splitRanges(layout: Pick<Layout, 'counts'>): { train: [number, number]; dev: [number, number]; test: [number, number] } {
  const { train, dev, test } = layout.counts;
  return { train: [0, train], dev: [train, train + dev], test: [train + dev, train + dev + test] };
}

function writeNpy(file: string, rows: number, cols: number, data: Float32Array): void {
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, npyHeader(rows, cols));
    fs.writeSync(fd, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  } finally {
    fs.closeSync(fd);
  }
}

/** Class indices as int64 .npy (npy.ts writes float32 matrices only; this is its 1-D int64 twin). */
function writeInt64Npy(file: string, values: readonly number[]): void {
  const dict = `{'descr': '<i8', 'fortran_order': False, 'shape': (${values.length},), }`;
  const total = Math.ceil((10 + dict.length + 1) / 64) * 64;
  const header = Buffer.alloc(total, 0x20);
  header.write('\x93NUMPY', 0, 'latin1');
  header[6] = 1;
  header[7] = 0;
  header.writeUInt16LE(total - 10, 8);
  header.write(dict, 10, 'latin1');
  header[total - 1] = 0x0a;
  const data = BigInt64Array.from(values, (v) => BigInt(v));
  fs.writeFileSync(file, Buffer.concat([header, new Uint8Array(data.buffer)]));
}

/** The reference's input directory: meta.json, labels.json, {train,dev,test}/{labels,<block>}.npy. */
export function exportForReference(store: FeatureStore, layout: Layout, numLayers: number, outDir: string): void {
  const ranges = splitRanges(layout);
  for (const split of ['train', 'dev', 'test'] as const) fs.mkdirSync(path.join(outDir, split), { recursive: true });
  fs.writeFileSync(path.join(outDir, 'meta.json'), JSON.stringify({ num_layers: numLayers, dataset: layout.dataset, store: store.key }) + '\n');
  fs.writeFileSync(path.join(outDir, 'labels.json'), JSON.stringify(layout.classes) + '\n');
  for (const [split, [from, to]] of Object.entries(ranges)) writeInt64Npy(path.join(outDir, split, 'labels.npy'), layout.y.slice(from, to));
  for (const block of store.blocks) {
    const m = readBlock(store, block.name);
    for (const [split, [from, to]] of Object.entries(ranges)) {
      writeNpy(path.join(outDir, split, `${block.name}.npy`), to - from, m.cols, m.data.subarray(from * m.cols, to * m.cols));
    }
  }
}
