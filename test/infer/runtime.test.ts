// The early-exit runtime against the extraction path: for each fixture model, a hand-made
// classifier's predictions and pooled values equal applyClassifier over extractFeatures of the
// same texts, and per-token values pooled by hand equal the pooled values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openClassifier } from '../../src/core/infer';
import type { ProviderFallback } from '../../src/core/model/session';
import { parseNeuronName } from '../../src/core/neurons';
import { FIXTURES, MAX_LENGTH, ROOT, TEXTS, VARIANTS, fixtureClassifier, maxAbsDiff, tempDir, variantFolder } from './helpers';

const TOLERANCE = 1e-5;

interface Case {
  readonly fixture: string;
  /** A graph variant of the fixture (test/fixtures/onnx): fused, quantized, fp16, external data. */
  readonly variant?: string;
  readonly onnxFile?: string;
  readonly labels?: string[];
  /** Spread over hid/act, mean/max/single and layers, all below the last block (k < numLayers). */
  readonly neurons: string[];
}

const CASES: Case[] = [
  { fixture: 'bert', neurons: ['L0.hid.mean#3', 'L1.hid.max#7', 'L1.act.single#2', 'L0.act.mean#5', 'L1.act.max#2', 'L2.hid.single#1', 'L1.act.mean#2'] },
  { fixture: 'roberta', labels: ['a', 'b', 'c'], neurons: ['L0.hid.mean#1', 'L0.act.max#4', 'L1.hid.single#0', 'L0.act.single#9', 'L1.hid.mean#30'] },
  { fixture: 'gpt2', onnxFile: 'onnx/decoder_model_merged.onnx', neurons: ['L0.act.mean#3', 'L1.hid.max#5', 'L0.hid.single#2', 'L1.hid.mean#5', 'L0.act.single#100'] },
  { fixture: 'llama', onnxFile: 'onnx/decoder_model_merged.onnx', labels: ['x', 'y', 'z'], neurons: ['L0.act.max#80', 'L1.hid.single#5', 'L0.hid.mean#2', 'L1.hid.max#31', 'L0.act.mean#0'] },
  { fixture: 'distilbert', neurons: ['L1.hid.single#4', 'L0.act.max#70', 'L0.hid.mean#0'] },
  { fixture: 'roberta', variant: 'roberta-external', neurons: ['L0.hid.mean#1', 'L0.act.max#4', 'L1.hid.single#0'] },
  { fixture: 'bert', variant: 'bert-fused', neurons: ['L1.hid.max#7', 'L1.act.single#2', 'L0.act.mean#5', 'L2.hid.mean#1'] },
  { fixture: 'bert', variant: 'bert-fp16', neurons: ['L1.hid.max#7', 'L0.act.mean#5', 'L1.hid.single#1'] },
  { fixture: 'llama', variant: 'llama-q4', neurons: ['L0.act.max#80', 'L1.hid.single#5', 'L0.hid.mean#2'] },
  { fixture: 'gpt2', variant: 'gpt2-fused', neurons: ['L0.act.mean#3', 'L1.hid.max#5', 'L0.hid.single#2'] },
];

/** Pools one neuron's per-token values as extraction does for a single unpadded text. */
function poolByHand(values: Float32Array, pooling: string, decoder: boolean): number {
  const all = Array.from(values);
  if (pooling === 'mean') return all.reduce((a, b) => a + b, 0) / all.length;
  if (pooling === 'max') return Math.max(...all);
  return (decoder ? all[all.length - 1] : all[0]) as number;
}

