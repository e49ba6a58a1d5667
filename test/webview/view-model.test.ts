import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explanationView, explorerModel, neuronModel, segments, selectionActivation } from '../../src/extension/explorer/view-model';
import { toWebview } from '../../webview/shared/protocol';
import { fakeExplanation, recordedExamples, recordedReport } from './fixture';
import { largeReport } from './large-report';

const report = recordedReport();
const examples = recordedExamples();

describe('explorer model from the recorded report', () => {
  const m = explorerModel(report, 'sentiment');

  test('passes the message schema', () => {
    assert.deepEqual(toWebview({ type: 'model', model: m }, ''), { type: 'model', model: m });
  });

  test('one probe line per searched kind and pooling, over its layers in order', () => {
    assert.equal(m.probes.length, report.settings.kinds.length * report.settings.poolings.length);
    const hidMean = m.probes.find((s) => s.kind === 'hid' && s.pooling === 'mean');
    assert.deepEqual(
      hidMean?.points.map((p) => p.layer),
      Array.from({ length: report.model.numLayers + 1 }, (_, l) => l),
    );
    const actMax = m.probes.find((s) => s.kind === 'act' && s.pooling === 'max');
    assert.equal(actMax?.points.length, report.model.numLayers);
    const probe = report.probes.find((p) => p.block === 'L3.act.max');
    assert.equal(actMax?.points[3]?.score, probe?.valScore);
  });

  test('one aggregation curve per configuration; the chosen one at the chosen eta reaches the chosen score at k', () => {
    const configs = new Set(report.aggregation.map((a) => `${a.config.kinds.join('+')}/${a.config.poolings.join('+')}`));
    assert.equal(m.aggregation.length, configs.size);
    const chosen = m.aggregation.filter((a) => a.chosen);
    assert.equal(chosen.length, 1);
    assert.equal(chosen[0]?.eta, report.chosen.eta);
    assert.equal(chosen[0]?.points.find((p) => p.k === report.chosen.k)?.score, report.chosen.valScore);
    assert.equal(m.chosen.k, report.chosen.k);
  });

  test('the ensemble: its members described best first, its exit point and its validation score', () => {
    assert.equal(m.ensemble.members.length, 3);
    assert.equal(m.ensemble.members[0], `${m.chosen.label}, eta ${report.chosen.eta}, k = ${report.chosen.k}, ${report.chosen.penalty.toUpperCase()}`);
    assert.deepEqual({ k: m.ensemble.k, score: m.ensemble.score }, { k: report.ensemble.k, score: report.ensemble.valScore });
  });

  test('every other configuration is shown at the eta of its best validation score', () => {
    for (const series of m.aggregation.filter((a) => !a.chosen)) {
      const entries = report.aggregation.filter((a) => `${a.config.kinds.join('+')}/${a.config.poolings.join('+')}` === series.label);
      const best = Math.max(...entries.flatMap((e) => e.curve.map((p) => p.valScore)));
      assert.equal(Math.max(...series.points.map((p) => p.score)), best, series.label);
    }
  });

  test('with a test score there is no validation caveat; without one the caveat names the number of fits', () => {
    assert.equal(m.validationCaveat, undefined);
    const { test: _test, ...noTest } = report;
    const untested = explorerModel(noTest, 'sentiment');
    assert.equal(untested.test, undefined);
    assert.match(untested.validationCaveat ?? '', new RegExp(`the average of the best 3 of ${report.fits.aggregation} fitted classifiers`));
    assert.deepEqual(toWebview({ type: 'model', model: untested }, ''), { type: 'model', model: untested });
  });

  test('neurons carry a weight per class and the class they push toward; baselines and kept counts copied', () => {
    assert.equal(m.neurons.length, report.classifier.neurons.length);
    for (const n of m.neurons) {
      assert.equal(n.weights.length, report.data.classes.length);
      assert.equal(n.weights[n.classIndex], Math.max(...n.weights));
    }
    assert.deepEqual(
      m.baselines.map((b) => b.name),
      ['last-hid-mean', 'last-hid-single', 'best-probe'],
    );
    assert.equal(m.kept.reduce((s, r) => s + r.hid + r.act, 0), m.neurons.length);
    assert.equal(m.candidates, report.probes.reduce((s, p) => s + p.dim, 0));
  });

  test('a binary classifier shows its one logit weight as [-w, w]', () => {
    const binary = largeReport({ numLayers: 4, classes: 2, neurons: 20 });
    const b = { ...binary, classifier: { ...binary.classifier, outputs: 1, neurons: binary.classifier.neurons.map((n) => ({ ...n, weights: [n.weights[0] ?? 0] })) } };
    const model = explorerModel(b, 'binary');
    for (const [i, n] of model.neurons.entries()) {
      const w = b.classifier.neurons[i]?.weights[0] ?? 0;
      assert.deepEqual(n.weights, [-w, w]);
      assert.equal(n.classIndex, w > 0 ? 1 : 0);
    }
  });

  test('a 48-layer report becomes a model of bounded size (the grid is summarised)', () => {
    const large = largeReport();
    const model = explorerModel(large, 'large');
    assert.equal(model.aggregation.length, 12);
    assert.ok(model.aggregation.every((a) => a.points.length === 48));
    assert.ok(JSON.stringify(model).length < JSON.stringify(large).length / 3);
    toWebview({ type: 'model', model }, '');
  });
});

