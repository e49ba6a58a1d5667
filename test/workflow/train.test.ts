// trainClassifier end to end on the fixture BERT (3 blocks) and a 52-row sentiment set: the saved
// classifier loads and agrees with the run, progress walks the stages, cancellation saves nothing.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { loadClassifier, resolveClassifierModel } from '../../src/core/artifact';
import { DataError, loadDataset } from '../../src/core/data';
import { resolveModel } from '../../src/core/model/resolve';
import { isAbortError } from '../../src/core/stc';
import { trainClassifier, type TrainOptions, type TrainProgress } from '../../src/core/workflow';

const BERT = path.join(__dirname, '../fixtures/models/bert');
const DATA = path.join(__dirname, '../fixtures/data');
const TRAIN = path.join(DATA, 'sentiment-train.csv');
const TEST = path.join(DATA, 'sentiment-test.csv');

describe('trainClassifier', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'stc-train-'));
  after(() => fs.rmSync(root, { recursive: true, force: true }));
  const out = path.join(root, 'sentiment.stc');
  const base: TrainOptions = { train: TRAIN, model: BERT, out, workDir: path.join(root, 'work'), threads: 1, device: 'cpu' };
  const rowsOf = (stage: TrainProgress['stage'], events: TrainProgress[]) => events.filter((e) => e.stage === stage);

  test('trains, saves, and the saved classifier loads consistent with the run', async () => {
    const events: TrainProgress[] = [];
    const logs: string[] = [];
    const result = await trainClassifier({ ...base, test: TEST, name: 'Tiny sentiment', onProgress: (p) => events.push(p), onLog: (l) => logs.push(l) });
    assert.equal(result.provider, 'cpu');
    const stages = [...new Set(events.map((e) => e.stage))];
    assert.deepEqual(stages, ['loading', 'model', 'extracting', 'probe', 'aggregate', 'baseline', 'test', 'saving']);
    const extracting = rowsOf('extracting', events);
    assert.deepEqual([extracting.at(-1)?.done, extracting.at(-1)?.total], [52, 52]);
    assert.ok(extracting.some((e) => e.rowsPerSecond !== undefined && e.etaSeconds !== undefined));
    assert.ok(logs.some((l) => /^train: 36 rows/.test(l)) && logs.some((l) => /^dev: 4 rows \(10% of train, stratified, seed 42\)/.test(l)) && logs.some((l) => /^test: 12 rows/.test(l)), logs.join('\n'));

    const loaded = await loadClassifier(out);
    assert.deepEqual(loaded, result.saved);
    const { manifest, report } = loaded;
    assert.equal(manifest.name, 'Tiny sentiment');
    assert.deepEqual(manifest.labels, ['neg', 'pos']);
    assert.deepEqual(report.data.rows, { train: 36, dev: 4, test: 12 });
    assert.match(report.data.devSource ?? '', /stratified/);
    assert.ok(report.test, 'a test file gives test metrics');
    assert.deepEqual(manifest.metrics, { metric: report.settings.metric, validation: report.chosen.valScore, test: report.test });
    assert.equal(manifest.k, report.chosen.k);
    assert.deepEqual(manifest.tokenizer.maxLength, 100, "the fixture tokenizer's own maximum");
    assert.equal(manifest.model.sha256, (await resolveModel(BERT)).sha256);
    assert.equal((await resolveClassifierModel(loaded)).folder, BERT);
    const stores = fs.readdirSync(path.join(base.workDir, 'features'));
    assert.equal(stores.length, 1);
    assert.deepEqual(fs.readdirSync(path.join(base.workDir, 'features', stores[0] as string)).filter((f) => f.startsWith('read-')), [], 'the store\'s read lease is released');

    // Cited rows are rows of train, dev then test, in file order: their texts are the files' texts.
    const texts = (await loadDataset(TRAIN)).texts;
    assert.ok(loaded.examples.size > 0);
    for (const e of loaded.examples.values()) {
      assert.ok(e.row < 40, `row ${e.row} is a training row`);
      assert.ok(texts.includes(e.text), e.text);
      assert.match(e.label, /^(neg|pos)$/);
    }
  });

  test('a dev file instead of a split, no test file: retrains over the classifier, without test metrics', async () => {
    const result = await trainClassifier({ ...base, dev: TEST, poolings: ['mean'], metric: 'macroF1' });
    const { report, manifest } = await loadClassifier(out);
    assert.deepEqual(report, result.saved.report);
    assert.deepEqual(report.data.rows, { train: 40, dev: 12 });
    assert.equal(report.data.devSource, `dev file ${TEST}`);
    assert.equal(report.test, undefined);
    assert.equal(manifest.metrics.test, undefined);
    assert.equal(manifest.metrics.metric, 'macroF1');
    assert.deepEqual(report.settings.poolings, ['mean']);
    assert.deepEqual(fs.readdirSync(root).sort(), ['sentiment.stc', 'work']);
  });

  test('cancelled while fitting: an AbortError, and the previous classifier is untouched', async () => {
    const before = await loadClassifier(out);
    const controller = new AbortController();
    const stages = new Set<string>();
    const run = trainClassifier({
      ...base,
      test: TEST,
      signal: controller.signal,
      onProgress: (p) => {
        stages.add(p.stage);
        if (p.stage === 'probe') controller.abort();
      },
    });
    await assert.rejects(run, (e: unknown) => isAbortError(e));
    assert.equal(stages.has('saving'), false);
    assert.deepEqual(await loadClassifier(out), before);
    assert.deepEqual(fs.readdirSync(root).sort(), ['sentiment.stc', 'work']);
  });

  test('cancelled while extracting: an AbortError, nothing saved', async () => {
    const fresh = path.join(root, 'other.stc');
    const controller = new AbortController();
    const run = trainClassifier({
      ...base,
      out: fresh,
      workDir: path.join(root, 'work-2'),
      signal: controller.signal,
      onProgress: (p) => p.stage === 'extracting' && controller.abort(),
    });
    await assert.rejects(run, (e: unknown) => isAbortError(e));
    assert.equal(fs.existsSync(fresh), false);
  });

  test('a test file with a label train lacks, or ragged rows: a DataError, and the previous classifier is untouched', async () => {
    const before = await loadClassifier(out);
    const unknown = path.join(root, 'unknown-label.csv');
    fs.writeFileSync(unknown, 'text,label\nthe movie is good,pos\nthe movie is meh,meh\n');
    await assert.rejects(trainClassifier({ ...base, test: unknown }), (e: unknown) => e instanceof DataError && /meh/.test(e.message));
    await assert.rejects(trainClassifier({ ...base, train: path.join(DATA, 'ragged.csv') }), (e: unknown) => e instanceof DataError);
    assert.deepEqual(await loadClassifier(out), before);
    fs.rmSync(unknown);
  });

  test('labels the texts say nothing about: refused with the reason, nothing saved', async () => {
    const same = path.join(root, 'same.csv');
    fs.writeFileSync(same, ['text,label', ...Array.from({ length: 30 }, (_, i) => `the film,${i % 2 === 0 ? 'good' : 'bad'}`)].join('\n'));
    const nowhere = path.join(root, 'same.stc');
    await assert.rejects(trainClassifier({ ...base, train: same, out: nowhere }), /No neuron separates the labels/);
    assert.equal(fs.existsSync(nowhere), false);
  });

  test('cancelled before it starts, and a missing data file: nothing is written', async () => {
    const fresh = path.join(root, 'other.stc');
    await assert.rejects(trainClassifier({ ...base, out: fresh, signal: AbortSignal.abort() }), (e: unknown) => isAbortError(e));
    await assert.rejects(trainClassifier({ ...base, out: fresh, train: path.join(DATA, 'nope.csv') }), (e: unknown) => e instanceof DataError && /no such file/.test(e.message));
    assert.equal(fs.existsSync(fresh), false);
  });
});
