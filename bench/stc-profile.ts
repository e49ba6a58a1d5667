// Where the time of our STC search goes, on the features bench/stc.ts extracted and cached (never
// the Python reference). Two modes:
//
//   search: trainStc exactly as bench/stc-run.ts calls it; stage timings, the slowest probes,
//           the chosen configuration and its test score, the best probe's test score.
//   probes: each probe's path fitted in this process, as probe.ts does it, with the time, support,
//           validation score, Newton iterations and coordinate-descent sweeps of every path point,
//           and the test score of the point validation picks.
//
//   npx tsx bench/stc-profile.ts --dataset sst2 [--mode search|probes] [--space paper|extended]
//     [--threads 2] [--blocks L0.act.single,L4.act.max] [--work bench/.work/stc] [--json]
//
// The dataset's work folder is the one folder `<dataset>-*` under --work holding layout.json and
// npy/meta.json (which names the feature store); the selection metric is bench/stc.ts's.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { openFeatureStore, readBlock } from '../src/core/extract/store';
import { classificationMetrics } from '../src/core/learn/metrics';
import { designMatrix } from '../src/core/learn/matrix';
import { fitPath, type PathPoint } from '../src/core/learn/path';
import { predict } from '../src/core/learn/predict';
import { fitStandardisation } from '../src/core/learn/standardise';
import { allBlocks, blockName } from '../src/core/neurons';
import { trainStc, type Metric, type StcSpace } from '../src/core/stc';
import { takeRows } from '../src/core/stc/input';
import { resolveSettings } from '../src/core/stc/options';
import { searchJob, searchOptions } from '../src/core/stc/search';
import { METRIC, splitRows, stcInput, type Layout } from './stc-data';
import { workStore } from './stc-work';

const ROOT = path.join(__dirname, '..');

const { values: args } = parseArgs({
  options: {
    dataset: { type: 'string' },
    mode: { type: 'string', default: 'search' },
    space: { type: 'string', default: 'paper' },
    threads: { type: 'string', default: '2' },
    blocks: { type: 'string' },
    work: { type: 'string', default: path.join(ROOT, 'bench/.work/stc') },
    json: { type: 'boolean', default: false },
    tol: { type: 'string' },
  },
});

interface Dataset {
  readonly name: string;
  readonly layout: Layout;
  readonly storeDir: string;
  readonly numLayers: number;
  readonly metric: Metric;
}

function openDataset(name: string): Dataset {
  const folders = fs.readdirSync(args.work).filter((f) => f.startsWith(`${name}-`) && fs.existsSync(path.join(args.work, f, 'npy', 'meta.json')));
  if (folders.length !== 1) throw new Error(`expected one work folder ${name}-* with npy/meta.json under ${args.work}, found ${folders.length}: run bench/stc.ts for ${name} first`);
  const work = path.join(args.work, folders[0] as string);
  return {
    name,
    layout: JSON.parse(fs.readFileSync(path.join(work, 'layout.json'), 'utf8')) as Layout,
    ...workStore(args.work, work),
    metric: METRIC[name] ?? 'accuracy',
  };
}

const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
const f = (x: number, digits = 3) => x.toFixed(digits);

async function profileSearch(d: Dataset): Promise<void> {
  const store = openFeatureStore(d.storeDir);
  const loadBefore = load();
  const cpu = process.cpuUsage();
  const report = await trainStc(stcInput(store, d.layout, d.numLayers), { space: args.space as StcSpace, metric: d.metric, threads: Number(args.threads) });
  const score = (m: { accuracy: number; macroF1: number } | undefined) => (m ? m[d.metric] : NaN);
  const c = report.chosen;
  const summary = {
    dataset: d.name,
    space: report.settings.space,
    load: `${loadBefore} -> ${load()}`,
    seconds: report.timings.total,
    /** CPU seconds of the process, worker threads included: steadier than wall time on a shared machine. */
    cpuSeconds: ((u) => (u.user + u.system) / 1e6)(process.cpuUsage(cpu)),
    timings: report.timings,
    test: score(report.test),
    val: c.valScore,
    chosen: `${c.config.kinds.join('+')}.${c.config.poolings.join('+')} eta ${c.eta} k ${c.k}, ${report.classifier.neurons.length} neurons of ${c.features}, C ${c.C.toPrecision(3)}`,
    baselines: Object.fromEntries(report.baselines.map((b) => [b.name, `${b.block} val ${f(b.valScore)} test ${f(score(b.test))}`])),
    fits: report.fits,
    probeSeconds: report.probes.reduce((s, p) => s + p.seconds, 0),
    meanProbeVal: report.probes.reduce((s, p) => s + p.valScore, 0) / report.probes.length,
  };
  if (args.json) {
    console.log(JSON.stringify({ ...summary, probes: report.probes }));
    return;
  }
  console.log(JSON.stringify(summary, null, 1));
  console.log('slowest probes: block, seconds, path points, chosen C, support, val');
  for (const p of [...report.probes].sort((a, b) => b.seconds - a.seconds).slice(0, 10)) {
    console.log(`  ${p.block.padEnd(16)} ${f(p.seconds, 1).padStart(6)} s  ${String(p.pathPoints).padStart(2)} pts  C ${p.C.toPrecision(3).padStart(8)}  support ${String(p.support).padStart(4)}  val ${f(p.valScore)}`);
  }
}

