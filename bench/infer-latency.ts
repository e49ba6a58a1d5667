// Inference benchmark (issue 5, section 5): a real classifier, trained by trainClassifier on the
// sst2 subsample of bench/stc.ts (bench/infer-train.ts, in a process of its own), loaded as the CLI
// loads it, measured against the full model: single-text latency p50/p95 with early exit versus the
// full model, batch throughput over the whole sst2 test file, and the RSS a loaded classifier adds.
// Both paths tokenise, batch and feed the same way (the runtime's own pieces); the full path runs
// the tapped model extraction uses for the same blocks (all transformer blocks run).
//
//   npx tsx bench/infer-latency.ts --datasets-dir ../shared/datasets [--classifier DIR.stc]
//     [--latency-texts 200] [--repeats 2] [--threads 2] [--retrain]
//
// Writes bench/results/infer.json.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { InferenceSession } from 'onnxruntime-node';
import { loadClassifier, resolveClassifierModel } from '../src/core/artifact';
import { loadDataset } from '../src/core/data';
import { DEFAULT_BATCH_LIMITS, planAllRows } from '../src/core/extract/batching';
import { buildFeeds } from '../src/core/extract/feeds';
import { tokenizeTexts } from '../src/core/extract/tokenize';
import { openClassifier, type Prediction } from '../src/core/infer';
import { loadOrt } from '../src/core/model/runtime';
import { loadTokenizer, type TextTokenizer } from '../src/core/model/tokenizer';
import { blockName, type FeatureBlock } from '../src/core/neurons';
import { readModelConfig, tapModel, type GraphInput } from '../src/core/onnx';
import { machine, row, writeResult, type BenchRow } from './result';

const ROOT = path.join(__dirname, '..');

const { values: args } = parseArgs({
  options: {
    'datasets-dir': { type: 'string' },
    classifier: { type: 'string', default: path.join(ROOT, 'bench/.work/infer/sst2.stc') },
    'latency-texts': { type: 'string', default: '200' },
    repeats: { type: 'string', default: '2' },
    threads: { type: 'string', default: '2' },
    retrain: { type: 'boolean', default: false },
  },
});

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
}

const rssMB = () => process.memoryUsage().rss / 2 ** 20;
const since = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

interface Runnable {
  readonly session: InferenceSession;
  readonly inputs: readonly GraphInput[];
  readonly masked: boolean;
  readonly outputs: readonly string[];
}

/** Tokenises, batches and runs `texts` as the runtime does. */
async function runAll(r: Runnable, tokenizer: TextTokenizer, texts: readonly string[], maxLength: number): Promise<void> {
  const ort = await loadOrt();
  const encoded = await tokenizeTexts(tokenizer, texts, maxLength);
  const lengths = encoded.ids.map((ids) => ids.length);
  const { order, batches } = planAllRows(lengths, DEFAULT_BATCH_LIMITS, !r.masked);
  for (const b of batches) {
    const feeds = buildFeeds(r.inputs, { rows: order.subarray(b.from, b.to), paddedLength: b.paddedLength, padTokenId: tokenizer.padTokenId ?? 0 }, encoded);
    const tensors = Object.fromEntries(Object.entries(feeds).map(([name, f]) => [name, new ort.Tensor(f.type, f.data, f.dims)]));
    await r.session.run(tensors, [...r.outputs]);
  }
}

interface Timed {
  readonly label: string;
  readonly once: (texts: readonly string[]) => Promise<unknown>;
}

/** Texts in a row one path runs before the other takes over: enough for its weights to be warm in
 *  the CPU caches (alternating every text would run each path after the other's weights were
 *  loaded, unlike either in use), few enough that a change in the machine's load falls on both. */
const LATENCY_CHUNK = 20;

/** p50 and p95 in ms of each path's call on one text, over `texts` `repeats` times after a
 *  warm-up. The paths take turns chunk by chunk (which goes first alternates too), so load from
 *  other work on a shared machine falls on both alike. */
async function pairedLatencies(paths: readonly Timed[], texts: readonly string[], repeats: number): Promise<{ p50: number; p95: number }[]> {
  for (const t of texts.slice(0, 10)) for (const p of paths) await p.once([t]);
  const ms = paths.map(() => [] as number[]);
  let turn = 0;
  for (let r = 0; r < repeats; r++) {
    for (let from = 0; from < texts.length; from += LATENCY_CHUNK) {
      for (let i = 0; i < paths.length; i++) {
        const j = (i + turn) % paths.length;
        for (const t of texts.slice(from, from + LATENCY_CHUNK)) {
          const start = process.hrtime.bigint();
          await (paths[j] as Timed).once([t]);
          (ms[j] as number[]).push(since(start) * 1e3);
        }
      }
      turn++;
    }
  }
  return paths.map((p, j) => {
    const sorted = (ms[j] as number[]).sort((a, b) => a - b);
    const out = { p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95) };
    console.log(`${p.label}: p50 ${out.p50.toFixed(2)} ms, p95 ${out.p95.toFixed(2)} ms (${sorted.length} runs)`);
    return out;
  });
}

