import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ResultCache } from '../../src/extension/inline/cache';
import { formatPercent, inlineText, labelColour, LABEL_COLOURS, shortLabel } from '../../src/extension/inline/palette';
import { inlineLabels, planUnits, unitAt } from '../../src/extension/inline/plan';
import type { UnitPrediction } from '../../src/extension/inline/plan';
import { splitDocument } from '../../src/extension/inline/units';
import type { Unit } from '../../src/extension/inline/units';

const unit = (line: number, text: string, gold?: string): Unit => ({
  text,
  start: { line, character: 0 },
  end: { line, character: text.length },
  ...(gold === undefined ? {} : { gold }),
});
const prediction = (labelIndex: number, labels = ['neg', 'pos']): UnitPrediction => ({
  label: labels[labelIndex] as string,
  labelIndex,
  proba: labels.map((_, i) => (i === labelIndex ? 0.9 : 0.1 / (labels.length - 1))),
});

test('the cache keys by classifier and text, and forgets the least recently used first', () => {
  const cache = new ResultCache<UnitPrediction>(2);
  cache.set('/a.stc', 'x', prediction(0));
  cache.set('/b.stc', 'x', prediction(1));
  assert.equal(cache.get('/a.stc', 'x')?.label, 'neg');
  assert.equal(cache.get('/b.stc', 'x')?.label, 'pos');
  assert.equal(cache.get('/a.stc', 'y'), undefined);
  cache.get('/a.stc', 'x'); // now /b.stc is the oldest
  cache.set('/a.stc', 'z', prediction(1));
  assert.equal(cache.size, 2);
  assert.equal(cache.get('/b.stc', 'x'), undefined);
  assert.notEqual(cache.get('/a.stc', 'x'), undefined);
  cache.clear();
  assert.equal(cache.size, 0);
});

test('visible units come first, the limit cuts the rest, and only uncached distinct texts are pending', () => {
  const units = [unit(0, 'a'), unit(1, 'b'), unit(50, 'c'), unit(51, 'a'), unit(52, 'd')];
  const plan = planUnits(units, [{ start: 50, end: 60 }], 4, (t) => t === 'd');
  assert.deepEqual(plan.units.map((u) => u.text), ['c', 'a', 'd', 'a']);
  assert.deepEqual(plan.pending, ['c', 'a']);
  assert.equal(plan.overLimit, 1);
  const all = planUnits(units, [], 100, () => false);
  assert.deepEqual(all.pending, ['a', 'b', 'c', 'd']);
  assert.equal(all.overLimit, 0);
});

test('an edit re-classifies only the units whose text changed', () => {
  const cache = new ResultCache<UnitPrediction>(100);
  const before = splitDocument('one\ntwo\nthree\n', 'a.txt', 'line', 'plaintext').units;
  for (const u of planUnits(before, [], 100, (t) => cache.get('/c', t) !== undefined).pending) cache.set('/c', u, prediction(0));
  const after = splitDocument('one\ntwo!\n\nthree\nfour\n', 'a.txt', 'line', 'plaintext').units;
  assert.deepEqual(planUnits(after, [], 100, (t) => cache.get('/c', t) !== undefined).pending, ['two!', 'four']);
});

test('labels follow the units in document order; a known gold label that differs is a mismatch', () => {
  const units = [unit(3, 'bad', 'pos'), unit(1, 'good', 'pos'), unit(2, 'odd', 'other'), unit(4, 'new')];
  const labels = inlineLabels(units, (t) => (t === 'new' ? undefined : prediction(t === 'good' ? 1 : 0)), ['neg', 'pos']);
  assert.deepEqual(
    labels.map((l) => [l.line, l.character, l.label, l.confidence, l.gold, l.mismatch]),
    [
      [1, 4, 'pos', 0.9, 'pos', false],
      [2, 3, 'neg', 0.9, 'other', false],
      [3, 3, 'neg', 0.9, 'pos', true],
    ],
  );
});

test('the unit under a position includes its end, where the label is drawn', () => {
  const units = splitDocument('First one. Second one.\n', 'a.txt', 'sentence', 'plaintext').units;
  assert.equal(unitAt(units, 0, 0)?.text, 'First one.');
  assert.equal(unitAt(units, 0, 10)?.text, 'First one.');
  assert.equal(unitAt(units, 0, 15)?.text, 'Second one.');
  assert.equal(unitAt(units, 1, 0), undefined);
});

test('label colours are theme colour ids that follow the label index and repeat', () => {
  assert.equal(labelColour(0), 'charts.blue');
  assert.equal(labelColour(LABEL_COLOURS.length + 1), labelColour(1));
  assert.equal(new Set(LABEL_COLOURS).size, LABEL_COLOURS.length);
});

test('inline text: label, confidence that never rounds to certainty, and the gold label when it differs', () => {
  assert.equal(inlineText('positive', 0.934), 'positive 93%');
  assert.equal(inlineText('pos', 0.996, 'neg'), 'pos >99% ≠ neg');
  assert.equal(formatPercent(1), '100%');
  assert.equal(formatPercent(0.001), '<1%');
  assert.equal(shortLabel('x'.repeat(100)).length, 40);
});
