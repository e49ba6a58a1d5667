// Trains the classifier bench/infer-latency.ts measures, in a process of its own (so training's
// memory never counts as the loaded classifier's): trainClassifier on the same seeded stratified
// sst2 subsample bench/stc.ts uses, written out as JSONL files in the layout's row order, so the
// feature store bench/stc.ts filled is reused (same texts, same key) and nothing is extracted twice.
//
//   node --import tsx bench/infer-train.ts --datasets-dir ../shared/datasets --out DIR.stc
//     [--max-train 1500] [--max-test 500] [--seed 7] [--work bench/.work/stc]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { trainClassifier } from '../src/core/workflow';
import { loadLayout, splitRanges } from './stc-data';

const ROOT = path.join(__dirname, '..');

const { values: args } = parseArgs({
  options: {
    'datasets-dir': { type: 'string' },
    out: { type: 'string' },
    'max-train': { type: 'string', default: '1500' },
    'max-test': { type: 'string', default: '500' },
    seed: { type: 'string', default: '7' },
    work: { type: 'string', default: path.join(ROOT, 'bench/.work/stc') },
  },
});

async function main(): Promise<void> {
  if (!args['datasets-dir'] || !args.out) throw new Error('Usage: infer-train.ts --datasets-dir DIR --out CLASSIFIER.stc');
  const maxTest = Number(args['max-test']);
  const layout = await loadLayout(path.join(path.resolve(args['datasets-dir']), 'sst2'), { maxTrain: Number(args['max-train']), maxDev: maxTest, maxTest, seed: Number(args.seed) });
  const dataDir = path.join(path.dirname(path.resolve(args.out)), 'sst2-subsample');
  fs.mkdirSync(dataDir, { recursive: true });
  const files: Record<string, string> = {};
  for (const [split, [from, to]] of Object.entries(splitRanges(layout))) {
    files[split] = path.join(dataDir, `${split}.jsonl`);
    const lines = layout.texts.slice(from, to).map((text, i) => JSON.stringify({ text, label: layout.classes[layout.y[from + i] as number] }));
    fs.writeFileSync(files[split], lines.join('\n') + '\n');
  }
  const t = process.hrtime.bigint();
  const result = await trainClassifier({
    train: files.train as string,
    dev: files.dev,
    test: files.test,
    out: path.resolve(args.out),
    workDir: args.work,
    device: 'cpu',
    onLog: (line) => process.stderr.write(`${line}\n`),
  });
  const m = result.saved.manifest;
  console.log(JSON.stringify({ dir: result.saved.dir, k: m.k, neurons: m.classifier.neurons.length, seconds: Number(process.hrtime.bigint() - t) / 1e9, reusedFeatures: result.provider === undefined }));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