/** Texts per second of each path over all `texts`, measured `rounds` times in the order A B B A
 *  (and so on) so that a drift in the machine's load favours neither; the mean of the rounds. */
async function pairedThroughput(paths: readonly Timed[], texts: readonly string[], rounds: number): Promise<number[]> {
  const seconds = paths.map(() => 0);
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? paths.map((_, j) => j) : paths.map((_, j) => paths.length - 1 - j);
    for (const j of order) {
      const start = process.hrtime.bigint();
      await (paths[j] as Timed).once(texts);
      seconds[j] = (seconds[j] as number) + since(start);
    }
  }
  return seconds.map((s) => (rounds * texts.length) / s);
}

/** Trains the classifier in a child process unless it exists. */
function ensureClassifier(dir: string): void {
  if (fs.existsSync(path.join(dir, 'manifest.json')) && !args.retrain) return;
  fs.rmSync(dir, { recursive: true, force: true });
  console.log(`training ${dir} (bench/infer-train.ts) ...`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'infer-train.ts'), '--datasets-dir', args['datasets-dir'] as string, '--out', dir], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`bench/infer-train.ts failed (exit ${r.status ?? r.signal}); its output is above.`);
}

async function main(): Promise<void> {
  if (!args['datasets-dir']) throw new Error('Usage: npx tsx bench/infer-latency.ts --datasets-dir ../shared/datasets');
  const classifierDir = path.resolve(args.classifier);
  ensureClassifier(classifierDir);
  const threads = Number(args.threads);
  const repeats = Number(args.repeats);
  const testFile = path.join(path.resolve(args['datasets-dir']), 'sst2/test.jsonl');
  const test = await loadDataset(testFile);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'stc-bench-infer-'));
  const loadStart = os.loadavg().map((x) => x.toFixed(2)).join(' ');
  try {
    // Memory: what openClassifier adds to a process that has read the manifest and found the model
    // (the CLI's state just before it opens the classifier); onnxruntime's native library loads inside.
    const saved = await loadClassifier(classifierDir);
    const model = await resolveClassifierModel(saved);
    const m = saved.manifest;
    const graphCacheDir = path.join(work, 'graphs');
    const session = { provider: 'cpu' as const, intraOpNumThreads: threads };
    const rssBefore = rssMB();
    let start = process.hrtime.bigint();
    const runtime = await openClassifier(saved, { model, graphCacheDir, session });
    const openSeconds = since(start);
    const rssAfter = rssMB();
    start = process.hrtime.bigint();
    await (await openClassifier(saved, { model, graphCacheDir, session })).close();
    const reopenSeconds = since(start);
    const config = readModelConfig(model.folder);
    const layers = [...new Set(m.classifier.neurons.map((n) => n.layer))].sort((a, b) => a - b);
    console.log(`classifier ${classifierDir}: k = ${m.k} of ${config.numLayers} blocks, ${m.classifier.neurons.length} neurons in layers ${layers.join(', ')}`);
    console.log(`RSS ${rssBefore.toFixed(0)} MB -> ${rssAfter.toFixed(0)} MB after openClassifier (${(openSeconds * 1e3).toFixed(0)} ms building the graph, ${(reopenSeconds * 1e3).toFixed(0)} ms from the cache)`);

    // The anchor: the full model, tapped for the same blocks (extraction's graph), all blocks run.
    const ort = await loadOrt();
    const blocks = [...new Map<string, FeatureBlock>(m.classifier.neurons.map((n) => [blockName(n), { kind: n.kind, layer: n.layer, pooling: n.pooling }])).values()];
    const tapped = await tapModel({ modelFile: model.onnxFile, config, blocks, cacheDir: graphCacheDir });
    const fullSession = await ort.InferenceSession.create(tapped.modelPath, { executionProviders: ['cpu'], graphOptimizationLevel: 'all', intraOpNumThreads: threads });
    const full: Runnable = { session: fullSession, inputs: tapped.inputs, masked: tapped.masked, outputs: tapped.outputs.map((o) => o.name) };
    const tokenizer = await loadTokenizer(model.folder);
    const maxLength = m.tokenizer.maxLength;

    // The throughput runs classify the whole test file; the last one's predictions give the accuracy.
    let predictions: Prediction[] = [];
    const paths: Timed[] = [
      { label: 'early exit, runtime.classify', once: async (t) => (predictions = await runtime.classify(t)) },
      { label: 'full model, tokenise + run', once: (t) => runAll(full, tokenizer, t, maxLength) },
    ];
    const single = test.texts.slice(0, Number(args['latency-texts']));
    const [ee, fullRun] = (await pairedLatencies(paths, single, repeats)) as [{ p50: number; p95: number }, { p50: number; p95: number }];

    const texts = test.texts;
    await runtime.classify(texts.slice(0, 64));
    const [eeBatch, fullBatch] = (await pairedThroughput(paths, texts, 2)) as [number, number];
    const correct = predictions.filter((p, i) => p.label === test.labels[i]).length;
    console.log(`sst2 test (${texts.length} texts): runtime.classify ${eeBatch.toFixed(0)} texts/s, full model ${fullBatch.toFixed(0)} texts/s; accuracy ${((100 * correct) / texts.length).toFixed(2)}%`);
    await runtime.close();
    await fullSession.release();

    const anchor = `full model (all ${config.numLayers} blocks, tapped for the same neurons), same tokenisation and batching`;
    const what = `early exit (k = ${m.k} of ${config.numLayers})`;
    const rows: BenchRow[] = [
      row({ dataset: 'sst2 test', metric: `single-text latency p50, ${what}, runtime.classify`, unit: 'ms', value: ee.p50, anchor, anchor_value: fullRun.p50 }),
      row({ dataset: 'sst2 test', metric: `single-text latency p95, ${what}, runtime.classify`, unit: 'ms', value: ee.p95, anchor, anchor_value: fullRun.p95 }),
      row({ dataset: 'sst2 test', metric: `batch throughput, ${what}, runtime.classify`, unit: 'texts/s', value: eeBatch, anchor, anchor_value: fullBatch }),
      row({ metric: 'RSS added by openClassifier (graph, session, tokenizer, onnxruntime)', unit: 'MB', value: rssAfter - rssBefore, anchor: 'RSS before it', anchor_value: rssBefore }),
      row({ metric: 'RSS of the process with the classifier loaded', unit: 'MB', value: rssAfter, anchor: 'RSS before openClassifier', anchor_value: rssBefore }),
      row({ metric: 'openClassifier time, first (builds the early-exit graph)', unit: 's', value: openSeconds, anchor: 'from the graph cache', anchor_value: reopenSeconds }),
      row({ dataset: 'sst2 test', metric: 'accuracy of the classifier (full test file)', unit: '%', value: (100 * correct) / texts.length, anchor: "the training report's test accuracy (1500-row subsample, 500 test rows)", anchor_value: saved.report.test ? 100 * saved.report.test.accuracy : null }),
    ];
    const file = writeResult({
      benchmark: 'infer',
      command: 'npx tsx bench/infer-latency.ts --datasets-dir ../shared/datasets',
      date: new Date().toISOString(),
      machine: machine(ort.env.versions.node ?? 'unknown'),
      rows,
      notes: [
        `The classifier: trainClassifier (extended space, default settings) on the seeded stratified sst2 subsample of bench/stc.ts (${saved.report.data.rows.train} train / ${saved.report.data.rows.dev} dev rows), embedded default model (${model.id}, W8A8 int8), CPU provider, ${threads} intra-op threads, max length ${maxLength}; it keeps ${m.classifier.neurons.length} neurons in layers ${layers.join(', ')}, chosen k = ${m.k} of ${config.numLayers} blocks.`,
        `Latency: ${single.length} sst2 test texts x ${repeats}, one text per call, after a 10-text warm-up; the early-exit figure is the product path (runtime.classify: tokenise, run, standardise, logistic model), the full-model figure tokenises and runs only. Throughput: all ${texts.length} sst2 test texts in one call, batched by token budget, twice per path (order A B B A), the mean. The two paths take turns every 20 texts and run by run, so load from other work falls on both alike while each runs with its weights warm in the CPU caches.`,
        `RSS: process.memoryUsage().rss just before and just after openClassifier, in a process that had only read the manifest and resolved the model (training ran in another process).`,
        `Machine shared with other work: load average at the start ${loadStart}, at the end ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}.`,
      ],
    });
    console.log(`wrote ${file}`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