for (const c of CASES) {
  const present = fs.existsSync(c.variant ? path.join(VARIANTS, c.variant) : path.join(FIXTURES, c.fixture, c.onnxFile ?? 'onnx/model.onnx'));
  test(`${c.variant ?? c.fixture} ${c.onnxFile ?? ''}: early-exit predictions equal the extraction path`, { skip: !present && 'fixture not present' }, async () => {
    const work = tempDir();
    try {
      const folder = c.variant ? variantFolder(c.variant, c.fixture, work) : path.join(FIXTURES, c.fixture);
      const fx = await fixtureClassifier(folder, c.neurons, { onnxFile: c.onnxFile, labels: c.labels, workDir: work });
      const runtime = await openClassifier(fx.saved, { model: fx.model, graphCacheDir: `${work}/graphs` });
      try {
        assert.equal(runtime.provider, 'cpu');
        const progress: number[] = [];
        const predictions = await runtime.classify(TEXTS, { onProgress: (done) => progress.push(done) });
        assert.equal(predictions.length, TEXTS.length);
        assert.equal(progress.at(-1), TEXTS.length);
        const K = fx.saved.manifest.labels.length;
        predictions.forEach((p, i) => {
          assert.ok(maxAbsDiff(p.values, fx.reference[i] as number[]) <= TOLERANCE, `text ${i}: pooled values ${Array.from(p.values).join(', ')} vs ${(fx.reference[i] ?? []).join(', ')}`);
          assert.ok(maxAbsDiff(p.proba, fx.referenceProba.subarray(i * K, (i + 1) * K)) <= TOLERANCE, `text ${i}: proba ${p.proba.join(', ')} vs ${Array.from(fx.referenceProba.subarray(i * K, (i + 1) * K)).join(', ')}`);
          assert.ok(Math.abs(p.proba.reduce((a, b) => a + b, 0) - 1) < 1e-9);
          assert.equal(p.label, fx.saved.manifest.labels[p.labelIndex]);
        });
        assert.deepEqual(predictions.map((p) => p.truncated), TEXTS.map((_, i) => i === 1), 'only the long text is cut');

        const names = fx.saved.manifest.classifier.neurons.map((n) => n.name);
        const decoder = fx.saved.manifest.model.decoder;
        for (const [i, text] of TEXTS.entries()) {
          const acts = await runtime.tokenActivations(text, names);
          assert.ok(acts.ids.length >= 1 && acts.ids.length <= MAX_LENGTH);
          assert.equal(acts.tokens.length, acts.ids.length);
          assert.equal(acts.special.length, acts.ids.length);
          assert.equal(acts.truncated, i === 1);
          names.forEach((name, j) => {
            const v = acts.values.get(name) as Float32Array;
            assert.equal(v.length, acts.ids.length);
            const pooled = poolByHand(v, parseNeuronName(name).pooling, decoder);
            assert.ok(Math.abs(pooled - ((predictions[i] as { values: Float32Array }).values[j] as number)) <= TOLERANCE, `text ${i} ${name}: per-token values pool to ${pooled}`);
          });
        }
      } finally {
        await runtime.close();
      }
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
}

test('the runtime: token strings and special flags, cache reuse on a second open, bad requests refused', async () => {
  const work = tempDir();
  try {
    const fx = await fixtureClassifier(path.join(FIXTURES, 'bert'), ['L0.hid.mean#3', 'L1.act.max#2'], { workDir: work });
    const graphCacheDir = `${work}/graphs`;
    const runtime = await openClassifier(fx.saved, { model: fx.model, graphCacheDir });
    const entries = () => fs.readdirSync(graphCacheDir).filter((d) => d.startsWith('early-exit-'));
    assert.equal(entries().length, 1);
    const manifest = `${graphCacheDir}/${entries()[0]}/early-exit.json`;
    const written = fs.statSync(manifest).mtimeMs;

    const acts = await runtime.tokenActivations('not bad 😀', ['L1.act.max#2']);
    assert.equal(acts.tokens[0], '[CLS]');
    assert.equal(acts.tokens.at(-1), '[SEP]');
    assert.deepEqual(acts.special, acts.tokens.map((t) => t === '[CLS]' || t === '[SEP]' || t === '[UNK]'));
    assert.deepEqual([...acts.values.keys()], ['L1.act.max#2']);
    await assert.rejects(runtime.tokenActivations('x', ['L5.hid.mean#0']), /L5\.hid\.mean#0: not among the classifier's 2 neurons/);
    assert.deepEqual(await runtime.classify([]), []);
    await runtime.close();
    await assert.rejects(runtime.classify(['x']), /was closed/);

    const again = await openClassifier(fx.saved, { model: fx.model, graphCacheDir });
    await again.close();
    assert.equal(entries().length, 1);
    assert.equal(fs.statSync(manifest).mtimeMs, written, 'the cached graph was reused, not rebuilt');

    const other = await fixtureClassifier(path.join(FIXTURES, 'roberta'), ['L0.hid.mean#1'], { workDir: `${work}/other` });
    await assert.rejects(openClassifier(fx.saved, { model: other.model, graphCacheDir }), /trained on .*bert.* but the model given is .*roberta/);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
});

test('a classifier on the default model under auto runs on the CPU, CUDA skipped for its CPU-bound products', { skip: process.platform !== 'linux' && 'auto tries CUDA first on Linux only' }, async () => {
  const work = tempDir();
  try {
    const fx = await fixtureClassifier(path.join(ROOT, 'models/all-MiniLM-L6-v2'), ['L1.act.max#7', 'L2.hid.mean#3'], { workDir: work });
    const reported: ProviderFallback[] = [];
    const runtime = await openClassifier(fx.saved, { model: fx.model, graphCacheDir: `${work}/graphs`, session: { provider: 'auto' }, onFallback: (f) => reported.push(f) });
    try {
      assert.equal(runtime.provider, 'cpu');
      assert.deepEqual(reported.map((f) => [f.provider, f.outcome]), [['cuda', 'skipped']]);
      assert.match(reported[0]?.reason ?? '', /MatMulIntegerToFloat nodes have no cuda kernel/);
      assert.equal((await runtime.classify(['a fine film'])).length, 1);
    } finally {
      await runtime.close();
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
});
