import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { classificationMetrics, logLoss } from '../../src/core/learn/metrics';
import { allBlocks, blockName } from '../../src/core/neurons';
import { applyClassifier, isAbortError, trainStc, type StcClassifier, type StcOptions, type StcReport } from '../../src/core/stc';
import { checkReport } from './schema';
import { syntheticInput } from './synthetic';

const labels = (y: Int32Array, rows: Int32Array) => Int32Array.from(rows, (r) => y[r] as number);

/** The report without what legitimately differs between two identical runs. */
function stable(r: StcReport): unknown {
  const { createdAt: _c, timings: _t, ...rest } = r;
  return { ...rest, probes: r.probes.map(({ seconds: _s, ...p }) => p) };
}

describe('planted binary signal (act.mean, layers 2 and 4)', async () => {
  const input = syntheticInput();
  const report = await trainStc(input, { threads: 1 });
  const reads = input.reads.splice(0);
  const trainOnly = await trainStc(input, { threads: 1, refit: false });
  const trainOnlyReads = input.reads.splice(0);

  test('the report passes the schema check, with the refit and without', () => {
    checkReport(report);
    checkReport(trainOnly);
  });

  test('finds the planted neurons, exits after block 5, and beats the last-layer baselines', () => {
    const names = report.classifier.neurons.map((n) => n.name);
    assert.ok(names.includes('L2.act.mean#3') && names.includes('L4.act.mean#7'), names.join(', '));
    assert.ok(report.chosen.config.kinds.includes('act') && report.chosen.config.poolings.includes('mean'));
    assert.ok(report.chosen.k === 5 || report.chosen.k === 6, `k = ${report.chosen.k}`);
    const test = report.test;
    assert.ok(test && test.accuracy > 0.78, `test accuracy ${test?.accuracy}`);
    for (const b of report.baselines.filter((x) => x.name !== 'best-probe')) assert.ok((b.test?.accuracy ?? 1) < test.accuracy - 0.1, `${b.name}`);
    assert.equal(report.settings.metric, 'accuracy');
    assert.match(report.settings.metricReason, /balanced/);
  });

  test('probes see the planted blocks as the best ones', () => {
    const best = [...report.probes].sort((a, b) => b.valScore - a.valScore).slice(0, 2).map((p) => p.block);
    assert.deepEqual(new Set(best), new Set(['L2.act.mean', 'L4.act.mean']));
    assert.equal(report.baselines[2]?.block, best[0]);
  });

  test('reads each probed block once (act first, the slower ones), then only the blocks baselines and test need', () => {
    const blocks = allBlocks(6).map(blockName);
    const act = blocks.filter((b) => b.includes('.act.'));
    const probeOrder = [...act, ...blocks.filter((b) => !act.includes(b))];
    const blocksOf = (r: StcReport) => new Set(r.classifier.neurons.map((n) => `L${n.layer}.${n.kind}.${n.pooling}`)).size;
    assert.deepEqual(reads.slice(0, blocks.length), probeOrder);
    // Each baseline's block is read once, for its refit and its test score.
    assert.equal(reads.length, blocks.length + report.baselines.length + blocksOf(report));
    // Without the refit, a baseline whose probe kept no neuron (intercept only) needs no block at all.
    assert.deepEqual(trainOnlyReads.slice(0, blocks.length), probeOrder);
    assert.equal(trainOnlyReads.length, blocks.length + trainOnly.baselines.filter((b) => b.support > 0).length + blocksOf(trainOnly));
  });

  test('the exported classifier reproduces the test metrics, and without the refit the validation score of the members\' average', () => {
    const { dev, test: testRows } = input.splits;
    const onDev = applyClassifier(trainOnly.classifier, input.source, dev);
    assert.equal(trainOnly.ensemble.members.length, 3);
    assert.equal(classificationMetrics(labels(input.y, dev), onDev.predictions, 2).accuracy, trainOnly.ensemble.valScore);
    assert.ok(testRows);
    const onTest = applyClassifier(report.classifier, input.source, testRows);
    assert.deepEqual(classificationMetrics(labels(input.y, testRows), onTest.predictions, 2, onTest.proba), report.test);
    for (let i = 0; i < testRows.length; i++) assert.ok(Math.abs((onTest.proba[2 * i] as number) + (onTest.proba[2 * i + 1] as number) - 1) < 1e-12);
  });

  test('the refit keeps the choice', () => {
    const { probes, aggregation, chosen, ensemble, settings } = trainOnly;
    assert.deepEqual(
      { probes: report.probes.map(({ seconds: _s, ...p }) => p), aggregation: report.aggregation, chosen: report.chosen, ensemble: report.ensemble },
      { probes: probes.map(({ seconds: _s, ...p }) => p), aggregation, chosen, ensemble },
    );
    assert.deepEqual({ ...report.settings, refit: false }, settings);
    assert.notDeepEqual(report.classifier, trainOnly.classifier);
    const rows = input.splits.train.length + input.splits.dev.length;
    assert.deepEqual(report.finalFit, { on: 'train+dev', rows, support: report.classifier.neurons.length, converged: true });
  });

  test('a one-member refit fits the chosen neurons and lambda on train + validation', async () => {
    const single = await trainStc(input, { threads: 1, ensemble: 1 });
    const singleTrainOnly = await trainStc(input, { threads: 1, ensemble: 1, refit: false });
    input.reads.splice(0);
    const { chosen } = single;
    assert.equal(chosen.penalty, 'l1');
    // The refitted weights minimise the L1 objective on train + validation at the chosen lambda
    // (to the solver's tolerance), so they do at least as well there as the train-only weights.
    const rows = Int32Array.from([...input.splits.train, ...input.splits.dev]);
    const objective = (c: StcClassifier) => {
      const { proba } = applyClassifier(c, input.source, rows);
      return logLoss(labels(input.y, rows), proba, 2) + chosen.lambda * c.neurons.reduce((sum, n) => sum + Math.abs(n.weights[0] as number), 0);
    };
    assert.ok(objective(single.classifier) <= objective(singleTrainOnly.classifier) + 1e-4 * Math.LN2, `${objective(single.classifier)} vs ${objective(singleTrainOnly.classifier)}`);
  });

  test('the ensemble setting changes only the averaging: one member ships the chosen fit, scored as chosen', async () => {
    const single = await trainStc(input, { threads: 1, ensemble: 1, refit: false });
    input.reads.splice(0);
    checkReport(single);
    const { probes, aggregation, chosen } = trainOnly;
    assert.deepEqual({ probes: single.probes.map(({ seconds: _s, ...p }) => p), aggregation: single.aggregation, chosen: single.chosen }, { probes: probes.map(({ seconds: _s, ...p }) => p), aggregation, chosen });
    assert.deepEqual(single.ensemble, { members: [chosen], k: chosen.k, valScore: chosen.valScore });
    assert.equal(single.classifier.neurons.length, chosen.support);
    const names = new Set(single.classifier.neurons.map((n) => n.name));
    assert.ok([...names].every((n) => trainOnly.classifier.neurons.some((m) => m.name === n)), 'the best member\'s neurons are in the average');
  });

  test('neuron statistics put the planted class above the other', () => {
    const stats = report.neuronStats.find((n) => n.name === 'L4.act.mean#7');
    assert.ok(stats);
    assert.ok((stats.classMeans[1] as number) > (stats.classMeans[0] as number) + 1);
    assert.equal(stats.top.length, 10);
    assert.ok(stats.top.every((t) => input.splits.train.includes(t.row)));
  });
});

