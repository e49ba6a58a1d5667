// The worker bundle (dist/worker.js, `npm run build`) driven over its typed protocol, as the
// extension host drives it: train on a small dataset with the tiny BERT fixture, then classify,
// explain and evaluate with the saved classifier; cancellation and errors come back typed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CancellationTokenSource,
  createMessageConnection,
  ResponseError,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
import type { TrainProgress } from '../../src/core/workflow/train';
import {
  CLASSIFY,
  EVALUATE,
  EVALUATE_PROGRESS,
  EXPLAIN,
  INITIALIZE,
  LOAD_CLASSIFIER,
  NEURON_TOKENS,
  REQUEST_CANCELLED,
  TRAIN,
  TRAIN_PROGRESS,
  UNLOAD_CLASSIFIER,
  type TrainParams,
} from '../../src/worker/protocol';

const ROOT = join(__dirname, '..', '..');
const DATA = join(ROOT, 'test/vscode/workspace/sentiment');
const MODEL = join(ROOT, 'test/fixtures/models/bert');

function startWorker(): { connection: MessageConnection; stop: () => void } {
  const child = spawn(process.execPath, [join(ROOT, 'dist/worker.js')], { stdio: ['pipe', 'pipe', 'pipe'] });
  const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  connection.listen();
  return {
    connection,
    stop: () => {
      connection.dispose();
      child.kill();
    },
  };
}

test('the worker refuses work before it is initialized, with the reason', async () => {
  const { connection, stop } = startWorker();
  try {
    await assert.rejects(connection.sendRequest(LOAD_CLASSIFIER, { dir: '/nowhere.stc', device: 'cpu' }), /not initialized/);
  } finally {
    stop();
  }
});

test('train, load, classify, explain and evaluate over the protocol', async (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'stc-worker-'));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const { connection, stop } = startWorker();
  t.after(stop);
  await connection.sendRequest(INITIALIZE, { graphCacheDir: join(tmp, 'graphs'), threads: 1 });

  const stages = new Set<TrainProgress['stage']>();
  connection.onNotification(TRAIN_PROGRESS, (p) => {
    assert.equal(p.job, 'job-1');
    stages.add(p.progress.stage);
  });
  const params: TrainParams = {
    job: 'job-1',
    train: join(DATA, 'train.csv'),
    test: join(DATA, 'test.csv'),
    model: MODEL,
    allowRemote: false,
    device: 'cpu',
    out: join(tmp, 'models', 'sentiment.stc'),
    name: 'sentiment',
    workDir: join(tmp, 'work'),
  };
  const trained = await connection.sendRequest(TRAIN, params);
  assert.equal(trained.dir, params.out);
  assert.deepEqual(trained.manifest.labels, ['negative', 'positive']);
  assert.ok(trained.manifest.metrics.test, 'a test split was given: the manifest has its metrics');
  assert.ok(trained.baseline, 'the reply names a baseline scored on the test split');
  assert.ok(stages.has('extracting') && stages.has('probe'), `progress stages seen: ${[...stages].join(', ')}`);

  const loaded = await connection.sendRequest(LOAD_CLASSIFIER, { dir: trained.dir, device: 'cpu' });
  assert.equal(loaded.provider, 'cpu');
  assert.equal(loaded.manifest.name, 'sentiment');

  const predictions = await connection.sendRequest(CLASSIFY, { dir: trained.dir, device: 'cpu', texts: ['A wonderful film, I loved it.', 'A dreadful script.'] });
  assert.equal(predictions.length, 2);
  for (const p of predictions) {
    assert.ok(Array.isArray(p.values), 'Float32Array values travel as number[]');
    assert.equal(p.values.length, trained.manifest.classifier.neurons.length);
    assert.ok(Math.abs(p.proba.reduce((a, b) => a + b, 0) - 1) < 1e-5);
    assert.equal(p.label, trained.manifest.labels[p.labelIndex]);
  }

  const explanation = await connection.sendRequest(EXPLAIN, { dir: trained.dir, device: 'cpu', text: 'A wonderful film.', top: 2 });
  assert.equal(explanation.text, 'A wonderful film.');
  assert.ok(explanation.contributions.length > 0);
  assert.ok(explanation.onTokens.length <= 2);

  const neuron = trained.manifest.classifier.neurons[0]?.name;
  assert.ok(neuron);
  const texts = ['A wonderful film.', 'Such a dull script, sadly.'];
  const placed = await connection.sendRequest(NEURON_TOKENS, { dir: trained.dir, device: 'cpu', texts, neuron });
  assert.equal(placed.length, 2);
  placed.forEach((p, i) => {
    assert.equal(p.values.length, p.tokens.length);
    const text = texts[i]!;
    const pieces = p.tokens.filter((t) => !t.special).map((t) => text.slice(t.start, t.end));
    assert.equal(pieces.join('').toLowerCase(), text.replace(/\s/g, '').toLowerCase(), 'the tokens cover the text, in order');
  });

  let evaluated = 0;
  connection.onNotification(EVALUATE_PROGRESS, (p) => {
    assert.equal(p.job, 'job-2');
    evaluated = p.done;
  });
  const evaluation = await connection.sendRequest(EVALUATE, { job: 'job-2', dir: trained.dir, device: 'cpu', data: join(DATA, 'test.csv') });
  assert.equal(evaluation.evaluation.rows.length, 24);
  assert.equal(evaluated, 24);
  assert.match(evaluation.text, /positive/);

  await connection.sendRequest(UNLOAD_CLASSIFIER, { dir: trained.dir });
});

test('a cancelled training stops with the cancelled code and saves nothing', async (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'stc-worker-'));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const { connection, stop } = startWorker();
  t.after(stop);
  await connection.sendRequest(INITIALIZE, { graphCacheDir: join(tmp, 'graphs'), threads: 1 });
  const source = new CancellationTokenSource();
  connection.onNotification(TRAIN_PROGRESS, () => source.cancel());
  const out = join(tmp, 'models', 'cancelled.stc');
  const training = connection.sendRequest(
    TRAIN,
    { job: 'j', train: join(DATA, 'train.csv'), model: MODEL, allowRemote: false, device: 'cpu', out, workDir: join(tmp, 'work') },
    source.token,
  );
  await assert.rejects(training, (e: unknown) => e instanceof ResponseError && e.code === REQUEST_CANCELLED);
  assert.equal(existsSync(out), false);
});

test('a classifier folder that cannot be loaded is an error that names it', async (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'stc-worker-'));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const { connection, stop } = startWorker();
  t.after(stop);
  await connection.sendRequest(INITIALIZE, { graphCacheDir: join(tmp, 'graphs'), threads: 1 });
  const dir = join(tmp, 'missing.stc');
  await assert.rejects(connection.sendRequest(CLASSIFY, { dir, device: 'cpu', texts: ['x'] }), (e: unknown) => e instanceof Error && e.message.includes(dir));
});
