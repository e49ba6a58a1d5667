import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Explanation } from '../../src/core/explain/types';
import type { StcReport } from '../../src/core/stc/report';
import { formatExplanation, formatLayerTable, formatScores } from '../../src/cli/format';
import { createProgress, formatDuration, formatProgress } from '../../src/cli/progress';
import type { CliContext } from '../../src/cli/context';

function probe(kind: 'hid' | 'act', layer: number, pooling: 'mean' | 'max', valScore: number, support: number) {
  return { block: `L${layer}.${kind}.${pooling}`, kind, layer, pooling, valScore, support };
}

const metrics = (accuracy: number) => ({ accuracy, macroF1: accuracy - 0.1, perClass: [], confusion: [] });

const chosen = { config: { kinds: ['hid', 'act'], poolings: ['mean'] }, eta: 0.1, k: 1, penalty: 'l1', valScore: 0.925 };
const report = {
  settings: { metric: 'accuracy' },
  probes: [
    probe('hid', 0, 'mean', 0.5, 3),
    probe('hid', 1, 'mean', 0.75, 5),
    probe('hid', 2, 'mean', 0.8, 4),
    probe('act', 0, 'mean', 0.6, 7),
    probe('act', 1, 'mean', 0.9, 2),
    probe('hid', 1, 'max', 0.7, 1),
  ],
  keptPerLayer: [
    { layer: 0, hid: 1, act: 2 },
    { layer: 1, hid: 3, act: 0 },
    { layer: 2, hid: 0, act: 0 },
  ],
  chosen,
  ensemble: { members: [chosen], k: 1, valScore: 0.925 },
  finalFit: { on: 'train+dev', rows: 500, support: 6, converged: true },
  classifier: { neurons: new Array(6).fill({}) },
  baselines: [{ name: 'last-hid-mean', block: 'L2.hid.mean', valScore: 0.8, support: 4, test: metrics(0.78) }],
  test: metrics(0.9),
} as unknown as StcReport;

test('the per-layer table has a column per probed kind.pooling, the kept neurons and the exit layer', () => {
  const lines = formatLayerTable(report).split('\n');
  assert.match(lines[0] ?? '', /validation accuracy \(probe support\)/);
  assert.match(lines[1] ?? '', /runs k = 1 block: act layers 0\.\.0, hid layers 0\.\.1/);
  lines.splice(1, 1);
  assert.deepEqual(lines[1]?.split(/\s{2,}/), ['layer', 'hid.mean', 'hid.max', 'act.mean', 'kept hid', 'kept act']);
  assert.deepEqual(lines[2]?.split(/\s{2,}/), ['L0', '50.0% (3)', '60.0% (7)', '1', '2']);
  assert.deepEqual(lines[3]?.split(/\s{2,}/), ['L1', '75.0% (5)', '70.0% (1)', '90.0% (2)', '3', '0', 'exit (hid only)']);
  assert.deepEqual(lines[4]?.split(/\s{2,}/), ['L2', '80.0% (4)', '0', '0', 'not run']);
});

test('scores put STC next to the baselines, on validation and test', () => {
  const text = formatScores(report);
  assert.match(text, /^Chosen: hid\+act\/mean, eta 0\.1, k = 1 block, L1 classifier, 6 neurons \(validation accuracy 92\.5%\)\nRefitted on train \+ validation \(500 rows\)/);
  assert.match(text, /\n {2}STC \(k=1, 6 neurons\) +92\.5% +90\.0%\n/);
  assert.match(text, /\n {2}last-hid-mean \(L2\.hid\.mean, 4 neurons\) +80\.0% +78\.0%$/);
});

test('an averaged classifier lists its members; its exit point is the largest member k', () => {
  const second = { config: { kinds: ['act'], poolings: ['mean', 'max', 'single'] }, eta: 0.8, k: 2, penalty: 'l2', valScore: 0.9 };
  const averaged = { ...report, ensemble: { members: [chosen, second], k: 2, valScore: 0.95 } } as unknown as StcReport;
  const text = formatScores(averaged);
  assert.match(
    text,
    /^Chosen: the average of the best 2 configurations, k = 2 blocks, 6 neurons \(validation accuracy 95\.0%\):\n {2}1\. hid\+act\/mean, eta 0\.1, k = 1 block, L1 classifier \(validation accuracy 92\.5%\)\n {2}2\. act\/mean\+max\+single, eta 0\.8, k = 2 blocks, L2 classifier \(validation accuracy 90\.0%\)\n/,
  );
  assert.match(text, /\n {2}STC \(k=2, 6 neurons\) +95\.0% +90\.0%\n/);
  assert.match(formatLayerTable(averaged), /runs k = 2 blocks/);
});

