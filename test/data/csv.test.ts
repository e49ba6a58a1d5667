import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CsvParser, detectDelimiter, parseCsv } from '../../src/core/data/csv';
import type { CsvRecord } from '../../src/core/data/csv';
import { DataError } from '../../src/core/data/errors';

const options = { delimiter: ',', quoting: true, file: 'x.csv' };
const fields = (text: string, o = options): string[][] => parseCsv(text, o).map((r) => r.fields);

test('RFC 4180: quoted delimiters, doubled quotes, embedded line breaks, empty fields', () => {
  assert.deepEqual(fields('a,b,c\n"1,2","say ""hi""","x\ny"\n,,\n""," ",z'), [
    ['a', 'b', 'c'],
    ['1,2', 'say "hi"', 'x\ny'],
    ['', '', ''],
    ['', ' ', 'z'],
  ]);
});

test('CRLF, LF and lone CR all end records; blank lines are not records', () => {
  assert.deepEqual(fields('a,b\r\n1,2\r\n\r\n3,4\n\n5,6\r7,8\r\n'), [
    ['a', 'b'],
    ['1', '2'],
    ['3', '4'],
    ['5', '6'],
    ['7', '8'],
  ]);
});

test('a trailing delimiter at the end of input gives an empty last field', () => {
  assert.deepEqual(fields('a,b\n1,'), [['a', 'b'], ['1', '']]);
});

test('a quote inside an unquoted field is an ordinary character', () => {
  assert.deepEqual(fields('a,b\nhe said "x",1'), [['a', 'b'], ['he said "x"', '1']]);
});

test('records know their row (blank lines skipped) and their first physical line', () => {
  const records = parseCsv('h1,h2\r\n"multi\r\nline",1\r\n\r\nnext,2\n"a\nb\nc",3\nlast,4', options);
  assert.deepEqual(
    records.map((r) => [r.row, r.line]),
    [[1, 1], [2, 2], [3, 5], [4, 6], [5, 9]],
  );
});

test('any chunking gives the same records as one chunk', () => {
  const text = '\ufeffh1,h2\r\n"q,""x""\r\ny",plain\r\n\r\n"",\n"end""",z\r"a\rb",c';
  const whole = parseCsv(text, options);
  for (let size = 1; size <= text.length; size++) {
    const got: CsvRecord[] = [];
    const parser = new CsvParser(options);
    const emit = (r: CsvRecord): void => {
      got.push(r);
    };
    for (let i = 0; i < text.length; i += size) parser.push(text.slice(i, i + size), emit);
    parser.end(emit);
    assert.deepEqual(got, whole, `chunk size ${size}`);
  }
});

test('without end(), a record cut by the end of the input is not emitted (sniffing)', () => {
  const got: string[][] = [];
  const parser = new CsvParser(options);
  parser.push('a,b\n1,2\n"open quote, never closed', (r) => got.push(r.fields));
  assert.deepEqual(got, [['a', 'b'], ['1', '2']]);
});

test('an unclosed quote is an error at the row and line where it opened', () => {
  assert.throws(
    () => parseCsv('a,b\n1,2\n"never closed,3\nmore\n', options),
    (e: unknown) => e instanceof DataError && e.code === 'syntax' && e.location.row === 3 && e.location.line === 3 && /never closed/.test(e.message),
  );
});

test('text after a closing quote is an error saying how to quote', () => {
  assert.throws(
    () => parseCsv('a,b\n"x"y,1\n', options),
    (e: unknown) => e instanceof DataError && e.code === 'syntax' && e.location.row === 2 && /two quotes/.test(e.message),
  );
});

test('with quoting off, quotes are literal', () => {
  assert.deepEqual(fields('a\tb\n"x\ty\n', { ...options, delimiter: '\t', quoting: false }), [['a', 'b'], ['"x', 'y']]);
});

test('detectDelimiter: the expected one if present, else the most frequent candidate', () => {
  assert.equal(detectDelimiter('a,b\n1,2', ','), ',');
  assert.equal(detectDelimiter('a;b;c\n1;2;3', ','), ';');
  assert.equal(detectDelimiter('a\tb\n', ','), '\t');
  assert.equal(detectDelimiter('a,b\n', '\t'), ',');
  assert.equal(detectDelimiter('onlyone\n', ','), ',');
});
