// A cheap look at a candidate data file for listing it (quick picks): format, number of rows,
// columns and the detected text and label columns, from at most the first megabyte.
import { stat } from 'node:fs/promises';
import { chooseColumns } from './columns';
import type { ColumnChoice, ColumnRequest } from './columns';
import { decodeUtf8 } from './decode';
import type { DataWarning } from './errors';
import { listLabelFolders } from './folder';
import { labelSpace } from './labels';
import { readStart, statOrFail } from './load';
import { formatOfPath, readTable } from './read';
import type { FileFormat } from './read';
import type { DataFormat, RawTable } from './table';

export const SNIFF_BYTES = 2 ** 20;
const MAX_SNIFF_BYTES = 64 * 2 ** 20;
/** Distinct labels listed at most. */
const MAX_LABELS = 50;

export interface SniffResult {
  readonly path: string;
  readonly format: DataFormat;
  /** Size of the file, or of all the .txt files of a folder dataset. */
  readonly bytes: number;
  /** Data rows (header and blank lines excluded); an estimate when `rowsExact` is false. */
  readonly rows: number;
  readonly rowsExact: boolean;
  /** Empty for folder-per-label. */
  readonly columns: readonly string[];
  /** null for folder-per-label. */
  readonly detected: ColumnChoice | null;
  /** Distinct labels seen (all of them for folders), sorted as labelSpace sorts them, at most 50. */
  readonly labels: readonly string[];
  readonly warnings: readonly DataWarning[];
}

export interface SniffOptions extends ColumnRequest {
  readonly format?: FileFormat | undefined;
  /** At most this many bytes are read. */
  readonly maxBytes?: number | undefined;
}

/** Throws a DataError when the start of the file cannot be read as labeled data. */
export async function sniff(path: string, options: SniffOptions = {}): Promise<SniffResult> {
  const info = await statOrFail(path);
  if (info.isDirectory()) {
    const folders = await listLabelFolders(path);
    const files = folders.flatMap((f) => f.files);
    const sizes = await Promise.all(files.map(async (f) => (await stat(f)).size));
    return {
      path,
      format: 'folder',
      bytes: sizes.reduce((a, b) => a + b, 0),
      rows: files.length,
      rowsExact: true,
      columns: [],
      detected: null,
      labels: labelSpace(folders.map((f) => f.label)).slice(0, MAX_LABELS),
      warnings: [],
    };
  }
  const format = options.format ?? formatOfPath(path);
  // Read more only when not even one record fits (a first line longer than the cap).
  let cap = options.maxBytes ?? SNIFF_BYTES;
  let bytes: Uint8Array;
  let complete: boolean;
  let table: RawTable;
  do {
    bytes = await readStart(path, Math.min(cap, info.size));
    complete = bytes.length >= info.size;
    table = readTable(decodeUtf8(bytes, path, !complete), format, path, complete);
    cap *= 4;
  } while (table.records.length === 0 && !complete && cap <= MAX_SNIFF_BYTES);
  const detected = chooseColumns(table, options);
  const labelIndex = table.columns.indexOf(detected.label.column);
  const seen = new Set<string>();
  for (const r of table.records) {
    const v = r.cells[labelIndex];
    if (typeof v === 'string' ? v.trim() !== '' : typeof v === 'number' || typeof v === 'boolean') seen.add(String(v).trim());
  }
  const records = table.records.length;
  return {
    path,
    format: table.format,
    bytes: info.size,
    rows: complete ? records : Math.round((records * info.size) / Math.max(1, bytes.length)),
    rowsExact: complete,
    columns: table.columns,
    detected,
    labels: labelSpace([...seen]).slice(0, MAX_LABELS),
    warnings: table.warnings,
  };
}
