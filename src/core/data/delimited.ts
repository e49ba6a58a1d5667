// CSV and TSV files with a header row, as a RawTable.
import { CsvParser, detectDelimiter } from './csv';
import type { CsvRecord } from './csv';
import { DataError } from './errors';
import type { DataWarning } from './errors';
import type { RawRecord, RawTable } from './table';

/**
 * `complete` is false when `text` is only the start of a file (sniffing): the last, possibly cut,
 * record is left out and an unclosed quote is not an error.
 *
 * Files written without any quoting (common for TSV) break RFC 4180 as soon as a text starts with
 * a quote. So when the file does not parse with quoting, it is read again with quotes taken
 * literally, and that reading is used (with a warning) if every row then has the header's width.
 */
export function readDelimited(text: string, format: 'csv' | 'tsv', file: string, complete: boolean): RawTable {
  const delimiter = detectDelimiter(text, format === 'tsv' ? '\t' : ',');
  try {
    return toTable(parseRecords(text, delimiter, true, file, complete), delimiter, format, file, []);
  } catch (quotedError) {
    if (!(quotedError instanceof DataError) || (quotedError.code !== 'syntax' && quotedError.code !== 'ragged')) {
      throw quotedError;
    }
    const warning = {
      code: 'quotes-ignored',
      message:
        `${file}: read with quote characters taken literally, which gives every row the header's number of ` +
        `fields; with quoted fields, line ${quotedError.location.line ?? '?'} fails: ${quotedError.detail}`,
      count: 1,
    } as const;
    try {
      return toTable(parseRecords(text, delimiter, false, file, complete), delimiter, format, file, [warning]);
    } catch {
      throw quotedError;
    }
  }
}

function parseRecords(text: string, delimiter: string, quoting: boolean, file: string, complete: boolean): CsvRecord[] {
  const records: CsvRecord[] = [];
  const parser = new CsvParser({ delimiter, quoting, file });
  const emit = (r: CsvRecord): void => {
    records.push(r);
  };
  parser.push(text, emit);
  if (complete) parser.end(emit);
  return records;
}

function toTable(
  records: CsvRecord[],
  delimiter: string,
  format: 'csv' | 'tsv',
  file: string,
  warnings: DataWarning[],
): RawTable {
  const header = records[0];
  if (header === undefined) return { file, format, columns: [], records: [], warnings };
  const columns = columnNames(header, file);
  const width = columns.length;
  const rows: RawRecord[] = [];
  for (let r = 1; r < records.length; r++) {
    const record = records[r] as CsvRecord;
    let fields = record.fields;
    if (fields.every((f) => f.trim() === '')) continue; // blank lines and rows of empty fields
    // Some writers end every row with a delimiter: empty fields past the header's width are dropped.
    if (fields.length > width && fields.slice(width).every((f) => f === '')) fields = fields.slice(0, width);
    if (fields.length !== width) {
      const name = delimiter === '\t' ? 'a tab' : `"${delimiter}"`;
      throw new DataError(
        'ragged',
        { file, row: record.row, line: record.line },
        `expected ${width} fields as in the header, found ${fields.length}; a field that contains ${name}, ` +
          'a quote or a line break must be enclosed in double quotes (with quotes inside it doubled).',
      );
    }
    rows.push({ row: record.row, line: record.line, cells: fields });
  }
  return { file, format, columns, records: rows, warnings };
}

/** Header names, trimmed; an empty name (like pandas' index column) becomes "column N". */
function columnNames(header: CsvRecord, file: string): string[] {
  const names = header.fields.map((f, i) => f.trim() || `column ${i + 1}`);
  const seen = new Map<string, number>();
  names.forEach((name, i) => {
    const first = seen.get(name);
    if (first !== undefined) {
      throw new DataError(
        'column',
        { file, row: header.row, line: header.line },
        `the header names column "${name}" twice (columns ${first + 1} and ${i + 1}); rename one of them.`,
      );
    }
    seen.set(name, i);
  });
  return names;
}
