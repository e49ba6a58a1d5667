// Contributions (their scores reproduce the classifier's probabilities) and explainText, first on a
// fake runtime (no model), then on a real early-exit runtime over fixture models.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { modelIdentity, type ModelIdentity, type SavedClassifier } from '../../src/core/artifact';
import { explainText, labelIntercepts, neuronContributions, type Explanation, type NeuronContribution } from '../../src/core/explain';
import { openClassifier, type ClassifierRuntime, type Prediction, type TokenActivations } from '../../src/core/infer';
import { predictionsFromValues } from '../../src/core/infer/predictions';
import { modelOf, type StcClassifier, type StcNeuron } from '../../src/core/stc';
import { inMemorySavedClassifier } from '../helpers/saved-classifier';
import { resolveModel } from '../../src/core/model/resolve';
import { readModelConfig } from '../../src/core/onnx';

const FIXTURES = path.resolve(__dirname, '../fixtures/models');
const BERT = path.join(FIXTURES, 'bert');

function neuron(name: string, mean: number, scale: number, weights: number[]): StcNeuron {
  const m = /^L(\d+)\.(hid|act)\.(mean|max|single)#(\d+)$/.exec(name);
  if (!m) throw new Error(name);
  return {
    name,
    layer: Number(m[1]),
    kind: m[2] as StcNeuron['kind'],
    pooling: m[3] as StcNeuron['pooling'],
    index: Number(m[4]),
    mean,
    scale,
    weights,
    importance: weights.reduce((s, w) => s + w * w, 0),
  };
}

const FAKE_MODEL: ModelIdentity = { source: 'folder', id: BERT, onnxFile: 'onnx/model.onnx', files: [], sha256: '0', numLayers: 3, hiddenSize: 32, intermediateSize: 64, decoder: false };

function savedWith(classifier: StcClassifier, labels: string[], model: ModelIdentity = FAKE_MODEL): SavedClassifier {
  return inMemorySavedClassifier({ dir: '/nowhere/fake.stc', name: 'fake', model, classifier, labels, maxLength: 16 });
}

const BINARY: StcClassifier = {
  neurons: [neuron('L0.hid.mean#1', 0.5, 2, [1.5]), neuron('L1.act.max#4', -1, 0.5, [-0.75]), neuron('L2.hid.single#0', 0, 1, [0.25])],
  intercepts: [0.3],
  outputs: 1,
  nClasses: 2,
};

const THREE_CLASSES: StcClassifier = {
  neurons: [neuron('L0.hid.mean#1', 0.5, 2, [1.5, -0.5, 0]), neuron('L1.act.max#4', -1, 0.5, [-0.75, 0.25, 1]), neuron('L2.hid.max#7', 0.1, 3, [0, 2, -1])],
  intercepts: [0.3, -0.2, 0.1],
  outputs: 3,
  nClasses: 3,
};

/** Scores per label from an explanation's parts: intercept + sum of the neurons' shares. */
function scores(intercepts: readonly number[], contributions: readonly NeuronContribution[]): number[] {
  return intercepts.map((b, k) => contributions.reduce((s, c) => s + (c.byLabel[k] as number), b));
}

function probaOf(s: number[], binary: boolean): number[] {
  if (binary) return s.map((z) => 1 / (1 + Math.exp(-z)));
  const m = Math.max(...s);
  const e = s.map((z) => Math.exp(z - m));
  const total = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / total);
}

function assertClose(a: readonly number[], b: readonly number[], tol: number, what: string): void {
  assert.equal(a.length, b.length, what);
  a.forEach((v, i) => assert.ok(Math.abs(v - (b[i] as number)) <= tol, `${what}[${i}]: ${v} vs ${b[i]}`));
}

