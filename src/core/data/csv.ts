// RFC 4180 records from text that arrives in chunks: quoted fields with embedded delimiters,
// newlines and doubled quotes; CRLF, LF or CR line ends. A quote only opens a quoted field at the
// start of a field; elsewhere it is an ordinary character (as in Python's csv and pandas).
import { DataError } from './errors';

export interface CsvRecord {
  readonly fields: string[];
  /** 1-based record number, blank lines not counted (the header is record 1). */
  readonly row: number;
  /** 1-based physical line where the record starts. */
  readonly line: number;
}

export interface CsvOptions {
  readonly delimiter: string;
  /** false: quote characters are ordinary characters (for files written without quoting). */
  readonly quoting: boolean;
  /** For error messages. */
  readonly file: string;
}

const enum State {
  FieldStart,
  Unquoted,
  Quoted,
  /** A quote seen inside a quoted field: either the first of a doubled quote or the closing one. */
  QuoteInQuoted,
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

export class CsvParser {
  private readonly delimiter: number;
  private state = State.FieldStart;
  private fields: string[] = [];
  /** The current field's text from earlier chunks and earlier segments. */
  private field = '';
  private line = 1;
  private previousWasCR = false;
  private row = 0;
  private recordLine = 1;
  private quoteOpenedAt = { row: 0, line: 0 };

  constructor(private readonly options: CsvOptions) {
    if (options.delimiter.length !== 1) throw new Error('a CSV delimiter is one character');
    this.delimiter = options.delimiter.charCodeAt(0);
  }

  /** Parses a chunk; complete records are passed to `emit`. A record cut by the chunk's end is
   *  kept for the next chunk (and never emitted if `end` is not called, e.g. when sniffing). */
  push(chunk: string, emit: (record: CsvRecord) => void): void {
    const delimiter = this.delimiter;
    const quoting = this.options.quoting;
    let segment = 0; // start of the current field's text within this chunk
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      const afterCR = this.previousWasCR;
      this.previousWasCR = c === CR;
      if (c === CR || (c === LF && !afterCR)) this.line++;

      switch (this.state) {
        case State.FieldStart:
          if (c === LF && afterCR && this.fields.length === 0) continue; // the LF of a CRLF
          if (c === QUOTE && quoting) {
            this.state = State.Quoted;
            this.quoteOpenedAt = { row: this.row + 1, line: this.line };
            segment = i + 1;
            continue;
          }
          if (c === delimiter) {
            this.fields.push('');
            continue;
          }
          if (c === LF || c === CR) {
            if (this.fields.length === 0) this.recordLine = this.line; // a blank line: no record
            else this.endRecord('', emit);
            continue;
          }
          this.state = State.Unquoted;
          segment = i;
          continue;
        case State.Unquoted:
          if (c === delimiter) {
            this.fields.push(this.field + chunk.slice(segment, i));
            this.field = '';
            this.state = State.FieldStart;
          } else if (c === LF || c === CR) {
            this.endRecord(this.field + chunk.slice(segment, i), emit);
          }
          continue;
        case State.Quoted:
          if (c === QUOTE) {
            this.field += chunk.slice(segment, i);
            this.state = State.QuoteInQuoted;
          }
          continue;
        case State.QuoteInQuoted:
          if (c === QUOTE) {
            this.field += '"';
            segment = i + 1;
            this.state = State.Quoted;
          } else if (c === delimiter) {
            this.fields.push(this.field);
            this.field = '';
            this.state = State.FieldStart;
          } else if (c === LF || c === CR) {
            this.endRecord(this.field, emit);
          } else {
            throw new DataError(
              'syntax',
              { file: this.options.file, row: this.row + 1, line: this.line },
              `unexpected "${chunk[i]}" after the closing quote of field ${this.fields.length + 1}; inside a quoted field write a ` +
                'quote as two quotes (""), or do not start an unquoted field with a quote.',
            );
          }
          continue;
      }
    }
    if (this.state === State.Unquoted || this.state === State.Quoted) this.field += chunk.slice(segment);
  }

  /** Ends the input: emits the last record if the text does not end with a line break. */
  end(emit: (record: CsvRecord) => void): void {
    switch (this.state) {
      case State.Quoted:
        throw new DataError(
          'syntax',
          { file: this.options.file, row: this.quoteOpenedAt.row, line: this.quoteOpenedAt.line },
          'a quoted field opened here is never closed; add the closing quote, or write quotes inside a ' +
            'quoted field as two quotes ("").',
        );
      case State.Unquoted:
      case State.QuoteInQuoted:
        this.endRecord(this.field, emit);
        break;
      case State.FieldStart:
        if (this.fields.length > 0) this.endRecord('', emit); // "a,b," at the very end
        break;
    }
  }

  private endRecord(lastField: string, emit: (record: CsvRecord) => void): void {
    this.fields.push(lastField);
    this.row++;
    emit({ fields: this.fields, row: this.row, line: this.recordLine });
    this.fields = [];
    this.field = '';
    this.state = State.FieldStart;
    this.recordLine = this.line;
  }
}

/** Parses a whole text. */
export function parseCsv(text: string, options: CsvOptions): CsvRecord[] {
  const records: CsvRecord[] = [];
  const parser = new CsvParser(options);
  const emit = (r: CsvRecord): void => {
    records.push(r);
  };
  parser.push(text, emit);
  parser.end(emit);
  return records;
}

const DELIMITERS = [',', '\t', ';', '|'];

/**
 * The delimiter of a delimited text: the one its extension implies when the first line contains
 * it, else the most frequent of comma, tab, semicolon and bar in the first line (spreadsheets in
 * many locales write ";" into .csv files).
 */
export function detectDelimiter(text: string, expected: string): string {
  const newline = text.search(/[\r\n]/);
  const firstLine = newline < 0 ? text : text.slice(0, newline);
  if (firstLine.includes(expected)) return expected;
  let best = expected;
  let bestCount = 0;
  for (const d of DELIMITERS) {
    const count = firstLine.split(d).length - 1;
    if (count > bestCount) {
      best = d;
      bestCount = count;
    }
  }
  return best;
}