test('without a test split the scores say that the STC validation score is optimistic', () => {
  assert.doesNotMatch(formatScores(report), /optimistic/);
  const { test: _test, ...noTest } = report;
  const text = formatScores({ ...noTest, fits: { probes: 9, aggregation: 120, cached: 30, baselines: 0 } });
  assert.match(text, /\n {2}STC \(k=1, 6 neurons\) +92\.5%\n/);
  assert.match(text, /\n\nThe STC validation score is optimistic: the best of 120 fitted classifiers \(a baseline's, the best of one path\)\. A test file gives an unbiased score\.$/);
  const averaged = { ...noTest, fits: { probes: 9, aggregation: 120, cached: 30, baselines: 0 }, ensemble: { members: [chosen, chosen, chosen], k: 1, valScore: 0.925 } } as unknown as StcReport;
  assert.match(formatScores(averaged), /optimistic: the average of the best 3 of 120 fitted classifiers/);
});

test('an explanation shows probabilities, ranked contributions and the top neurons on each token', () => {
  const e: Explanation = {
    text: 'Free prize!',
    labels: ['ham', 'spam'],
    labelIndex: 1,
    label: 'spam',
    proba: [0.1, 0.9],
    intercepts: [0.5, -0.5],
    contributions: [
      { name: 'L1.act.mean#3', value: 2, standardised: 1.5, byLabel: [-1.2, 1.2], contribution: 1.2 },
      { name: 'L0.hid.max#0', value: -1, standardised: -0.5, byLabel: [0.3, -0.3], contribution: -0.3 },
      { name: 'L0.hid.max#1', value: 0, standardised: 0, byLabel: [0, 0], contribution: 0 },
    ],
    tokens: [
      { token: '[CLS]', start: 0, end: 0, special: true },
      { token: 'free', start: 0, end: 4, special: false },
      { token: 'prize', start: 5, end: 10, special: false },
      { token: '!', start: 10, end: 11, special: false },
      { token: '[SEP]', start: 11, end: 11, special: true },
    ],
    onTokens: [{ name: 'L1.act.mean#3', values: [0.1, 3.25, 2, 0, 0] }],
    truncated: false,
  };
  const text = formatExplanation(e, 2);
  assert.match(text, /^label: spam {2}\(ham 10\.0%, spam 90\.0%\)\n/);
  assert.match(text, /intercept -0\.500/);
  assert.match(text, /\n {2}1 +L1\.act\.mean#3 +2\.000 +\+1\.500 +\+1\.200\n {2}2 +L0\.hid\.max#0 +-1\.000 +-0\.500 +-0\.300\n/);
  assert.match(text, /\(1 more neuron; --top N shows more\)/);
  assert.match(text, /\nWhere L1\.act\.mean#3 fires most .*:\n {2}\[Free prize\]!\n/);
  assert.match(text, /\n {2}token +text +L1\.act\.mean#3\n {2}\[CLS\] +0\.100\n {2}free +"Free" +3\.250\n {2}prize +"prize" +2\.000\n {2}! +"!" +0\.000\n/);
});

test('progress: a bar with rate and ETA on a terminal, throttled plain lines otherwise', () => {
  assert.equal(formatDuration(75), '1:15');
  assert.equal(formatDuration(3725), '1:02:05');
  assert.equal(
    formatProgress({ stage: 'extracting', done: 50, total: 200, rowsPerSecond: 12.345, etaSeconds: 12.2 }, true),
    'extracting  [######------------------]  50/200  12.3 rows/s  ETA 0:12',
  );
  let written = '';
  let clock = 0;
  const ctx = { stderr: { write: (s: string) => (written += s) }, stderrIsTTY: false } as unknown as CliContext;
  const progress = createProgress(ctx, () => clock);
  progress.update({ stage: 'probe', done: 0, total: 3 });
  progress.update({ stage: 'probe', done: 1, total: 3 }); // too soon: not printed
  clock = 6000;
  progress.update({ stage: 'probe', done: 2, total: 3 }); // 3 s per probe so far
  progress.update({ stage: 'probe', done: 3, total: 3 });
  progress.log('a log line');
  assert.equal(written, 'probe       0/3\nprobe       2/3  ETA 0:03\nprobe       3/3\na log line\n');
});