for (const [kind, classifier, labels] of [
  ['binary', BINARY, ['neg', 'pos']],
  ['three-class', THREE_CLASSES, ['a', 'b', 'c']],
] as const) {
  test(`${kind}: intercepts plus contributions give scores that reproduce the probabilities`, () => {
    const saved = savedWith(classifier, [...labels]);
    const values = Float32Array.from([[0.1, -2, 3.5], [4, 0.2, -1], [0.5, -1, 0]].flat());
    const predictions = predictionsFromValues(saved, modelOf(saved.manifest.classifier), values, [false, false, false]);
    for (const p of predictions) {
      const contributions = neuronContributions(classifier, p.values, p.labelIndex);
      assertClose(probaOf(scores(labelIntercepts(classifier), contributions), classifier.outputs === 1), p.proba, 1e-12, `${kind} proba`);
      for (const c of contributions) {
        const n = classifier.neurons.find((x) => x.name === c.name) as StcNeuron;
        assert.ok(Math.abs(c.standardised - (c.value - n.mean) / n.scale) < 1e-6, 'standardised is (value - mean) / scale');
        if (classifier.outputs === 1) assert.deepEqual(c.byLabel, [-(n.weights[0] as number) * c.standardised, (n.weights[0] as number) * c.standardised]);
        assert.equal(c.contribution, c.byLabel[p.labelIndex]);
      }
    }
  });
}

test('contributions are ranked by |contribution|, ties by name', () => {
  const tied: StcClassifier = {
    neurons: [neuron('L1.hid.mean#2', 0, 1, [1]), neuron('L0.hid.mean#9', 0, 1, [-1]), neuron('L0.act.mean#3', 0, 1, [0.1]), neuron('L0.hid.max#0', 0, 1, [3])],
    intercepts: [0],
    outputs: 1,
    nClasses: 2,
  };
  const ranked = neuronContributions(tied, [2, 2, 2, 0.5], 1);
  assert.deepEqual(
    ranked.map((c) => [c.name, c.contribution]),
    [
      ['L0.hid.mean#9', -2],
      ['L1.hid.mean#2', 2],
      ['L0.hid.max#0', 1.5],
      ['L0.act.mean#3', 0.2],
    ],
  );
  assert.throws(() => neuronContributions(tied, [1, 2], 0), /2 neuron values but the classifier has 4/);
});

/** A runtime that returns fixed values, recording what it was asked. */
class FakeRuntime implements ClassifierRuntime {
  readonly provider = 'cpu' as const;
  asked: string[][] = [];

  constructor(
    readonly saved: SavedClassifier,
    private readonly values: Float32Array,
    private readonly tokens: { tokens: string[]; special: boolean[]; truncated: boolean },
  ) {}

  classify(texts: readonly string[]): Promise<Prediction[]> {
    return Promise.resolve(predictionsFromValues(this.saved, modelOf(this.saved.manifest.classifier), new Float32Array(texts.flatMap(() => Array.from(this.values))), texts.map(() => false)));
  }

