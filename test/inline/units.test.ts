import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dataFormatOf, splitDocument } from '../../src/extension/inline/units';
import type { Unit } from '../../src/extension/inline/units';

const brief = (units: readonly Unit[]): string[] =>
  units.map((u) => `${u.start.line}:${u.start.character}-${u.end.line}:${u.end.character} ${u.text}${u.gold === undefined ? '' : ` [${u.gold}]`}`);

test('line mode labels every line with a letter or digit, trimmed, with CRLF and CR line ends', () => {
  const text = '  Great film!  \r\n\r\n---\rawful\n';
  assert.deepEqual(brief(splitDocument(text, '/w/notes.txt', 'line', 'plaintext').units), ['0:2-0:13 Great film!', '3:0-3:5 awful']);
});

test('paragraph mode joins the lines of a paragraph with spaces and ends at its last line', () => {
  const text = 'first line\nsecond line\n\n\nthird\n';
  assert.deepEqual(brief(splitDocument(text, 'a.txt', 'paragraph', 'plaintext').units), [
    '0:0-1:11 first line second line',
    '4:0-4:5 third',
  ]);
});

test('sentence mode places each sentence on the document, across line breaks', () => {
  const text = 'I loved it. The end was\nweak! Really?\n\nNew paragraph here.';
  assert.deepEqual(brief(splitDocument(text, 'a.txt', 'sentence', 'plaintext').units), [
    '0:0-0:11 I loved it.',
    '0:12-1:5 The end was weak!',
    '1:6-1:13 Really?',
    '3:0-3:19 New paragraph here.',
  ]);
});

test('Markdown: front matter and fenced code are skipped, block markup is not part of the text', () => {
  const text = [
    '---',
    'title: x',
    '---',
    '# A heading',
    '> quoted text',
    '- item one',
    '  continued',
    '```js',
    'const code = 1;',
    '```',
    '1. numbered',
  ].join('\n');
  assert.deepEqual(brief(splitDocument(text, 'r.md', 'line', 'markdown').units), [
    '3:2-3:11 A heading',
    '4:2-4:13 quoted text',
    '5:2-5:10 item one',
    '6:2-6:11 continued',
    '10:3-10:11 numbered',
  ]);
  assert.deepEqual(brief(splitDocument(text, 'r.md', 'paragraph', 'markdown').units), [
    '3:2-3:11 A heading',
    '4:2-4:13 quoted text',
    '5:2-6:11 item one continued',
    '10:3-10:11 numbered',
  ]);
  // The same text as plain text keeps every line.
  assert.equal(splitDocument(text, 'r.txt', 'line', 'plaintext').units.length, 8);
});

test('CSV rows: the text column, the gold label, multi-line quoted records end at their last line', () => {
  const text = 'id,text,label\n1,"good, really",pos\n2,"bad\nvery bad",neg\n\n3,no label here,\n';
  const result = splitDocument(text, '/d/train.csv', 'line', 'plaintext');
  assert.equal(result.problem, undefined);
  assert.deepEqual(brief(result.units), [
    '1:0-1:20 good, really [pos]',
    '2:0-3:13 bad\nvery bad [neg]',
    '5:0-5:16 no label here',
  ]);
});

test('JSONL rows: numbers as labels; the unit mode setting does not apply to data files', () => {
  const text = '{"sentence": "fine", "y": 1}\n\n{"sentence": "meh", "y": 0}\n{"sentence": "ok", "y": 1}';
  assert.deepEqual(brief(splitDocument(text, 'x.jsonl', 'sentence', 'jsonl').units), [
    '0:0-0:28 fine [1]',
    '2:0-2:27 meh [0]',
    '3:0-3:26 ok [1]',
  ]);
});

test('a one-column file is a file of texts without gold labels', () => {
  assert.deepEqual(brief(splitDocument('text\nhello\nworld\n', 'x.tsv', 'line', 'plaintext').units), ['1:0-1:5 hello', '2:0-2:5 world']);
});

test('a data file that does not parse gives no units and says why', () => {
  const result = splitDocument('text,label\ngood,pos\nhalf, typed, row\n', 'x.csv', 'line', 'plaintext');
  assert.deepEqual(result.units, []);
  assert.match(result.problem ?? '', /expected 2 fields/);
});

test('data formats come from the extension; other files are prose', () => {
  assert.equal(dataFormatOf('/a/b.CSV'), 'csv');
  assert.equal(dataFormatOf('/a/b.ndjson'), 'jsonl');
  assert.equal(dataFormatOf('/a/b.md'), undefined);
  assert.equal(dataFormatOf('/a/Untitled-1'), undefined);
});