test('multi-class, imbalanced: auto picks macro-F1 and the classifier separates all four classes', async () => {
  const input = syntheticInput({
    classWeights: [4, 2, 1, 1],
    rows: { train: 400, dev: 160, test: 160 },
    plants: [
      { block: 'L1.hid.mean', index: 2, klass: 1, strength: 3 },
      { block: 'L3.act.max', index: 5, klass: 2, strength: 3 },
      { block: 'L2.act.max', index: 9, klass: 3, strength: 3 },
    ],
  });
  const report = await trainStc(input, { threads: 1, etaGrid: [0.01, 0.1, 0.5], poolings: ['mean', 'max'] });
  checkReport(report);
  assert.equal(report.settings.metric, 'macroF1');
  assert.match(report.settings.metricReason, /imbalanced/);
  assert.equal(report.classifier.outputs, 4);
  const test = report.test;
  assert.ok(test && test.macroF1 > 0.75, `test macro-F1 ${test?.macroF1}`);
  const names = report.classifier.neurons.map((n) => n.name);
  for (const planted of ['L1.hid.mean#2', 'L3.act.max#5', 'L2.act.max#9']) assert.ok(names.includes(planted), `${planted} in ${names.join(', ')}`);
  assert.ok(report.chosen.k >= 3, `k = ${report.chosen.k}`);
});

test('a smaller patience ends probe paths sooner, never later (default 2; 0 fits whole paths)', async () => {
  const options: StcOptions = { threads: 1, space: 'paper', poolings: ['mean'], etaGrid: [0.5], pathLength: 12 };
  const whole = await trainStc(syntheticInput(), { ...options, patience: 0 });
  const short = await trainStc(syntheticInput(), { ...options, patience: 1 });
  const points = (r: StcReport) => r.probes.map((p) => p.pathPoints);
  assert.ok(points(whole).every((n, i) => n >= (points(short)[i] as number)), `${points(whole).join()} vs ${points(short).join()}`);
  assert.ok(points(short).some((n, i) => n < (points(whole)[i] as number)), points(short).join());
  assert.equal(short.settings.patience, 1);
  assert.equal((await trainStc(syntheticInput(), options)).settings.patience, 2);
});

