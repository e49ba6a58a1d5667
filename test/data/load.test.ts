import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataError, describeRow, loadDataset } from '../../src/core/data';
import type { DataErrorCode } from '../../src/core/data';

const fixture = (name: string): string => join(import.meta.dirname, '..', 'fixtures', 'data', name);

function withTemp(files: Record<string, string | Uint8Array>, body: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'stc-data-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return body(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

async function rejectsWith(promise: Promise<unknown>, code: DataErrorCode, where: Partial<{ row: number; line: number; column: string }>, message: RegExp): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof DataError, `not a DataError: ${String(e)}`);
    assert.equal(e.code, code, e.message);
    for (const [k, v] of Object.entries(where)) assert.equal(e.location[k as keyof typeof where], v, `${k} in ${e.message}`);
    assert.match(e.message, message);
    return true;
  });
}

test('CSV: BOM, CRLF, quoted newlines and quotes; empty texts and missing labels skipped with warnings', async () => {
  const ds = await loadDataset(fixture('quoted.csv'));
  assert.equal(ds.format, 'csv');
  assert.equal(ds.textColumn, 'review');
  assert.equal(ds.labelColumn, 'sentiment');
  assert.deepEqual(ds.texts, [
    'A film, in short, that "works".',
    'Line one\r\nline two',
    'plain text with an inner "quote"',
    'last one without a line break',
  ]);
  assert.deepEqual(ds.labels, ['positive', 'negative', 'positive', 'negative']);
  assert.deepEqual(ds.rows, [2, 3, 4, 7]);
  assert.deepEqual(ds.lines, [2, 3, 5, 9]);
  assert.equal(describeRow(ds, 3), `${fixture('quoted.csv')}, row 7 (line 9)`);
  const codes = ds.warnings.map((w) => [w.code, w.count, w.rows]);
  assert.deepEqual(codes, [
    ['empty-text', 1, [5]],
    ['missing-label', 1, [6]],
  ]);
  assert.match(ds.warnings[0]?.message ?? '', /skipped 1 row with an empty text \(column "review"\): row 5\./);
});

test('TSV: a quoted field may hold a tab; non-ASCII text is kept', async () => {
  const ds = await loadDataset(fixture('reviews.tsv'));
  assert.deepEqual(ds.texts, ['a quoted\ttab', 'plain', 'café ☕ 😀']);
  assert.deepEqual(ds.labels, ['good', 'bad', 'good']);
  assert.equal(ds.textColumn, 'text');
});

test('TSV written without quoting is read with literal quotes, with a warning', async () => {
  const ds = await loadDataset(fixture('unquoted.tsv'));
  assert.deepEqual(ds.texts, ['"Hi" she said, twice', 'fine', '"Unclosed at the start']);
  assert.deepEqual(ds.labels, ['1', '0', '1']);
  assert.deepEqual(ds.warnings.map((w) => w.code), ['quotes-ignored']);
});

test('a .csv file with semicolons is read with its delimiter', async () => {
  const ds = await loadDataset(fixture('semicolon.csv'));
  assert.deepEqual(ds.texts, ['a; b', 'c']);
  assert.deepEqual(ds.labels, ['x', 'y']);
});

test('JSONL: blank lines and CRLF are fine, numbers are labels, rows are lines', async () => {
  const ds = await loadDataset(fixture('good.jsonl'));
  assert.deepEqual(ds.texts, ['first', 'second', 'third \u2028 with escapes "q"', 'fourth']);
  assert.deepEqual(ds.labels, ['1', '0', '1', '10']);
  assert.deepEqual(ds.rows, [1, 3, 5, 7]);
  assert.deepEqual(ds.lines, ds.rows);
  assert.deepEqual(ds.warnings.map((w) => [w.code, w.rows]), [['missing-label', [6]]]);
  assert.match(ds.warnings[0]?.message ?? '', /: line 6\.$/);
});

test('JSONL: a broken line is an error at that line', async () => {
  await rejectsWith(loadDataset(fixture('bad-line.jsonl')), 'syntax', { line: 3 }, /bad-line\.jsonl, line 3: this line is not valid JSON/);
});