describe('neuron model', () => {
  const name = report.classifier.neurons[0]?.name ?? '';

  test('weights, statistics and the cited training texts', () => {
    const n = neuronModel(report, 'sentiment', examples, name);
    assert.ok(n);
    toWebview({ type: 'neuron', neuron: n }, '');
    const stats = report.neuronStats[0];
    assert.equal(n.top.length, stats?.top.length);
    const neuron = report.classifier.neurons[0];
    const top = n.top[0];
    assert.ok(top && neuron && stats);
    assert.equal(top.row, stats.top[0]?.row);
    assert.equal(top.raw, top.value * neuron.scale + neuron.mean);
    assert.equal(top.text, examples.get(top.row)?.text);
    assert.equal(top.segments, undefined);
  });

  test('highlights an example when token values are given', () => {
    const row = report.neuronStats[0]?.top[0]?.row ?? -1;
    const text = examples.get(row)?.text ?? '';
    const tokens = [{ token: 'The', start: 0, end: 3, special: false }];
    const n = neuronModel(report, 'sentiment', examples, name, new Map([[row, { tokens, values: [1.5] }]]));
    assert.deepEqual(n?.top[0]?.segments, [
      { text: 'The', value: 1.5 },
      { text: text.slice(3), value: null },
    ]);
  });

  test('undefined for a neuron the classifier does not keep', () => {
    assert.equal(neuronModel(report, 'sentiment', examples, 'L0.hid.mean#99999'), undefined);
  });
});

describe('segments', () => {
  test('cover the text exactly: token pieces with values, gaps with null; special and unplaced tokens skipped', () => {
    const text = 'Great food, slow.';
    const tokens = [
      { token: '[CLS]', start: 0, end: 0, special: true },
      { token: 'great', start: 0, end: 5, special: false },
      { token: 'food', start: 6, end: 10, special: false },
      { token: ',', start: 10, end: 11, special: false },
      { token: 'slow', start: 12, end: 16, special: false },
      { token: '[SEP]', start: 17, end: 17, special: true },
    ];
    const s = segments(text, tokens, [9, 1, 2, 3, 4, 9]);
    assert.equal(s.map((x) => x.text).join(''), text);
    assert.deepEqual(s, [
      { text: 'Great', value: 1 },
      { text: ' ', value: null },
      { text: 'food', value: 2 },
      { text: ',', value: 3 },
      { text: ' ', value: null },
      { text: 'slow', value: 4 },
      { text: '.', value: null },
    ]);
  });

  test('overlapping or out-of-range spans are dropped rather than duplicating text', () => {
    const s = segments('abc', [{ token: 'ab', start: 0, end: 2, special: false }, { token: 'b', start: 1, end: 2, special: false }, { token: 'x', start: 2, end: 9, special: false }], [1, 2, 3]);
    assert.deepEqual(s, [
      { text: 'ab', value: 1 },
      { text: 'c', value: null },
    ]);
  });
});

describe('explanations', () => {
  const e = fakeExplanation(report, 'The order great, okay; really lovely.');

  test('keeps the strongest contributions and the total, and passes the schema', () => {
    const v = explanationView(e, 'notes.txt:3', 4);
    assert.equal(v.contributions.length, 4);
    assert.equal(v.total, report.classifier.neurons.length);
    assert.deepEqual(
      v.contributions.map((c) => c.name),
      e.contributions.slice(0, 4).map((c) => c.name),
    );
    toWebview({ type: 'explanation', explanation: v }, '');
  });

  test("a neuron's share of the selection, with its token values when the explanation has them", () => {
    const first = e.contributions[0];
    const a = selectionActivation(e, first?.name ?? '', 'notes.txt:3');
    assert.equal(a?.contribution, first?.contribution);
    assert.equal(a?.segments?.map((s) => s.text).join(''), e.text);
    const other = e.contributions[1];
    assert.equal(selectionActivation(e, other?.name ?? '', 'x')?.segments, undefined);
    assert.equal(selectionActivation(e, 'L0.hid.mean#99999', 'x'), undefined);
  });
});
