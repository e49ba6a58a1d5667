// A structural check of the training report: types, and the invariants the UI and CLI rely on.
import assert from 'node:assert/strict';
import { allBlocks, parseNeuronName, type Kind, type Pooling } from '../../src/core/neurons';
import { REPORT_SCHEMA, REPORT_VERSION, aggregationLayers, searchConfigs, type StcReport } from '../../src/core/stc';

const isNumber = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
const isCount = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;
const isScore = (v: unknown) => isNumber(v) && (v as number) >= 0 && (v as number) <= 1;

function checkMetrics(m: unknown, nClasses: number, rows: number, where: string): void {
  const x = m as Record<string, unknown>;
  assert.ok(isScore(x.accuracy) && isScore(x.macroF1) && isNumber(x.logLoss), `${where}: accuracy, macroF1, logLoss`);
  const confusion = x.confusion as number[][];
  assert.equal(confusion.length, nClasses, `${where}: confusion rows`);
  assert.equal(confusion.flat().reduce((a, b) => a + b, 0), rows, `${where}: confusion total`);
  assert.equal((x.perClass as unknown[]).length, nClasses, `${where}: perClass`);
}

/** Throws an AssertionError naming the first broken rule. */
export function checkReport(r: StcReport): void {
  // Plain JSON: no typed arrays, NaN or Infinity anywhere.
  assert.deepEqual(JSON.parse(JSON.stringify(r)), r, 'report survives a JSON round trip');
  assert.equal(r.schema, REPORT_SCHEMA);
  assert.equal(r.version, REPORT_VERSION);
  assert.ok(!Number.isNaN(Date.parse(r.createdAt)), 'createdAt is a date');
  const L = r.model.numLayers;
  assert.ok(Number.isInteger(L) && L >= 1, 'model.numLayers');
  const K = r.data.classes.length;
  const { settings: s } = r;
  assert.ok(s.metric === 'accuracy' || s.metric === 'macroF1', 'settings.metric');
  assert.ok(JSON.stringify(s.penalties) === '["l1"]' || JSON.stringify(s.penalties) === '["l1","l2"]', 'settings.penalties');
  assert.ok(typeof s.metricReason === 'string' && typeof s.kConvention === 'string' && typeof s.tieBreaks === 'string' && typeof s.refit === 'boolean');
  for (const split of ['train', 'dev', 'test'] as const) {
    const counts = r.data.counts[split];
    if (split === 'test' && counts === undefined) continue;
    assert.ok(counts && counts.length === K && counts.every(isCount), `data.counts.${split}`);
    assert.equal(counts.reduce((a, b) => a + b, 0), r.data.rows[split], `data.rows.${split}`);
  }

  // Every probe of the search space, once, in order.
  const blocks = allBlocks(L, s.kinds, s.poolings);
  assert.deepEqual(r.probes.map((p) => p.block), blocks.map((b) => `L${b.layer}.${b.kind}.${b.pooling}`), 'one probe per block');
  for (const p of r.probes) {
    assert.ok(isScore(p.valScore) && isNumber(p.lambda) && p.lambda > 0 && isNumber(p.C) && p.C > 0, `${p.block}: scores`);
    assert.ok(isCount(p.dim) && p.dim > 0 && isCount(p.support) && p.support <= p.dim && isCount(p.constant) && p.constant <= p.dim, `${p.block}: counts`);
    assert.ok(isNumber(p.seconds) && isCount(p.pathPoints) && p.pathPoints >= 1 && typeof p.converged === 'boolean', `${p.block}: path`);
    const kept = r.sparsification[p.block];
    assert.ok(kept, `${p.block}: sparsification`);
    const counts = s.etaGrid.map((eta) => kept[String(eta)] as number);
    assert.ok(counts.every((c) => Number.isInteger(c) && c >= 1 && c <= p.dim), `${p.block}: kept counts in 1..dim`);
    assert.ok(counts.every((c, i) => i === 0 || c >= (counts[i - 1] as number)), `${p.block}: kept counts grow with eta`);
  }

  // Aggregation: every configuration x eta, a curve over k = 1..L; the choice is its best point.
  const configs = searchConfigs(s.kinds, s.poolings, s.space);
  assert.equal(r.aggregation.length, configs.length * s.etaGrid.length, 'aggregation: configurations x etas');
  let best = -Infinity;
  for (const a of r.aggregation) {
    assert.deepEqual(a.curve.map((c) => c.k), Array.from({ length: L }, (_, i) => i + 1), 'curve over k = 1..L');
    for (const c of a.curve) {
      assert.ok(isScore(c.valScore) && isCount(c.features) && c.features >= 1 && isCount(c.support) && c.support <= c.features, 'curve point');
      assert.ok(s.penalties.includes(c.penalty), `curve point penalty ${c.penalty} is one of settings.penalties`);
      // L2 is fitted on the largest eta's kept sets; a smaller eta that keeps the very same set shares the fit.
      const top = r.aggregation.find((t) => JSON.stringify(t.config) === JSON.stringify(a.config) && t.eta === s.etaGrid[s.etaGrid.length - 1]);
      assert.ok(c.penalty === 'l1' || top?.curve[c.k - 1]?.features === c.features, 'L2 classifiers only on the largest eta');
      best = Math.max(best, c.valScore);
    }
  }
  const ch = r.chosen;
  const home = r.aggregation.find((a) => JSON.stringify(a.config) === JSON.stringify(ch.config) && a.eta === ch.eta);
  const point = home?.curve.find((c) => c.k === ch.k);
  assert.ok(point, 'the chosen configuration appears in the aggregation');
  assert.equal(point.valScore, ch.valScore);
  assert.equal(point.features, ch.features);
  assert.equal(point.support, ch.support);
  assert.equal(point.penalty, ch.penalty);
  assert.equal(ch.valScore, best, 'the chosen configuration has the best validation score');

  // The ensemble: the best distinct configurations in order, the first the chosen one.
  const e = r.ensemble;
  assert.ok(Number.isInteger(s.ensemble) && s.ensemble >= 1, 'settings.ensemble');
  assert.ok(e.members.length >= 1 && e.members.length <= s.ensemble, 'ensemble: 1..settings.ensemble members');
  assert.deepEqual(e.members[0], ch, 'the first member is the chosen configuration');
  for (const m of e.members) {
    const at = r.aggregation.find((a) => JSON.stringify(a.config) === JSON.stringify(m.config) && a.eta === m.eta)?.curve.find((c) => c.k === m.k);
    assert.ok(at && at.valScore === m.valScore && at.features === m.features && at.penalty === m.penalty, 'every member appears in the aggregation');
  }
  assert.ok(e.members.every((m, i) => i === 0 || m.valScore <= (e.members[i - 1] as typeof m).valScore), 'members by decreasing validation score');
  assert.equal(new Set(e.members.map((m) => JSON.stringify([m.config, m.eta, m.k]))).size, e.members.length, 'members are distinct');
  assert.equal(e.k, Math.max(...e.members.map((m) => m.k)), 'the exit point is the largest member k');
  assert.ok(isScore(e.valScore), 'ensemble.valScore');

  // The classifier: parseable names that agree with their fields, inside the chosen configuration.
  const c = r.classifier;
  assert.equal(c.nClasses, K);
  assert.equal(c.outputs, K === 2 ? 1 : K);
  assert.equal(c.intercepts.length, c.outputs);
  const f = r.finalFit;
  assert.equal(f.on, s.refit ? 'train+dev' : 'train');
  assert.equal(f.rows, s.refit ? r.data.rows.train + r.data.rows.dev : r.data.rows.train);
  assert.equal(typeof f.converged, 'boolean');
  if (!s.refit && e.members.length === 1) assert.ok(f.support === ch.support && f.converged === ch.converged, 'without a refit a one-member classifier is the chosen fit');
  assert.equal(c.neurons.length, f.support, 'one neuron per non-zero weight column');
  for (const n of c.neurons) {
    const parsed = parseNeuronName(n.name);
    assert.deepEqual(parsed, { layer: n.layer, kind: n.kind, pooling: n.pooling, index: n.index }, `${n.name}: fields`);
    const inMember = (m: (typeof e.members)[number]) => m.config.kinds.includes(n.kind) && m.config.poolings.includes(n.pooling) && aggregationLayers(n.kind, m.k).includes(n.layer);
    assert.ok(e.members.some(inMember), `${n.name}: inside a member's configuration and within its k`);
    assert.ok(isNumber(n.mean) && isNumber(n.scale) && n.scale > 0, `${n.name}: standardisation`);
    assert.equal(n.weights.length, c.outputs);
    assert.ok(n.weights.some((w) => w !== 0) && n.importance > 0, `${n.name}: non-zero weight`);
  }
  assert.equal(new Set(c.neurons.map((n) => n.name)).size, c.neurons.length, 'neurons are distinct');
  assert.equal(r.keptPerLayer.length, L + 1);
  assert.equal(r.keptPerLayer.reduce((sum, l) => sum + l.hid + l.act, 0), c.neurons.length, 'keptPerLayer counts the neurons');
  const fc = r.featureCounts;
  assert.ok(fc.candidates >= fc.keptAfterSparsify && fc.keptAfterSparsify >= fc.final && fc.final === c.neurons.length, 'feature counts funnel');
  const offered = e.members.map((m) => m.features);
  assert.ok(fc.keptAfterSparsify >= Math.max(...offered) && fc.keptAfterSparsify <= offered.reduce((a, b) => a + b, 0), 'kept after sparsification: the union of the members\' offered neurons');

  // Baselines and test.
  assert.deepEqual(r.baselines.map((b) => b.name), ['last-hid-mean', 'last-hid-single', 'best-probe']);
  const bestProbe = Math.max(...r.probes.map((p) => p.valScore));
  assert.equal(r.baselines[2]?.valScore, bestProbe, 'best-probe baseline is the best probe');
  if (r.data.rows.test !== undefined) {
    checkMetrics(r.test, K, r.data.rows.test, 'test');
    for (const b of r.baselines) checkMetrics(b.test, K, r.data.rows.test, b.name);
  } else {
    assert.equal(r.test, undefined);
  }

  // Neuron statistics: one per neuron, histograms over the training rows of each class.
  assert.deepEqual(r.neuronStats.map((n) => n.name), c.neurons.map((n) => n.name));
  for (const n of r.neuronStats) {
    assert.equal(n.histogram.length, K);
    n.histogram.forEach((h, k) => {
      assert.equal(h.length, n.bins);
      assert.equal(h.reduce((a, b) => a + b, 0), r.data.counts.train[k], `${n.name}: histogram of class ${k}`);
    });
    assert.ok(n.min <= n.max && n.top.length > 0 && n.top.length === n.bottom.length);
    assert.ok((n.top[0]?.value ?? NaN) === n.max && (n.bottom[0]?.value ?? NaN) === n.min, `${n.name}: top and bottom`);
  }
  for (const t of Object.values(r.timings)) assert.ok(isNumber(t) && t >= 0, 'timings');
  assert.ok(r.warnings.every((w) => typeof w === 'string'));
}

export const kindsOf = (r: StcReport): Kind[] => r.settings.kinds;
export const poolingsOf = (r: StcReport): Pooling[] => r.settings.poolings;
