// Errors and warnings about a user's data. Every message says what is wrong, where (file, row or
// line, column, byte) and what to do, because it is shown as is by the CLI and the extension.

export type DataErrorCode =
  | 'not-found' // the path does not exist or cannot be read
  | 'too-large' // over the configured size limit
  | 'binary' // NUL bytes: not a text file (or UTF-16)
  | 'encoding' // invalid UTF-8
  | 'format' // unsupported format, or a file that is not what its extension says
  | 'syntax' // malformed CSV quoting or JSON
  | 'ragged' // a CSV/TSV row with the wrong number of fields
  | 'column' // a text or label column that is missing or cannot be found
  | 'value' // a cell of the wrong type (a number where text is expected, a list as label)
  | 'labels' // label problems across splits: one class only, labels unseen in training
  | 'empty'; // no usable rows

/** Where in a file something is. `row` counts records (the CSV header is row 1, a JSON array's
 *  first element is row 1); `line` is the 1-based physical line where that record starts. */
export interface DataLocation {
  readonly file: string;
  readonly row?: number;
  readonly line?: number;
  readonly column?: string;
  readonly byteOffset?: number;
}

export function formatLocation(at: DataLocation): string {
  let where = at.file;
  // When a record is one line (JSONL, most CSV rows) its row and line coincide: say "line" once.
  if (at.row !== undefined && at.line !== undefined && at.row !== at.line) where += `, row ${at.row} (line ${at.line})`;
  else if (at.line !== undefined) where += `, line ${at.line}`;
  else if (at.row !== undefined) where += `, row ${at.row}`;
  if (at.column !== undefined) where += `, column "${at.column}"`;
  if (at.byteOffset !== undefined) where += `, byte ${at.byteOffset}`;
  return where;
}

export class DataError extends Error {
  override readonly name = 'DataError';
  readonly code: DataErrorCode;
  readonly location: DataLocation;
  /** The message without its location prefix. */
  readonly detail: string;

  constructor(code: DataErrorCode, location: DataLocation, detail: string) {
    super(`${formatLocation(location)}: ${detail}`);
    this.code = code;
    this.location = location;
    this.detail = detail;
  }
}

export type DataWarningCode =
  | 'empty-text' // rows skipped because their text is empty or whitespace
  | 'missing-label' // rows skipped because their label is empty or null
  | 'ambiguous-column' // a column was detected but others were plausible too
  | 'quotes-ignored' // the file only parses with quote characters taken literally
  | 'single-example-class'; // a class too small to appear in the validation split

export interface DataWarning {
  readonly code: DataWarningCode;
  readonly message: string;
  /** How many rows or classes the warning is about. */
  readonly count: number;
  /** The first few affected rows (as in DataLocation.row), for the user to look at. */
  readonly rows?: readonly number[];
}

/** How many example rows a warning lists. */
export const EXAMPLE_ROWS = 5;

export function tooLarge(file: string, bytes: number, maxBytes: number): DataError {
  const mib = (n: number): string => `${(n / 2 ** 20).toFixed(1)} MiB`;
  return new DataError(
    'too-large',
    { file },
    `the data is ${mib(bytes)}, over the size limit of ${mib(maxBytes)}; raise the limit or use a smaller file.`,
  );
}
