// A JSON array of objects. The array's elements are delimited by a small scanner (strings and
// nesting only) so that each element's line is known for messages and editors, so that a syntax
// error is reported at its element, and so that the start of a huge file can be sniffed.
import { DataError } from './errors';
import { describeJsonType, tableFromObjects } from './table';
import type { LocatedObject, RawTable } from './table';

interface ElementSpan {
  readonly start: number;
  readonly end: number;
  readonly line: number;
}

/** `complete` is false when `text` is only the start of a file: elements cut by its end are left out. */
export function readJsonArray(text: string, file: string, complete: boolean): RawTable {
  const objects: LocatedObject[] = [];
  scanArray(text, file, complete).forEach((span, i) => {
    const row = i + 1;
    const source = text.slice(span.start, span.end);
    let value: unknown;
    try {
      value = JSON.parse(source);
    } catch (e) {
      const message = (e as Error).message;
      const position = /position (\d+)/.exec(message);
      const line = span.line + (position ? countNewlines(source, Number(position[1])) : 0);
      throw new DataError('syntax', { file, row, line }, `invalid JSON in this element (${message}).`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new DataError(
        'format',
        { file, row, line: span.line },
        `expected each array element to be an object such as {"text": "...", "label": "..."}, found ${describeJsonType(value)}.`,
      );
    }
    objects.push({ row, line: span.line, value: value as Record<string, unknown> });
  });
  return tableFromObjects(file, 'json', objects);
}

function countNewlines(s: string, end: number): number {
  let n = 0;
  for (let i = 0; i < end && i < s.length; i++) if (s.charCodeAt(i) === 0x0a) n++;
  return n;
}

const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** Spans of the top-level elements of a JSON array. */
function scanArray(text: string, file: string, complete: boolean): ElementSpan[] {
  const n = text.length;
  let i = 0;
  let line = 1;
  const skipSpace = (): void => {
    while (i < n && isSpace(text.charCodeAt(i))) {
      if (text.charCodeAt(i) === 0x0a) line++;
      i++;
    }
  };
  const fail = (what: string): never => {
    throw new DataError('syntax', { file, line }, what);
  };
  const truncated = 'the array is not closed with "]"; the file may be truncated.';

  skipSpace();
  if (i >= n && !complete) return [];
  if (text[i] !== '[') {
    throw new DataError(
      'format',
      { file, line },
      'expected a JSON array of objects ([{"text": "...", "label": "..."}, ...]) or JSON Lines (one object per line).',
    );
  }
  i++;
  const spans: ElementSpan[] = [];
  skipSpace();
  let closed = text[i] === ']';
  if (closed) i++;
  while (!closed) {
    skipSpace();
    if (i >= n) {
      if (complete) fail(truncated);
      break;
    }
    if (text[i] === ']') fail('a comma before "]" is not allowed in JSON; remove it.');
    const start = i;
    const startLine = line;
    // One value: nesting is tracked outside strings; a scalar ends at the next ',' or ']'.
    let depth = 0;
    let finished = false;
    while (i < n && !finished) {
      const c = text[i];
      if (c === '"') {
        i++;
        while (i < n && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
        if (i < n) i++;
        finished = depth === 0 && i < n && (text[i] === ',' || text[i] === ']' || isSpace(text.charCodeAt(i)));
      } else if (c === '{' || c === '[') {
        depth++;
        i++;
      } else if (c === '}' || c === ']') {
        if (depth === 0) finished = true; // the array's own "]" ends a scalar
        else {
          depth--;
          i++;
          finished = depth === 0;
        }
      } else if (depth === 0 && (c === ',' || isSpace(text.charCodeAt(i)))) finished = true;
      else {
        if (c === '\n') line++;
        i++;
      }
    }
    if (!finished) {
      if (complete) fail(truncated);
      break; // cut by the end of the text
    }
    spans.push({ start, end: i, line: startLine });
    skipSpace();
    if (text[i] === ',') i++;
    else if (text[i] === ']') {
      i++;
      closed = true;
    } else if (i >= n) {
      if (complete) fail(truncated);
      break;
    } else fail(`expected "," or "]" after element ${spans.length} of the array.`);
  }
  if (complete) {
    skipSpace();
    if (i < n) fail('unexpected text after the end of the array; a file holds one JSON array.');
  }
  return spans;
}
