// Early-exit inference against the full model, on the embedded default model with a classifier
// that reads layers 0-1 only: the graph file's size, single-text latency (p50/p95) and batch
// throughput. Both paths tokenise, batch and feed the same way (the runtime's own pieces); the
// full path runs the tapped model (all blocks) that extraction uses.
//
//   node --import tsx bench/infer-latency.ts [--write] [--repeats N]
//
// --write puts the figures into bench/results/infer-latency.json.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';
import { CLASSIFIER_SCHEMA, CLASSIFIER_VERSION, type SavedClassifier } from '../src/core/artifact/types';
import { loadDataset } from '../src/core/data';
import { DEFAULT_BATCH_LIMITS, planBatches, sortByLength } from '../src/core/extract/batching';
import { buildFeeds } from '../src/core/extract/feeds';
import { openClassifier } from '../src/core/infer';
import { encodeTexts } from '../src/core/infer/encode';
import { loadOrt } from '../src/core/model/runtime';
import { resolveModel } from '../src/core/model/resolve';
import { loadTokenizer, type TextTokenizer } from '../src/core/model/tokenizer';
import { blockName, neuronName, parseNeuronName, type FeatureBlock } from '../src/core/neurons';
import { readModelConfig, tapModel, type GraphInput } from '../src/core/onnx';
import { earlyExitGraph } from '../src/core/onnx/early-exit';
import type { StcNeuron, StcReport } from '../src/core/stc';
import { machine, row, writeResult, type BenchRow } from './result';

const NEURONS = ['L0.hid.mean#5', 'L0.act.max#100', 'L0.act.mean#7', 'L1.hid.mean#42', 'L1.hid.single#3', 'L1.hid.max#300', 'L1.act.max#1000', 'L1.act.mean#17'];
const MAX_LENGTH = 128;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
}

interface Runnable {
  readonly session: InferenceSession;
  readonly inputs: readonly GraphInput[];
  readonly masked: boolean;
  readonly outputs: readonly string[];
}