  tokenActivations(_text: string, neurons: readonly string[]): Promise<TokenActivations> {
    this.asked.push([...neurons]);
    const n = this.tokens.tokens.length;
    const values = new Map(neurons.map((name, j) => [name, Float32Array.from({ length: n }, (_, t) => j * 10 + t)]));
    return Promise.resolve({ ids: this.tokens.tokens.map((_, i) => i), ...this.tokens, values });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

test('explainText: prediction, ranked contributions, top neurons on the aligned tokens', async () => {
  const saved = savedWith(THREE_CLASSES, ['a', 'b', 'c']);
  const text = 'A fine  film!';
  const runtime = new FakeRuntime(saved, Float32Array.of(4, 0.2, -1), { tokens: ['[CLS]', 'a', 'fine', 'film', '!', '[SEP]'], special: [true, false, false, false, false, true], truncated: true });
  const e: Explanation = await explainText(runtime, text, { top: 2, modelFolder: BERT });
  const [p] = await runtime.classify([text]);
  assert.ok(p);
  assert.equal(e.text, text);
  assert.deepEqual(e.labels, ['a', 'b', 'c']);
  assert.equal(e.labelIndex, p.labelIndex);
  assert.equal(e.label, ['a', 'b', 'c'][p.labelIndex]);
  assert.deepEqual(e.proba, p.proba);
  assert.deepEqual(e.intercepts, [0.3, -0.2, 0.1]);
  assert.equal(e.contributions.length, 3);
  assertClose(probaOf(scores(e.intercepts, e.contributions), false), e.proba, 1e-12, 'proba');
  const top = e.contributions.slice(0, 2).map((c) => c.name);
  assert.deepEqual(runtime.asked, [top]);
  assert.deepEqual(
    e.onTokens.map((o) => o.name),
    top,
  );
  assert.deepEqual(e.onTokens[1]?.values, [10, 11, 12, 13, 14, 15]);
  assert.deepEqual(
    e.tokens.map((s) => [s.token, text.slice(s.start, s.end), s.special]),
    [
      ['[CLS]', '', true],
      ['a', 'A', false],
      ['fine', 'fine', false],
      ['film', 'film', false],
      ['!', '!', false],
      ['[SEP]', '', true],
    ],
  );
  assert.equal(e.truncated, true);
  assert.equal(JSON.stringify(JSON.parse(JSON.stringify(e))), JSON.stringify(e), 'plain JSON, for the worker');

  const none = await explainText(runtime, text, { top: 0, modelFolder: BERT });
  assert.deepEqual(none.onTokens, []);
  await assert.rejects(explainText(runtime, text, { top: -1, modelFolder: BERT }), /top must be a whole number/);
});

test('explainText on real early-exit runtimes: WordPiece, byte-level BPE and SentencePiece fixtures', async (t) => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'stc-explain-test-'));
  t.after(() => fs.rmSync(work, { recursive: true, force: true }));
  const cases = [
    { fixture: 'bert', classifier: BINARY, labels: ['negative', 'positive'] },
    { fixture: 'gpt2', classifier: { ...THREE_CLASSES, neurons: THREE_CLASSES.neurons.map((n) => ({ ...n, layer: Math.min(n.layer, 1) })) }, labels: ['x', 'y', 'z'] },
    { fixture: 'llama', classifier: { ...BINARY, neurons: BINARY.neurons.map((n) => ({ ...n, layer: Math.min(n.layer, 1) })) }, labels: ['no', 'yes'] },
  ];
  for (const c of cases) {
    const model = await resolveModel(path.join(FIXTURES, c.fixture));
    const renamed = { ...c.classifier, neurons: c.classifier.neurons.map((n) => ({ ...n, name: `L${n.layer}.${n.kind}.${n.pooling}#${n.index}` })) };
    const runtime = await openClassifier(savedWith(renamed, c.labels, modelIdentity(model, readModelConfig(model.folder))), { model, graphCacheDir: path.join(work, 'graphs') });
    try {
      for (const text of ['a fine film', 'not bad 😀', 'Café au lait — naïve 😀👍🏽!', '']) {
        const e = await explainText(runtime, text, { top: 2, modelFolder: model.folder });
        assertClose(probaOf(scores(e.intercepts, e.contributions), c.labels.length === 2), e.proba, 1e-9, `${c.fixture} proba`);
        assert.equal(e.onTokens.length, 2);
        for (const o of e.onTokens) assert.equal(o.values.length, e.tokens.length);
        const placed = e.tokens.filter((s) => !s.special);
        // (A prefix `▁` the tokenizer added covers nothing.)
        assert.ok(placed.every((s) => s.start < s.end || s.token === '▁'), `${c.fixture} ${text}: every text token placed`);
        // Together the placed tokens cover every non-space character of the (untruncated) text.
        const covered = new Set(placed.flatMap((s) => Array.from({ length: s.end - s.start }, (_, i) => s.start + i)));
        if (!e.truncated) for (let i = 0; i < text.length; i++) if (!/\s/.test(text[i] as string)) assert.ok(covered.has(i), `${c.fixture} ${JSON.stringify(text)}: character ${i} ${JSON.stringify(text[i])} uncovered`);
      }
      // Without modelFolder, the classifier's recorded model is found (and checked) instead.
      const found = await explainText(runtime, 'a fine film', { top: 1 });
      assert.deepEqual(found.tokens, (await explainText(runtime, 'a fine film', { top: 1, modelFolder: model.folder })).tokens);
    } finally {
      await runtime.close();
    }
  }
});
