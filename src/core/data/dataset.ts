// A labeled dataset: texts with their gold labels and where each came from.
import type { ColumnChoice } from './columns';
import { DataError, EXAMPLE_ROWS, formatLocation } from './errors';
import type { DataLocation, DataWarning } from './errors';
import { describeJsonType } from './table';
import type { DataFormat, RawTable } from './table';

export interface Dataset {
  /** The file or (folder-per-label) folder it was read from. */
  readonly source: string;
  readonly format: DataFormat;
  readonly texts: readonly string[];
  /** Gold label of each text, as a string (JSON numbers and booleans are written as in JSON). */
  readonly labels: readonly string[];
  /** Per text: its row in `source` (see DataLocation.row); folder-per-label: its position in the listing. */
  readonly rows: readonly number[];
  /** Per text: the 1-based line of `source` where it starts (1 for folder-per-label files). */
  readonly lines: readonly number[];
  /** Folder-per-label only: per text, the file it was read from. */
  readonly files?: readonly string[];
  /** null for folder-per-label (the label is the folder, the text the file). */
  readonly textColumn: string | null;
  readonly labelColumn: string | null;
  /** Rows skipped and guesses made while reading. */
  readonly warnings: readonly DataWarning[];
}

/** Where text `i` of a dataset is, for messages. */
export function locateRow(dataset: Dataset, i: number): DataLocation {
  const file = dataset.files?.[i];
  if (file !== undefined) return { file };
  return { file: dataset.source, row: dataset.rows[i], line: dataset.lines[i] };
}

export function describeRow(dataset: Dataset, i: number): string {
  return formatLocation(locateRow(dataset, i));
}

/** The texts at `indices`, in that order, with everything else that is per text. The warnings
 *  stay with the dataset as read, so that they are reported once. */
export function subsetDataset(dataset: Dataset, indices: readonly number[]): Dataset {
  const pick = <T>(values: readonly T[]): T[] => indices.map((i) => values[i] as T);
  const files = dataset.files;
  return {
    ...dataset,
    warnings: [],
    texts: pick(dataset.texts),
    labels: pick(dataset.labels),
    rows: pick(dataset.rows),
    lines: pick(dataset.lines),
    ...(files === undefined ? {} : { files: pick(files) }),
  };
}

/**
 * Reads the chosen columns of every record. Rows whose text is empty (or only whitespace) and rows
 * without a label are skipped and counted in warnings; a text that is not a string, or a label that
 * is a list or an object, is an error.
 */
export function datasetFromTable(table: RawTable, columns: ColumnChoice): Dataset {
  const { file } = table;
  const textIndex = table.columns.indexOf(columns.text.column);
  const labelIndex = table.columns.indexOf(columns.label.column);
  const texts: string[] = [];
  const labels: string[] = [];
  const rows: number[] = [];
  const lines: number[] = [];
  const emptyText: number[] = [];
  const noLabel: number[] = [];
  for (const record of table.records) {
    const at = { file, row: record.row, line: record.line };
    const text = record.cells[textIndex];
    if (text !== undefined && text !== null && typeof text !== 'string') {
      throw new DataError(
        'value',
        { ...at, column: columns.text.column },
        `the text is ${describeJsonType(text)}, not a string; write it as a JSON string, or name the text column if this is the wrong one.`,
      );
    }
    if (text === undefined || text === null || text.trim() === '') {
      emptyText.push(record.row);
      continue;
    }
    const label = labelOf(record.cells[labelIndex], { ...at, column: columns.label.column });
    if (label === undefined) {
      noLabel.push(record.row);
      continue;
    }
    texts.push(text);
    labels.push(label);
    rows.push(record.row);
    lines.push(record.line);
  }
  if (texts.length === 0) {
    throw new DataError(
      'empty',
      { file },
      `none of its ${table.records.length} rows has both a text (column "${columns.text.column}") and a label ` +
        `(column "${columns.label.column}"); check the columns, or name them.`,
    );
  }
  const warnings: DataWarning[] = [...table.warnings];
  for (const [role, guess] of [['text', columns.text], ['label', columns.label]] as const) {
    if (guess.ambiguous && !guess.named) {
      const others = guess.candidates.slice(1).map((c) => `"${c}"`).join(', ');
      warnings.push({
        code: 'ambiguous-column',
        message: `${file}: using column "${guess.column}" as the ${role}; ${others} could be too: name the ${role} column to choose.`,
        count: guess.candidates.length,
      });
    }
  }
  if (emptyText.length > 0) {
    warnings.push(skipped('empty-text', table, emptyText, `an empty text (column "${columns.text.column}")`));
  }
  if (noLabel.length > 0) {
    warnings.push(skipped('missing-label', table, noLabel, `no label (column "${columns.label.column}")`));
  }
  return {
    source: file,
    format: table.format,
    texts,
    labels,
    rows,
    lines,
    textColumn: columns.text.column,
    labelColumn: columns.label.column,
    warnings,
  };
}

function skipped(code: 'empty-text' | 'missing-label', table: RawTable, rows: number[], what: string): DataWarning {
  const examples = rows.slice(0, EXAMPLE_ROWS);
  const more = rows.length > examples.length ? ', ...' : '';
  const noun = table.format === 'jsonl' ? 'line' : 'row'; // a JSONL row is a line
  return {
    code,
    message:
      `${table.file}: skipped ${rows.length} row${rows.length === 1 ? '' : 's'} with ${what}: ` +
      `${noun} ${examples.join(', ')}${more}.`,
    count: rows.length,
    rows: examples,
  };
}

/** A label as a string; undefined when missing. */
function labelOf(value: unknown, at: DataLocation): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value.trim() === '' ? undefined : value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new DataError(
    'value',
    at,
    `the label is ${describeJsonType(value)}; one label per row is expected (multi-label data is not supported).`,
  );
}
