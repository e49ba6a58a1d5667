// The training files as one table of rows (train, then dev, then test), the layout a single
// feature store and trainStc's row-index splits expect.
import { DEFAULT_DEV_FRACTION, DEFAULT_SEED, loadDataset, prepareData, type Dataset } from '../data';
import type { SplitRows } from '../stc';

export interface TrainFiles {
  readonly train: string;
  readonly dev?: string | undefined;
  readonly test?: string | undefined;
  readonly textColumn?: string | undefined;
  readonly labelColumn?: string | undefined;
}

export interface TrainRows {
  readonly texts: string[];
  /** Class index of every row. */
  readonly y: Int32Array;
  readonly classes: readonly string[];
  readonly splits: SplitRows;
  /** Where validation came from, for the report. */
  readonly devSource: string;
  readonly warnings: string[];
  /** One line per split for the log. */
  readonly summary: string[];
}

/** Loads the files (calling `onFile` after each) and lays their rows out train, dev, test. */
export async function loadTrainRows(files: TrainFiles, onFile: (done: number, total: number, file: string) => void): Promise<TrainRows> {
  const columns = { textColumn: files.textColumn, labelColumn: files.labelColumn };
  const paths = [files.train, files.dev, files.test];
  const total = paths.filter((p) => p !== undefined).length;
  const loaded: (Dataset | undefined)[] = [];
  for (const file of paths) {
    if (file === undefined) {
      loaded.push(undefined);
      continue;
    }
    loaded.push(await loadDataset(file, columns));
    onFile(loaded.filter(Boolean).length, total, file);
  }
  const [train, dev, test] = loaded as [Dataset, Dataset | undefined, Dataset | undefined];
  const data = prepareData(train, { dev, test });
  const parts = [data.train, data.dev, ...(data.test ? [data.test] : [])];
  const texts = parts.flatMap((p) => [...p.dataset.texts]);
  const y = new Int32Array(texts.length);
  const ranges: Int32Array[] = [];
  let offset = 0;
  for (const part of parts) {
    y.set(part.y, offset);
    ranges.push(Int32Array.from(part.y, (_, i) => offset + i));
    offset += part.y.length;
  }
  const devSource = data.devSource === 'file' ? `dev file ${files.dev as string}` : `${DEFAULT_DEV_FRACTION * 100}% of train, stratified, seed ${DEFAULT_SEED}`;
  const summary = (['train', 'dev', 'test'] as const).flatMap((name, s) => {
    const rows = ranges[s];
    if (!rows) return [];
    return [`${name}: ${rows.length} rows${name === 'dev' ? ` (${devSource})` : ` from ${(name === 'train' ? files.train : files.test) as string}`}`];
  });
  const warnings = [...loaded.flatMap((d) => d?.warnings ?? []), ...data.warnings].map((w) => w.message);
  return { texts, y, classes: data.classes, splits: { train: ranges[0] as Int32Array, dev: ranges[1] as Int32Array, test: ranges[2] }, devSource, warnings, summary };
}
