// One STC search in a process of its own (so its peak RSS is its own), on a finished feature store
// and the layout bench/stc.ts wrote. Prints one JSON line: the figures the benchmark needs.
//
//   node --import tsx bench/stc-run.ts --store DIR --layout FILE --space paper|extended
//     --metric accuracy|macroF1 [--threads 2] [--no-refit] [--report-out FILE]
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { openFeatureStore } from '../src/core/extract/store';
import { trainStc, type Metric, type StcSpace } from '../src/core/stc';
import { stcInput, type Layout } from './stc-data';
import { classifierName } from './stc-work';

export interface StcRunResult {
  space: StcSpace;
  /** trainStc's own total (probes, sparsify, aggregation, baselines, test), seconds. */
  seconds: number;
  timings: Record<string, number>;
  peakRssMB: number;
  test: number;
  val: number;
  /** classifierName, the exit point and the classifier's neurons. */
  chosen: { classifier: string; k: number; neurons: number };
  baselines: Record<string, { block: string; test: number }>;
  keptPerLayer: { layer: number; hid: number; act: number }[];
  fits: Record<string, number>;
}

const { values: args } = parseArgs({
  options: {
    store: { type: 'string' },
    layout: { type: 'string' },
    space: { type: 'string', default: 'paper' },
    metric: { type: 'string', default: 'accuracy' },
    threads: { type: 'string', default: '2' },
    'num-layers': { type: 'string' },
    'report-out': { type: 'string' },
    'no-refit': { type: 'boolean', default: false },
  },
});

async function main(): Promise<void> {
  if (!args.store || !args.layout || !args['num-layers']) throw new Error('Usage: stc-run.ts --store DIR --layout FILE --num-layers L --space paper|extended --metric accuracy|macroF1');
  const store = openFeatureStore(args.store);
  const layout = JSON.parse(fs.readFileSync(args.layout, 'utf8')) as Layout;
  const metric = args.metric as Metric;
  const report = await trainStc(stcInput(store, layout, Number(args['num-layers'])), { space: args.space as StcSpace, metric, threads: Number(args.threads), refit: !args['no-refit'] });
  if (args['report-out']) fs.writeFileSync(args['report-out'], JSON.stringify(report) + '\n');
  const score = (m: { accuracy: number; macroF1: number } | undefined) => (m ? m[metric] : NaN);
  const out: StcRunResult = {
    space: report.settings.space,
    seconds: report.timings.total,
    timings: { ...report.timings },
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    test: score(report.test),
    val: report.ensemble.valScore,
    chosen: { classifier: classifierName(report), k: report.ensemble.k, neurons: report.classifier.neurons.length },
    baselines: Object.fromEntries(report.baselines.map((b) => [b.name, { block: b.block, test: score(b.test) }])),
    keptPerLayer: report.keptPerLayer.map((k) => ({ ...k })),
    fits: { ...report.fits },
  };
  console.log(JSON.stringify(out));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
