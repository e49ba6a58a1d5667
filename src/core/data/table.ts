// The common shape every tabular reader produces, before columns are chosen: column names and,
// per record, its cells and where it is in the file.
import type { DataWarning } from './errors';

/** A file format. `folder` is folder-per-label: root/<label>/*.txt, one text per file. */
export type DataFormat = 'csv' | 'tsv' | 'jsonl' | 'json' | 'folder';

export interface RawRecord {
  /** 1-based record number (CSV: the header is row 1; JSONL: the line; JSON array: the element). */
  readonly row: number;
  /** 1-based line where the record starts. */
  readonly line: number;
  /** Aligned with RawTable.columns; undefined where a JSON object lacks the key. */
  readonly cells: readonly unknown[];
}

export interface RawTable {
  readonly file: string;
  readonly format: Exclude<DataFormat, 'folder'>;
  readonly columns: readonly string[];
  readonly records: readonly RawRecord[];
  readonly warnings: readonly DataWarning[];
}

export interface LocatedObject {
  readonly row: number;
  readonly line: number;
  readonly value: Record<string, unknown>;
}

/** A table from JSON objects: the columns are the union of their keys, in first-seen order. */
export function tableFromObjects(
  file: string,
  format: 'jsonl' | 'json',
  objects: readonly LocatedObject[],
): RawTable {
  const index = new Map<string, number>();
  for (const o of objects) for (const key of Object.keys(o.value)) if (!index.has(key)) index.set(key, index.size);
  const columns = [...index.keys()];
  const records = objects.map((o) => ({
    row: o.row,
    line: o.line,
    cells: columns.map((c) => (Object.hasOwn(o.value, c) ? o.value[c] : undefined)),
  }));
  return { file, format, columns, records, warnings: [] };
}

/** "a number", "a list", ... for messages about a JSON value of the wrong type. */
export function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'object':
      return 'an object';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    case 'string':
      return 'a string';
    default:
      return typeof value;
  }
}
