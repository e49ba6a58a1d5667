// One extraction measurement in a process of its own, so that its peak RSS is its own. Called by
// bench/extract.ts; prints one JSON line (a Measurement plus peakRssMB) on stdout.
//
//   node --import tsx bench/extract-run.ts --model <folder> [--onnx-file onnx/model.onnx]
//     --data <jsonl> --work <fresh dir> [--limit N] [--threads 2] [--mode tapped|plain]
//     [--token-budget N] [--max-batch N] [--opt-level disabled|basic|extended|all] [--provider cpu]
import { parseArgs } from 'node:util';
import { resolveModel } from '../src/core/model/resolve';
import type { GraphOptimizationLevel, ProviderSetting } from '../src/core/model/session';
import { measureExtraction, readTexts } from './extract-measure';

const { values: a } = parseArgs({
  options: {
    model: { type: 'string' },
    'onnx-file': { type: 'string' },
    data: { type: 'string' },
    work: { type: 'string' },
    limit: { type: 'string' },
    threads: { type: 'string', default: '2' },
    mode: { type: 'string', default: 'tapped' },
    'token-budget': { type: 'string' },
    'max-batch': { type: 'string' },
    'opt-level': { type: 'string' },
    provider: { type: 'string', default: 'cpu' },
  },
});
const num = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));

async function main(): Promise<void> {
  const { model: folder, data, work, mode } = a;
  if (!folder || !data || !work) throw new Error('extract-run: --model, --data and --work are required.');
  if (mode !== 'tapped' && mode !== 'plain') throw new Error(`extract-run: --mode ${mode}: expected tapped or plain.`);
  const model = await resolveModel(folder, a['onnx-file'] ? { onnxFile: a['onnx-file'] } : {});
  const measurement = await measureExtraction({
    model,
    texts: await readTexts(data, num(a.limit)),
    mode,
    workDir: work,
    session: {
      provider: a.provider as ProviderSetting,
      intraOpNumThreads: num(a.threads),
      ...(a['opt-level'] && { graphOptimizationLevel: a['opt-level'] as GraphOptimizationLevel }),
    },
    limits: {
      ...(a['token-budget'] && { tokenBudget: Number(a['token-budget']) }),
      ...(a['max-batch'] && { maxBatchSize: Number(a['max-batch']) }),
    },
  });
  console.log(JSON.stringify({ ...measurement, peakRssMB: process.resourceUsage().maxRSS / 1024 }));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
