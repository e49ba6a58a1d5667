import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseColumns } from '../../src/core/data/columns';
import type { ColumnRequest } from '../../src/core/data/columns';
import { DataError } from '../../src/core/data/errors';
import { readTable } from '../../src/core/data/read';

const csv = (text: string, request: ColumnRequest = {}) => chooseColumns(readTable(text, 'csv', 't.csv', true), request);
const brief = (g: { column: string; candidates: readonly string[]; ambiguous: boolean }) => [g.column, [...g.candidates], g.ambiguous];

test('known names win and are not ambiguous', () => {
  const c = csv('id,text,label\n1,hello there,a\n2,bye now,b\n');
  assert.deepEqual(brief(c.text), ['text', ['text'], false]);
  assert.deepEqual(brief(c.label), ['label', ['label'], false]);
});

test('Hugging Face style label and label_text: label chosen, label_text offered', () => {
  const c = csv('text,label,label_text\nnice,1,positive\nbad,0,negative\n');
  assert.deepEqual(brief(c.label), ['label', ['label', 'label_text'], false]);
  assert.deepEqual(brief(c.text), ['text', ['text'], false]);
});

test('two known text names are ambiguous, in order of preference', () => {
  const c = csv('sentence,text,class\na b c,d e f,x\ng h,i j,y\n');
  assert.deepEqual(brief(c.text), ['text', ['text', 'sentence'], true]);
  assert.deepEqual(brief(c.label), ['class', ['class'], false]);
});

test('names containing a known word: review_text, reviewText; label from the values', () => {
  const rows = Array.from({ length: 20 }, (_, i) => `r${i},a fairly long review number ${i},${1 + (i % 5)}`);
  const c = csv(`reviewer_id,reviewText,overall\n${rows.join('\n')}\n`);
  assert.deepEqual(brief(c.text), ['reviewText', ['reviewText'], false]);
  assert.deepEqual(brief(c.label), ['overall', ['overall'], false]);
});

test('no known names: the longest strings are the text, a low-cardinality column the label', () => {
  const rows = Array.from({ length: 30 }, (_, i) => `${i},this is a much longer piece of prose ${i},${i % 2 ? 'yes' : 'no'},w${i}`);
  const c = csv(`n,a,b,c\n${rows.join('\n')}\n`);
  assert.deepEqual(brief(c.text), ['a', ['a', 'c', 'b'], false]);
  assert.deepEqual(brief(c.label), ['b', ['b'], false]);
});

test('no known names and similar columns: ambiguous, with candidates for a UI to ask', () => {
  const rows = Array.from({ length: 30 }, (_, i) => `first prose ${i},second prose ${i},${i % 3},${i % 2}`);
  const c = csv(`p,q,r,s\n${rows.join('\n')}\n`);
  assert.equal(c.text.ambiguous, true);
  assert.deepEqual([...c.text.candidates].sort(), ['p', 'q']);
  // Fewer distinct values first: s (2) before r (3).
  assert.deepEqual(brief(c.label), ['s', ['s', 'r'], true]);
});

test('a named column is used as is and excluded from the other role', () => {
  const c = csv('text,label,topic\na,x,t1\nb,y,t2\nc,x,t1\n', { labelColumn: 'topic' });
  assert.deepEqual(brief(c.label), ['topic', ['topic'], false]);
  assert.equal(c.label.named, true);
  const d = csv('text,label\na,x\nb,y\n', { textColumn: 'label' });
  assert.equal(d.text.column, 'label');
  assert.equal(d.label.column, 'text');
});

test('JSON values: numbers and booleans are labels; lists are not label-like', () => {
  const table = readTable('{"t": "some words here", "gold": true, "tags": ["a"]}\n{"t": "more words", "gold": false, "tags": []}\n', 'jsonl', 't.jsonl', true);
  const c = chooseColumns(table);
  assert.equal(c.text.column, 't');
  assert.equal(c.label.column, 'gold');
});

test('no label-like column is an error that says to name it', () => {
  assert.throws(
    () => csv('words,more\nfirst row text,alpha\nsecond row text,beta\nthird row text,gamma\n'),
    (e: unknown) => e instanceof DataError && e.code === 'column' && /name the label column/.test(e.message),
  );
  assert.throws(() => csv('a,b\n1,2\n3,4\n'), (e: unknown) => e instanceof DataError && /no column holds text/.test(e.message));
});
