// What the taps cost, and what the graph costs, in CPU time rather than wall time: on a shared
// machine the wall time of a run swings by 2x with the load while the CPU time the process uses for
// the same work moves by a few percent. For each graph, the same batches (the engine's planner and
// tokeniser) go through `session.run` of the model's own untapped graph and of the graph tapped for
// every block, alternating, and the process CPU time of the runs alone is summed (spinning of idle
// ONNX Runtime threads turned off so that waiting does not count as work).
//
//   npx tsx bench/extract-tap-cost.ts --data ../shared/datasets/sst2/train.jsonl [--rows 1000]
//     [--repeat 2] [--threads 2] [--graph <model folder>:<onnx file>]...
//
// Default graphs: the committed int8 model, and the fp32 export when it is present.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { planAllRows, type Batch } from '../src/core/extract/batching';
import { buildFeeds, type TokenizedRows } from '../src/core/extract/feeds';
import { tokenizeTexts } from '../src/core/extract/tokenize';
import { modelMaxLength } from '../src/core/model/max-length';
import { loadOrt } from '../src/core/model/runtime';
import { loadTokenizer } from '../src/core/model/tokenizer';
import { allBlocks } from '../src/core/neurons';
import { readModelConfig, tapModel, type GraphInput } from '../src/core/onnx';
import { readTexts } from './extract-measure';

const ROOT = path.join(__dirname, '..');
const { values: args } = parseArgs({
  options: {
    data: { type: 'string' },
    rows: { type: 'string', default: '1000' },
    repeat: { type: 'string', default: '2' },
    threads: { type: 'string', default: '2' },
    graph: { type: 'string', multiple: true },
  },
});

function defaultGraphs(): string[] {
  const graphs = ['models/all-MiniLM-L6-v2:onnx/model_quantized.onnx'];
  if (fs.existsSync(path.join(ROOT, '.cache/models/all-MiniLM-L6-v2/onnx/model.onnx'))) graphs.push('.cache/models/all-MiniLM-L6-v2:onnx/model.onnx');
  return graphs;
}

interface Batches {
  readonly tokens: TokenizedRows;
  readonly order: Int32Array;
  readonly plan: Batch[];
}

async function batchesFor(folder: string, texts: readonly string[]): Promise<Batches> {
  const tokens = await tokenizeTexts(await loadTokenizer(folder), texts, modelMaxLength(folder).maxLength);
  const lengths = tokens.ids.map((ids) => ids.length);
  const { order, batches } = planAllRows(lengths);
  return { tokens, order, plan: batches };
}

/** CPU seconds of this process spent inside `session.run` over every batch. */
async function cpuSeconds(graphFile: string, inputs: readonly GraphInput[], outputs: readonly string[] | undefined, b: Batches): Promise<number> {
  const ort = await loadOrt();
  const session = await ort.InferenceSession.create(graphFile, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: Number(args.threads),
    extra: { session: { 'intra_op.allow_spinning': '0' } },
  });
  let micros = 0;
  for (const batch of b.plan) {
    const feeds = buildFeeds(inputs, { rows: b.order.subarray(batch.from, batch.to), paddedLength: batch.paddedLength, padTokenId: 0 }, b.tokens);
    const tensors = Object.fromEntries(Object.entries(feeds).map(([name, f]) => [name, new ort.Tensor(f.type, f.data, f.dims)]));
    const before = process.cpuUsage();
    await session.run(tensors, outputs ? [...outputs] : [session.outputNames[0]!]);
    const used = process.cpuUsage(before);
    micros += used.user + used.system;
  }
  await session.release();
  return micros / 1e6;
}

async function main(): Promise<void> {
  if (!args.data) throw new Error('--data <file.jsonl> is required.');
  const texts = await readTexts(path.resolve(args.data), Number(args.rows));
  console.log(`${texts.length} rows of ${args.data}, ${args.threads} threads, best of ${args.repeat} alternating runs (CPU seconds of session.run)`);
  for (const spec of args.graph ?? defaultGraphs()) {
    const [folder = '', file = ''] = spec.split(':');
    const modelFile = path.join(folder, file);
    const config = readModelConfig(folder);
    const tapped = await tapModel({ modelFile, config, blocks: allBlocks(config.numLayers), cacheDir: path.join(ROOT, '.cache', 'bench-graphs') });
    const b = await batchesFor(folder, texts);
    let plain = Infinity;
    let taps = Infinity;
    for (let i = 0; i < Number(args.repeat); i++) {
      plain = Math.min(plain, await cpuSeconds(modelFile, tapped.inputs, undefined, b));
      taps = Math.min(taps, await cpuSeconds(tapped.modelPath, tapped.inputs, tapped.outputs.map((o) => o.name), b));
    }
    const ms = (s: number) => ((1000 * s) / texts.length).toFixed(2);
    console.log(`${spec}: untapped ${plain.toFixed(2)} s (${ms(plain)} ms/row), tapped for ${tapped.outputs.length} blocks ${taps.toFixed(2)} s (${ms(taps)} ms/row): taps cost ${(100 * (taps / plain - 1)).toFixed(1)}%`);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
