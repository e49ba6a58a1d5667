import assert from 'node:assert/strict';
import { test } from 'node:test';
import { trainStc, type StcOptions } from '../../src/core/stc';
import { fitStandardisation } from '../../src/core/learn/standardise';
import { standardised } from '../../src/core/stc/probe';
import { checkReport } from './schema';
import { syntheticInput } from './synthetic';

/** A small search: what these tests exercise is the input handling, not the search. */
const small: StcOptions = { threads: 1, space: 'paper', kinds: ['hid', 'act'], poolings: ['mean'], etaGrid: [0.1] };

test('one class only: in the class list, or in the training labels', async () => {
  const input = syntheticInput();
  await assert.rejects(trainStc({ ...input, classes: ['only'] }, small), /only one class \("only"\)/);
  const y = Int32Array.from(input.y, (c, r) => (input.splits.train.includes(r) ? 0 : c));
  await assert.rejects(trainStc({ ...input, y }, small), /only one class \("class0"\) appears in the 240 training rows/);
});

test('a class with a single training example is trained on, with a warning', async () => {
  const input = syntheticInput({ classWeights: [1, 1, 1] });
  const train = input.splits.train;
  const firstOf2 = train.find((r) => input.y[r] === 2) as number;
  // Every other class-2 row of train becomes class 0; dev and test keep theirs.
  const y = Int32Array.from(input.y, (c, r) => (c === 2 && r !== firstOf2 && train.includes(r) ? 0 : c));
  const report = await trainStc({ ...input, y }, small);
  checkReport(report);
  assert.equal(report.data.counts.train[2], 1);
  assert.ok(report.warnings.some((w) => /class "class2" has a single training example/.test(w)), report.warnings.join('\n'));
});

test('constant features: a constant block gets the intercept-only probe, constant columns are never chosen', async () => {
  const input = syntheticInput({
    edit: (block, X) => {
      // The first token's embedding is identical for every row in an encoder.
      if (block === 'L0.hid.mean') X.data.fill(0.25);
      if (block === 'L2.act.mean') for (let i = 0; i < X.rows; i++) X.data[i * X.cols] = 3;
    },
  });
  const report = await trainStc(input, small);
  checkReport(report);
  const constant = report.probes.find((p) => p.block === 'L0.hid.mean');
  assert.deepEqual([constant?.constant, constant?.support], [6, 0]);
  assert.equal(report.probes.find((p) => p.block === 'L2.act.mean')?.constant, 1);
  assert.ok(report.warnings.some((w) => w.startsWith('L0.hid.mean: every neuron is constant on train')));
  assert.ok(!report.classifier.neurons.some((n) => n.name === 'L2.act.mean#0' || n.name.startsWith('L0.hid.mean')));
});

test('a neuron constant on train is zero on every split, so the refit on train + validation cannot use its variation there', () => {
  const train = { rows: 3, cols: 2, data: Float32Array.from([1, 5, 2, 5, 3, 5]) };
  const std = fitStandardisation(train);
  assert.deepEqual(std.constant, [1]);
  const dev = standardised({ rows: 2, cols: 2, data: Float32Array.from([4, 9, 0, 1]) }, std, 'dev');
  assert.deepEqual(Array.from(dev.data.subarray(2)), [0, 0]);
  assert.ok(Math.abs((dev.data[0] as number) - Math.sqrt(6)) < 1e-6);
});

test('NaN and infinite features are errors naming block, row, split and neuron', async () => {
  const input = syntheticInput();
  const trainRow = input.splits.train[5] as number;
  const devRow = input.splits.dev[3] as number;
  const withValue = (block: string, row: number, value: number) =>
    syntheticInput({
      edit: (b, X) => {
        if (b === block) X.data[row * X.cols + 4] = value;
      },
    });
  await assert.rejects(trainStc(withValue('L2.act.mean', trainRow, NaN), small), new RegExp(`^Error: L2\\.act\\.mean: NaN value at row ${trainRow} \\(train split\\), neuron 4; `));
  await assert.rejects(trainStc(withValue('L1.hid.mean', devRow, Infinity), small), new RegExp(`L1\\.hid\\.mean: infinite value at row ${devRow} \\(dev split\\), neuron 4`));
});

test('more features than rows: fitted, with a valid report', async () => {
  const input = syntheticInput({ rows: { train: 30, dev: 20, test: 20 }, hidDim: 40, actDim: 90 });
  const report = await trainStc(input, small);
  checkReport(report);
  assert.ok(report.probes.every((p) => p.dim > report.data.rows.train));
});

test('an empty validation split is an error that says what to do', async () => {
  const input = syntheticInput();
  await assert.rejects(trainStc({ ...input, splits: { ...input.splits, dev: new Int32Array(0) } }, small), /the validation split is empty; give a dev file, or let the data loader hold out/);
});

test('labels that appear only in dev or test are an error naming the class and where it occurs', async () => {
  const input = syntheticInput({ classWeights: [1, 1, 1] });
  const y = Int32Array.from(input.y, (c, r) => (c === 2 && input.splits.train.includes(r) ? 1 : c));
  await assert.rejects(trainStc({ ...input, y }, small), /"class2" appears only in dev \(\d+ rows\) and test \(\d+ rows\)\. A classifier cannot learn a class it never sees/);
});

test('features that do not match the labels, overlapping splits and bad options are errors', async () => {
  const input = syntheticInput();
  const read = input.source.read.bind(input.source);
  const short = (b: Parameters<typeof read>[0]) => {
    const X = read(b);
    return { rows: 10, cols: X.cols, data: X.data.slice(0, 10 * X.cols) };
  };
  await assert.rejects(trainStc({ ...input, source: { numLayers: 6, read: short } }, small), /L0\.act\.mean: the feature source has 10 rows but there are 480 labels/);
  const row = input.splits.dev[0] as number;
  await assert.rejects(trainStc({ ...input, splits: { ...input.splits, train: Int32Array.of(...input.splits.train, row) } }, small), new RegExp(`row ${row} is in both the train and the dev split`));
  await assert.rejects(trainStc(input, { ...small, etaGrid: [0] }), /eta grid \[0\]: expected a non-empty list of numbers in \(0, 1\]/);
  await assert.rejects(trainStc(input, { ...small, patience: 1.5 }), /patience 1\.5: expected a non-negative integer \(0 fits the whole path\)/);
  await assert.rejects(trainStc(input, { ...small, penalties: ['l2'] }), /penalties \["l2"\]: expected \["l1"\] or \["l1", "l2"\]/);
  await assert.rejects(trainStc(input, { ...small, kinds: [] }), /kinds \[\]: expected a non-empty list of hid, act/);
  await assert.rejects(trainStc({ ...input, y: Int32Array.from(input.y, (c) => (c === 1 ? 5 : c)) }, small), /label 5 is not an index of the 2 classes/);
});
