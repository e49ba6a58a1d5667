// Engine-side check of a quantized model folder (default: the committed W8A8 default model) against
// the fp32 export, through the engine's own tap finder and extraction: where the taps resolve,
// per-block minimum cosine over the rows (every row's pooled vector vs fp32), and batch independence
// (the same rows extracted one row per batch).
//
//   npx tsx bench/quant/check.ts --data ../shared/datasets/sst2/train.jsonl [--rows 200]
//     [--model models/all-MiniLM-L6-v2] [--reference .cache/models/all-MiniLM-L6-v2]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { openFeatureStore, type FeatureStore } from '../../src/core/extract/store';
import { resolveModel } from '../../src/core/model/resolve';
import { analyseModel, readModelConfig } from '../../src/core/onnx';
import { measureExtraction, readTexts } from '../extract-measure';
import { compareStores } from '../extract-parity';

const { values: args } = parseArgs({
  options: {
    data: { type: 'string' },
    rows: { type: 'string', default: '200' },
    model: { type: 'string', default: 'models/all-MiniLM-L6-v2' },
    reference: { type: 'string', default: '.cache/models/all-MiniLM-L6-v2' },
  },
});
const MIN_COSINE = 0.99;

async function extract(folder: string, texts: string[], oneRowPerBatch = false): Promise<FeatureStore> {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'w8a8-check-'));
  const limits = oneRowPerBatch ? { limits: { tokenBudget: 1, maxBatchSize: 1 } } : {};
  const m = await measureExtraction({ model: await resolveModel(folder), texts, mode: 'tapped', workDir, session: { intraOpNumThreads: 2 }, ...limits });
  if (!m.storeDir) throw new Error(`${folder}: extraction wrote no feature store`);
  return openFeatureStore(m.storeDir);
}

async function printTaps(folder: string): Promise<void> {
  const file = (await resolveModel(folder)).onnxFile;
  const { taps } = analyseModel(file, readModelConfig(folder), fs.readFileSync(file));
  console.log(`act taps (must be the GELU outputs):\n  ${taps.act.join('\n  ')}`);
  console.log(`hid taps (must be the LayerNorm outputs on the residual stream):\n  ${taps.hid.join('\n  ')}`);
}

async function main(): Promise<void> {
  if (!args.data) throw new Error('--data <file.jsonl> is required.');
  const rows = Number(args.rows);
  const texts = await readTexts(path.resolve(args.data), rows);
  await printTaps(args.model);
  const reference = await extract(args.reference, texts);
  const batched = await extract(args.model, texts);
  const alone = await extract(args.model, texts, true);

  const accuracy = compareStores(batched, reference, rows).sort((a, b) => a.minCosine - b.minCosine);
  console.log(`min cosine per block vs ${args.reference} over ${rows} rows, worst first:`);
  for (const block of accuracy) console.log(`  ${block.block} ${block.minCosine.toFixed(4)}`);
  console.log(`blocks below ${MIN_COSINE}: ${accuracy.filter((b) => b.minCosine < MIN_COSINE).length} of ${accuracy.length}`);
  const independence = compareStores(batched, alone, rows);
  console.log(`batch independence, max abs diff batched vs one row per batch: ${Math.max(...independence.map((b) => b.maxAbsDiff))}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