/** Tokenises, batches and runs `texts` as the runtime does; returns the seconds it took. */
async function runAll(r: Runnable, tokenizer: TextTokenizer, texts: readonly string[]): Promise<number> {
  const ort = await loadOrt();
  const start = process.hrtime.bigint();
  const encoded = await encodeTexts(tokenizer, texts, MAX_LENGTH);
  const lengths = encoded.ids.map((ids) => ids.length);
  const order = sortByLength(lengths);
  const batches = planBatches(Array.from(order, (i) => lengths[i] ?? 0), [{ from: 0, to: texts.length }], DEFAULT_BATCH_LIMITS, !r.masked);
  for (const b of batches) {
    const feeds = buildFeeds(r.inputs, { rows: order.subarray(b.from, b.to), paddedLength: b.paddedLength, padTokenId: tokenizer.padTokenId ?? 0 }, encoded);
    const tensors = Object.fromEntries(Object.entries(feeds).map(([name, f]) => [name, new ort.Tensor(f.type, f.data, f.dims)]));
    await r.session.run(tensors, [...r.outputs]);
  }
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function latencies(label: string, once: (text: string) => Promise<unknown>, texts: readonly string[], repeats: number): Promise<{ p50: number; p95: number }> {
  for (const t of texts.slice(0, 10)) await once(t); // warm-up
  const ms: number[] = [];
  for (let r = 0; r < repeats; r++) {
    for (const t of texts) {
      const start = process.hrtime.bigint();
      await once(t);
      ms.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  }
  ms.sort((a, b) => a - b);
  const out = { p50: percentile(ms, 0.5), p95: percentile(ms, 0.95) };
  console.log(`${label}: p50 ${out.p50.toFixed(2)} ms, p95 ${out.p95.toFixed(2)} ms (${ms.length} runs)`);
  return out;
}

async function main(): Promise<void> {
  const write = process.argv.includes('--write');
  const repeatsArg = process.argv.indexOf('--repeats');
  const repeats = repeatsArg >= 0 ? Number(process.argv[repeatsArg + 1]) : 3;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'stc-bench-infer-'));
  try {
    const model = await resolveModel('default');
    const config = readModelConfig(model.folder);
    const texts = (await loadDataset(path.join(__dirname, '../examples/sms-spam/test.csv'))).texts;
    const neurons: StcNeuron[] = NEURONS.map((name, j) => ({ ...parseNeuronName(name), name, mean: 0, scale: 1, weights: [j % 2 ? 0.5 : -0.5], importance: 0.25 }));
    const saved: SavedClassifier = {
      dir: path.join(work, 'bench.stc'),
      manifest: {
        schema: CLASSIFIER_SCHEMA,
        version: CLASSIFIER_VERSION,
        name: 'bench',
        createdAt: new Date().toISOString(),
        model: { source: model.source, id: model.id, onnxFile: path.relative(model.folder, model.onnxFile), files: model.files, sha256: model.sha256, numLayers: config.numLayers, hiddenSize: config.hiddenSize, intermediateSize: config.intermediateSize, decoder: config.decoder },
        tokenizer: { maxLength: MAX_LENGTH, truncation: 'end', addSpecialTokens: true },
        labels: ['ham', 'spam'],
        k: 2,
        classifier: { neurons, intercepts: [0], outputs: 1, nClasses: 2 },
        metrics: { metric: 'accuracy', validation: 0 },
        files: { report: 'report.json', examples: 'examples.json' },
      },
      report: {} as unknown as StcReport,
      examples: new Map(),
    };
    const graphCacheDir = path.join(work, 'graphs');
    const session = { provider: 'cpu' as const };

    let start = process.hrtime.bigint();
    const runtime = await openClassifier(saved, { model, graphCacheDir, session });
    const openMs = Number(process.hrtime.bigint() - start) / 1e6;
    start = process.hrtime.bigint();
    await (await openClassifier(saved, { model, graphCacheDir, session })).close();
    const reopenMs = Number(process.hrtime.bigint() - start) / 1e6;

    const ee = await earlyExitGraph({ modelFile: model.onnxFile, config, modelSha256: model.sha256, neurons, cacheDir: graphCacheDir });
    const blocks = [...new Map<string, FeatureBlock>(neurons.map((n) => [blockName(n), { kind: n.kind, layer: n.layer, pooling: n.pooling }])).values()];
    const tapped = await tapModel({ modelFile: model.onnxFile, config, blocks, cacheDir: graphCacheDir });
    const sizes = { original: fs.statSync(model.onnxFile).size, earlyExit: fs.statSync(ee.modelPath).size, tapped: fs.statSync(tapped.modelPath).size };
    console.log(`model ${model.id} (${config.numLayers} layers), classifier: ${neurons.map((n) => neuronName(n)).join(', ')}`);
    console.log(`graph files: original ${(sizes.original / 1e6).toFixed(1)} MB, tapped ${(sizes.tapped / 1e6).toFixed(1)} MB, early-exit ${(sizes.earlyExit / 1e6).toFixed(1)} MB`);
    console.log(`openClassifier: ${openMs.toFixed(0)} ms building the graph, ${reopenMs.toFixed(0)} ms from the cache`);

    const ort = await loadOrt();
    const tokenizer = await loadTokenizer(model.folder);
    const eeSession = await ort.InferenceSession.create(ee.modelPath, { executionProviders: ['cpu'], graphOptimizationLevel: 'all' });
    const fullSession = await ort.InferenceSession.create(tapped.modelPath, { executionProviders: ['cpu'], graphOptimizationLevel: 'all' });
    const early: Runnable = { session: eeSession, inputs: ee.inputs, masked: ee.masked, outputs: [ee.pooled] };
    const full: Runnable = { session: fullSession, inputs: tapped.inputs, masked: tapped.masked, outputs: tapped.outputs.map((o) => o.name) };

    const single = texts.slice(0, 100);
    const eeClassify = await latencies('early exit, runtime.classify([text])', (t) => runtime.classify([t]), single, repeats);
    const eeRun = await latencies('early exit, tokenise + run', (t) => runAll(early, tokenizer, [t]), single, repeats);
    const fullRun = await latencies('full model, tokenise + run', (t) => runAll(full, tokenizer, [t]), single, repeats);
    // Does onnxruntime skip nodes the requested outputs do not need? Fetch only a layer-0 block of
    // the full tapped model: as fast as early exit if it does, as slow as the full model if not.
    const layer0 = tapped.outputs.find((o) => o.block.layer === 0) as { name: string };
    const fetchL0 = await latencies('full model, fetching one layer-0 output only', (t) => runAll({ ...full, outputs: [layer0.name] }, tokenizer, [t]), single, repeats);
    const bothOutputs = await latencies('early exit, fetching pooled and per-token outputs', (t) => runAll({ ...early, outputs: [ee.pooled, ee.tokens] }, tokenizer, [t]), single, repeats);

    const batch = Array.from({ length: 5 }, () => texts).flat();
    await runAll(early, tokenizer, texts);
    const eeBatch = batch.length / (await runAll(early, tokenizer, batch));
    const fullBatch = batch.length / (await runAll(full, tokenizer, batch));
    start = process.hrtime.bigint();
    await runtime.classify(batch);
    const classifyBatch = batch.length / (Number(process.hrtime.bigint() - start) / 1e9);
    console.log(`batch throughput (${batch.length} texts): early exit ${eeBatch.toFixed(0)} texts/s, full model ${fullBatch.toFixed(0)} texts/s, runtime.classify ${classifyBatch.toFixed(0)} texts/s`);
    await runtime.close();
    await eeSession.release();
    await fullSession.release();

    if (write) {
      const anchor = 'full model (tapped, all blocks), same tokenisation and batching';
      const rows: BenchRow[] = [
        row({ metric: 'single-text latency p50, early exit (layers 0-1 of 6)', unit: 'ms', value: eeRun.p50, anchor, anchor_value: fullRun.p50 }),
        row({ metric: 'single-text latency p95, early exit (layers 0-1 of 6)', unit: 'ms', value: eeRun.p95, anchor, anchor_value: fullRun.p95 }),
        row({ metric: 'single-text latency p50, runtime.classify', unit: 'ms', value: eeClassify.p50, anchor, anchor_value: fullRun.p50 }),
        row({ dataset: 'sms-spam test x5', metric: 'batch throughput, early exit', unit: 'texts/s', value: eeBatch, anchor, anchor_value: fullBatch }),
        row({ metric: 'graph file size, early exit', unit: 'MB', value: sizes.earlyExit / 1e6, anchor: 'original model file', anchor_value: sizes.original / 1e6 }),
      ];
      const file = writeResult({
        benchmark: 'infer-latency',
        command: 'node --import tsx bench/infer-latency.ts --write',
        date: new Date().toISOString(),
        machine: machine(ort.env.versions.node ?? 'unknown'),
        rows,
        notes: [
          `Embedded default model (${model.id}, 8-bit), classifier of ${neurons.length} neurons in layers 0-1, max length ${MAX_LENGTH}, CPU provider.`,
          `Fetching one layer-0 output of the full tapped model: p50 ${fetchL0.p50.toFixed(2)} ms (full ${fullRun.p50.toFixed(2)} ms); early exit fetching both its outputs: p50 ${bothOutputs.p50.toFixed(2)} ms.`,
        ],
      });
      console.log(`wrote ${file}`);
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

void main();