function profileProbes(d: Dataset): void {
  const store = openFeatureStore(d.storeDir);
  const rows = splitRows(d.layout);
  const y = Int32Array.from(d.layout.y);
  const labels = (r: Int32Array) => Int32Array.from(r, (i) => y[i] as number);
  const [yTrain, yDev, yTest] = [labels(rows.train), labels(rows.dev), labels(rows.test)];
  const counts = d.layout.classes.map((_, k) => yTrain.filter((c) => c === k).length);
  const settings = resolveSettings({ metric: d.metric }, counts, d.layout.classes);
  const probe = searchOptions(settings, d.layout.classes.length).probe;
  const search = args.tol ? { ...probe, tol: Number(args.tol) } : probe;
  const wanted = args.blocks?.split(',').map((s) => s.trim());
  const blocks = allBlocks(d.numLayers).filter((b) => !wanted || wanted.includes(blockName(b)));
  console.log(`${d.name}: ${rows.train.length}/${rows.dev.length}/${rows.test.length} rows, ${counts.length} classes, metric ${settings.metric}, load ${load()}`);
  let total = 0;
  const summary: { block: string; seconds: number; points: number; val: number; test: number; support: number; sweeps: number }[] = [];
  for (const block of blocks) {
    const name = blockName(block);
    const X = readBlock(store, name);
    const trainRows = takeRows(X, rows.train);
    const s = fitStandardisation(trainRows);
    const train = designMatrix(trainRows, s);
    const dev = designMatrix(takeRows(X, rows.dev), s);
    const test = designMatrix(takeRows(X, rows.test), s);
    const job = searchJob(train, yTrain, dev, yDev, search);
    const times: number[] = [];
    let last = performance.now();
    const start = last;
    const p = fitPath(job.X, job.y, {
      ...job.options,
      onPoint: () => {
        const now = performance.now();
        times.push((now - last) / 1000);
        last = now;
      },
    });
    const seconds = (performance.now() - start) / 1000;
    total += seconds;
    const best = p.validation?.best ?? 0;
    const chosen = p.points[best] as PathPoint;
    const m = classificationMetrics(yTest, predict(chosen.model, test), chosen.model.nClasses);
    const testScore = settings.metric === 'accuracy' ? m.accuracy : m.macroF1;
    const sweeps = p.points.reduce((n, q) => n + q.convergence.sweeps, 0);
    summary.push({ block: name, seconds, points: p.points.length, val: p.validation?.scores[best] ?? NaN, test: testScore, support: chosen.supportSize, sweeps });
    console.log(`${name}: ${f(seconds, 2)} s, ${p.points.length} points (${p.stopped ?? 'end of grid'}), best #${best} val ${f(p.validation?.scores[best] ?? NaN)} test ${f(testScore)} support ${chosen.supportSize}, lambdaMax ${p.lambdaMax.toPrecision(3)}`);
    if (args.json) continue;
    p.points.forEach((q, i) => {
      const c = q.convergence;
      console.log(
        `  #${String(i).padStart(2)} l/lmax ${(q.lambda / p.lambdaMax).toExponential(2)} C ${q.C.toPrecision(3).padStart(8)} support ${String(q.supportSize).padStart(4)} val ${f(p.validation?.scores[i] ?? NaN)} dev.ratio ${f(q.devianceRatio)} ` +
          `${f(times[i] ?? NaN, 2).padStart(6)} s  newton ${String(c.iterations).padStart(3)} sweeps ${String(c.sweeps).padStart(5)} kkt ${c.kktChecks} gap ${c.relativeGap.toExponential(1)}${c.converged ? '' : ' NOT CONVERGED'}`,
      );
    });
  }
  const mean = (k: 'val' | 'test') => summary.reduce((s, r) => s + r[k], 0) / summary.length;
  console.log(`total ${f(total, 1)} s in process; mean probe val ${f(mean('val'), 4)}, mean probe test ${f(mean('test'), 4)}; load ${load()}`);
  if (args.json) console.log(JSON.stringify({ dataset: d.name, total, meanVal: mean('val'), meanTest: mean('test'), probes: summary }));
}

async function main(): Promise<void> {
  if (!args.dataset) throw new Error('Usage: npx tsx bench/stc-profile.ts --dataset sst2 [--mode search|probes] [--space paper|extended] [--blocks B1,B2]');
  const d = openDataset(args.dataset);
  if (args.mode === 'probes') profileProbes(d);
  else if (args.mode === 'search') await profileSearch(d);
  else throw new Error(`--mode ${args.mode}: expected search or probes`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