describe('many weak signals: a ridge (L2) final classifier', async () => {
  // 24 neurons over four blocks, each moving by a third of a standard deviation: no few of them
  // decide, which is where a dense classifier beats a sparse one.
  const plants = Array.from({ length: 24 }, (_, i) => ({ block: `L${1 + (i % 4)}.act.mean`, index: i, klass: 1, strength: 0.35 }));
  const input = syntheticInput({ plants, rows: { train: 160, dev: 120, test: 120 } });
  const options: StcOptions = { threads: 1, poolings: ['mean'], etaGrid: [0.3, 0.9], ensemble: 1 };
  const extended = await trainStc(input, options);

  test('wins on validation in the extended space and weighs every offered neuron, refitted too', () => {
    checkReport(extended);
    assert.deepEqual(extended.settings.penalties, ['l1', 'l2']);
    assert.equal(extended.chosen.penalty, 'l2');
    assert.equal(extended.chosen.eta, 0.9);
    assert.equal(extended.chosen.support, extended.chosen.features);
    assert.equal(extended.finalFit.on, 'train+dev');
    assert.equal(extended.classifier.neurons.length, extended.chosen.features, 'the refitted ridge classifier weighs every offered neuron too');
  });

  test('is fitted only on the largest eta, and never in the paper space or with penalties ["l1"]', async () => {
    const l2 = extended.aggregation.flatMap((a) => a.curve.filter((c) => c.penalty === 'l2').map(() => a.eta));
    assert.ok(l2.length > 0 && l2.every((eta) => eta === 0.9), l2.join());
    for (const report of [await trainStc(input, { ...options, space: 'paper' }), await trainStc(input, { ...options, penalties: ['l1'] })]) {
      checkReport(report);
      assert.deepEqual(report.settings.penalties, ['l1']);
      assert.ok(report.aggregation.every((a) => a.curve.every((c) => c.penalty === 'l1')));
    }
  });
});

describe('determinism and threads', () => {
  const options: StcOptions = { poolings: ['mean', 'max'], etaGrid: [0.01, 0.3] };
  test('the same input gives the same report, in process or on two worker threads', async () => {
    const a = await trainStc(syntheticInput(), { ...options, threads: 1 });
    const b = await trainStc(syntheticInput(), { ...options, threads: 1 });
    const c = await trainStc(syntheticInput(), { ...options, threads: 2 });
    assert.deepEqual(stable(b), stable(a));
    assert.deepEqual(stable(c), stable(a));
  });
});

describe('cancellation', () => {
  for (const threads of [1, 2]) {
    test(`a run aborted during the probes rejects with an AbortError (threads ${threads})`, async () => {
      const controller = new AbortController();
      let lastProgress = '';
      const run = trainStc(syntheticInput(), {
        threads,
        onProgress: (p) => {
          lastProgress = p.stage;
          if (p.stage === 'probe' && p.done === 2) controller.abort();
        },
        signal: controller.signal,
      });
      await assert.rejects(run, (e) => isAbortError(e));
      assert.equal(lastProgress, 'probe');
    });
  }

  test('a run aborted during aggregation rejects with an AbortError', async () => {
    const controller = new AbortController();
    const run = trainStc(syntheticInput(), {
      threads: 1,
      onProgress: (p) => {
        if (p.stage === 'aggregate' && p.done === 3) controller.abort();
        assert.notEqual(p.stage, 'baseline');
      },
      signal: controller.signal,
    });
    await assert.rejects(run, (e) => isAbortError(e));
  });

  test('an already aborted signal stops before any fit', async () => {
    const input = syntheticInput();
    await assert.rejects(trainStc(input, { threads: 1, signal: AbortSignal.abort() }), (e) => isAbortError(e));
    assert.deepEqual(input.reads, []);
  });
});

test('without a test split: no test metrics, baselines without test, still a valid report', async () => {
  const input = syntheticInput();
  const report = await trainStc({ ...input, splits: { train: input.splits.train, dev: input.splits.dev } }, { threads: 1, space: 'paper', kinds: ['act'], etaGrid: [0.05] });
  checkReport(report);
  assert.equal(report.test, undefined);
  assert.ok(report.baselines.every((b) => b.test === undefined));
  // hid was not searched, so the last-layer baselines were probed for themselves.
  assert.equal(report.fits.baselines, 2);
});