test('JSON array: elements know their lines', async () => {
  const ds = await loadDataset(fixture('array.json'));
  assert.equal(ds.format, 'json');
  assert.equal(ds.textColumn, 'sentence');
  assert.equal(ds.labelColumn, 'intent');
  assert.deepEqual(ds.texts, ['one', 'two\nlines', 'three [with] {brackets}, and commas']);
  assert.deepEqual(ds.rows, [1, 2, 3]);
  assert.deepEqual(ds.lines, [2, 3, 7]);
});

test('a .json file holding JSON Lines is read as JSONL', async () => {
  const ds = await loadDataset(fixture('lines.json'));
  assert.equal(ds.format, 'jsonl');
  assert.deepEqual(ds.texts, ['a', 'b']);
  assert.deepEqual(ds.labels, ['x', 'y']);
});

test('JSON: malformed arrays, single objects and wrong element types are clear errors', async () => {
  await withTemp(
    {
      'object.json': '{\n  "data": [{"text": "a", "label": "b"}]\n}\n',
      'truncated.json': '[\n {"text": "a", "label": "b"},\n {"text": "c",',
      'trailing.json': '[{"text": "a", "label": "b"},\n]',
      'missing-comma.json': '[{"text": "a", "label": "b"}\n {"text": "c", "label": "d"}]',
      'bad-element.json': '[{"text": "a", "label": "b"},\n{"text": "c", "label": }]',
      'strings.json': '["a", "b"]',
      'scalar-line.jsonl': '{"text": "a", "label": "b"}\n[1, 2]\n',
    },
    async (dir) => {
      await rejectsWith(loadDataset(join(dir, 'object.json')), 'format', {}, /single JSON object \(keys "data"\)/);
      await rejectsWith(loadDataset(join(dir, 'truncated.json')), 'syntax', {}, /not closed.*truncated/);
      await rejectsWith(loadDataset(join(dir, 'trailing.json')), 'syntax', { line: 2 }, /comma before "\]"/);
      await rejectsWith(loadDataset(join(dir, 'missing-comma.json')), 'syntax', { line: 2 }, /expected "," or "\]" after element 1/);
      await rejectsWith(loadDataset(join(dir, 'bad-element.json')), 'syntax', { row: 2, line: 2 }, /invalid JSON in this element/);
      await rejectsWith(loadDataset(join(dir, 'strings.json')), 'format', { row: 1 }, /found a string/);
      await rejectsWith(loadDataset(join(dir, 'scalar-line.jsonl')), 'format', { line: 2 }, /found a list/);
    },
  );
});

test('folder per label: one text per .txt file, hidden folders and other files ignored', async () => {
  const ds = await loadDataset(fixture('folder'));
  assert.equal(ds.format, 'folder');
  assert.equal(ds.textColumn, null);
  assert.deepEqual(ds.labels, ['neg', 'pos', 'pos']);
  assert.deepEqual(ds.texts, ['Dull.', 'Great movie.\n', 'Loved it,\nevery minute.']);
  assert.deepEqual(ds.files, [fixture('folder/neg/001.txt'), fixture('folder/pos/001.txt'), fixture('folder/pos/002.txt')]);
  assert.equal(describeRow(ds, 1), fixture('folder/pos/001.txt'));
  assert.deepEqual(ds.warnings.map((w) => [w.code, w.count]), [['empty-text', 1]]);
  assert.match(ds.warnings[0]?.message ?? '', /empty\.txt/);
});

test('a folder whose label folders are one level down says so', async () => {
  await rejectsWith(loadDataset(fixture('.')), 'format', {}, /subfolders \(folder\) hold no \.txt files/);
});

test('ragged rows, invalid UTF-8 and binary files are errors with row, line or byte', async () => {
  await rejectsWith(loadDataset(fixture('ragged.csv')), 'ragged', { line: 3 }, /ragged\.csv, line 3: expected 2 fields as in the header, found 3; a field that contains ","/);
  await rejectsWith(loadDataset(fixture('latin1.csv')), 'encoding', { line: 3 }, /invalid UTF-8 \(byte 0xe9\).*Windows-1252/);
  await rejectsWith(loadDataset(fixture('binary.csv')), 'binary', { line: 3 }, /NUL bytes/);
});

