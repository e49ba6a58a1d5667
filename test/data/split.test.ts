import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataError, countLabels, encodeLabels, labelSpace, prepareData, stratifiedSplit } from '../../src/core/data';
import type { Dataset } from '../../src/core/data';

function dataset(labels: string[], source = 'train.csv'): Dataset {
  return {
    source,
    format: 'csv',
    texts: labels.map((l, i) => `text ${i} ${l}`),
    labels,
    rows: labels.map((_, i) => i + 2),
    lines: labels.map((_, i) => i + 2),
    textColumn: 'text',
    labelColumn: 'label',
    warnings: [],
  };
}

const repeat = (label: string, n: number): string[] => Array.from({ length: n }, () => label);

test('labelSpace: numeric order when every label is a number, else code-unit order', () => {
  assert.deepEqual(labelSpace(['10', '2', '-1', '2', '0.5']), ['-1', '0.5', '2', '10']);
  assert.deepEqual(labelSpace(['b', 'B', 'a', '10', '9']), ['10', '9', 'B', 'a', 'b']);
  assert.deepEqual(countLabels(['a', 'b', 'a']), new Map([['a', 2], ['b', 1]]));
});

test('encodeLabels: indices into the classes; unseen labels are one error that lists them', () => {
  const ds = dataset(['pos', 'neg', 'pos']);
  assert.deepEqual([...encodeLabels(ds, ['neg', 'pos'])], [1, 0, 1]);
  const dev = dataset(['pos', 'neutral', 'mixed', 'neutral'], 'dev.csv');
  assert.throws(
    () => encodeLabels(dev, ['neg', 'pos']),
    (e: unknown) =>
      e instanceof DataError &&
      e.code === 'labels' &&
      e.location.column === 'label' &&
      e.message.includes('2 labels do not occur in the training data: "neutral" (2 rows, first at dev.csv, line 3), "mixed" (1 row, first at dev.csv, line 4)') &&
      e.message.includes('The training labels are "neg", "pos"'),
  );
});

test('stratifiedSplit: proportional per class, disjoint, complete, ascending, seeded', () => {
  const labels = [...repeat('a', 50), ...repeat('b', 30), ...repeat('c', 20)]; // grouped by label, as many files are
  const s = stratifiedSplit(labels);
  assert.equal(s.dev.length, 10);
  const devCounts = countLabels(s.dev.map((i) => labels[i] as string));
  assert.deepEqual(devCounts, new Map([['a', 5], ['b', 3], ['c', 2]]));
  assert.deepEqual([...s.train, ...s.dev].sort((x, y) => x - y), labels.map((_, i) => i));
  assert.deepEqual(s.dev, [...s.dev].sort((x, y) => x - y));
  assert.deepEqual(stratifiedSplit(labels), s, 'same seed, same split');
  assert.notDeepEqual(stratifiedSplit(labels, { seed: 7 }).dev, s.dev, 'another seed, another split');
  assert.equal(stratifiedSplit(labels, { devFraction: 0.25 }).dev.length, 25);
});

test('stratifiedSplit: every class with two examples keeps one in train; single examples stay in train', () => {
  const labels = ['a', 'a', 'b', 'b', 'c', ...repeat('d', 5)];
  for (const devFraction of [0.1, 0.5, 0.9]) {
    for (let seed = 0; seed < 20; seed++) {
      const s = stratifiedSplit(labels, { devFraction, seed });
      const train = countLabels(s.train.map((i) => labels[i] as string));
      for (const c of ['a', 'b', 'c', 'd']) assert.ok((train.get(c) ?? 0) >= 1, `${c} in train (fraction ${devFraction}, seed ${seed})`);
      assert.ok(!s.dev.some((i) => labels[i] === 'c'));
      assert.deepEqual(s.singletons, ['c']);
      assert.ok(s.dev.length >= 1);
    }
  }
  assert.throws(() => stratifiedSplit(labels, { devFraction: 1 }), RangeError);
});

test('prepareData: split of train with warnings for single-example classes', () => {
  const train = dataset([...repeat('pos', 9), ...repeat('neg', 9), 'rare']);
  const p = prepareData(train);
  assert.equal(p.devSource, 'split');
  assert.deepEqual(p.classes, ['neg', 'pos', 'rare']);
  assert.equal(p.train.dataset.texts.length + p.dev.dataset.texts.length, 19);
  assert.equal(p.dev.dataset.texts.length, 2);
  assert.deepEqual([...p.dev.y].map((k) => p.classes[k]), p.dev.dataset.labels);
  assert.deepEqual(p.dev.dataset.rows.map((r) => train.texts[r - 2]), p.dev.dataset.texts, 'rows follow their texts');
  assert.deepEqual(p.warnings.map((w) => w.code), ['single-example-class']);
  assert.match(p.warnings[0]?.message ?? '', /1 label has a single example \("rare"\); it stays in training/);
});

test('prepareData: a dev file is used as is; labels only in dev or test are errors', () => {
  const train = dataset(['a', 'b', 'a']);
  const p = prepareData(train, { dev: dataset(['b', 'a'], 'dev.csv'), test: dataset(['a'], 'test.csv') });
  assert.equal(p.devSource, 'file');
  assert.deepEqual([...p.dev.y], [1, 0]);
  assert.deepEqual([...(p.test?.y ?? [])], [0]);
  assert.throws(() => prepareData(train, { test: dataset(['c'], 'test.csv') }), (e: unknown) => e instanceof DataError && /test\.csv/.test(e.message) && /"c"/.test(e.message));
});

test('prepareData: one class, or nothing to hold out, are errors that say what to do', () => {
  assert.throws(() => prepareData(dataset(['a', 'a', 'a'])), (e: unknown) => e instanceof DataError && e.code === 'labels' && /at least two labels/.test(e.message));
  assert.throws(() => prepareData(dataset(['a', 'b'])), (e: unknown) => e instanceof DataError && /give a dev file/.test(e.message));
});