test('missing files, unsupported extensions and the size limit', async () => {
  await rejectsWith(loadDataset(fixture('nope.csv')), 'not-found', {}, /no such file/);
  await rejectsWith(loadDataset(fixture('folder/README.md')), 'format', {}, /"\.md" files cannot be read.*JSON Lines/);
  await rejectsWith(loadDataset(fixture('quoted.csv'), { maxBytes: 100 }), 'too-large', {}, /over the size limit of 0\.0 MiB; raise the limit/);
  await rejectsWith(loadDataset(fixture('folder'), { maxBytes: 10 }), 'too-large', {}, /size limit/);
  // The format can be forced for an unusual extension.
  const ds = await loadDataset(fixture('folder/README.md'), { format: 'csv', textColumn: 'files at the root are ignored' }).catch((e: unknown) => e);
  assert.ok(ds instanceof DataError && ds.code === 'column', String(ds));
});

test('columns: named (any case), or an error listing the columns', async () => {
  const ds = await loadDataset(fixture('reviews.tsv'), { textColumn: 'TEXT', labelColumn: 'id' });
  assert.equal(ds.textColumn, 'text');
  assert.deepEqual(ds.labels, ['1', '2', '3']);
  await rejectsWith(loadDataset(fixture('reviews.tsv'), { textColumn: 'body' }), 'column', {}, /no column "body" to use as the text; the columns are "id", "text", "label"/);
  await rejectsWith(loadDataset(fixture('reviews.tsv'), { textColumn: 'text', labelColumn: 'text' }), 'column', {}, /cannot be the same column/);
});

test('wrong cell types: a number as text, a list as label', async () => {
  await withTemp(
    {
      'number.jsonl': '{"text": "ok", "label": "a"}\n{"text": 42, "label": "b"}\n',
      'multi.jsonl': '{"text": "ok", "label": "a"}\n{"text": "x", "label": ["a", "b"]}\n',
    },
    async (dir) => {
      await rejectsWith(loadDataset(join(dir, 'number.jsonl'), { textColumn: 'text' }), 'value', { line: 2, column: 'text' }, /the text is a number, not a string/);
      await rejectsWith(loadDataset(join(dir, 'multi.jsonl')), 'value', { line: 2, column: 'label' }, /multi-label data is not supported/);
    },
  );
});

test('no usable rows, duplicate header names, one column', async () => {
  await withTemp(
    {
      'header-only.csv': 'text,label\n',
      'all-empty.csv': 'text,label\n ,a\n"",b\n',
      'dup.csv': 'text,label,text\na,b,c\n',
      'one.csv': 'text\na\n',
      'blank.jsonl': '\n \n',
    },
    async (dir) => {
      await rejectsWith(loadDataset(join(dir, 'blank.jsonl')), 'empty', {}, /blank\.jsonl: the file is empty/);
      await rejectsWith(loadDataset(join(dir, 'header-only.csv')), 'empty', {}, /no data rows/);
      await rejectsWith(loadDataset(join(dir, 'all-empty.csv')), 'empty', {}, /none of its 2 rows has both a text/);
      await rejectsWith(loadDataset(join(dir, 'dup.csv')), 'column', { line: 1 }, /names column "text" twice \(columns 1 and 3\)/);
      await rejectsWith(loadDataset(join(dir, 'one.csv')), 'column', {}, /one column \("text"\)/);
    },
  );
});

test('rows ending with an extra delimiter and rows of empty fields are accepted', async () => {
  await withTemp({ 'trailing.csv': 'text,label\na,x,\n,,\nb,y\n' }, async (dir) => {
    const ds = await loadDataset(join(dir, 'trailing.csv'));
    assert.deepEqual(ds.texts, ['a', 'b']);
    assert.deepEqual(ds.warnings, []);
  });
});

test('a 1 MB line is just a long text', async () => {
  const long = 'word '.repeat(210_000);
  await withTemp(
    {
      'long.csv': `text,label\n"${long}",a\nshort,b\n`,
      'long.jsonl': `${JSON.stringify({ text: long, label: 'a' })}\n{"text": "short", "label": "b"}\n`,
    },
    async (dir) => {
      for (const name of ['long.csv', 'long.jsonl']) {
        const ds = await loadDataset(join(dir, name));
        assert.equal(ds.texts[0]?.length, long.length);
        assert.deepEqual(ds.labels, ['a', 'b']);
      }
    },
  );
});
