// Seed study (issue 4): how far the test scores of our STC and of the paper's pipeline move with the
// row sample alone, so that a gap between them in bench/stc.ts can be told from sampling noise.
// For each dataset and seed: bench/stc.ts's work folder for those caps and seed (made with
// `bench/stc.ts --work-only` when it is missing: extraction, our searches, the reference); then our
// two searches again on this checkout (not when the folder was just made: its reports are this
// checkout's), so every seed is scored by one revision; the reference's
// score is read from its report in the folder (it does not depend on our code). Our extended search
// also runs with the refit on train + validation turned off, so the gain of the refit is told from
// the search's (the reference fits on train only, as the paper does). --reuse-reports
// takes our figures from the reports our searches left in the folders (report-paper.json,
// report-extended.json, report-extended-train-only.json) instead: only valid when those were made by this revision (the searches
// are deterministic, so a re-run reproduces them).
//
//   npx tsx bench/stc-seeds.ts --datasets-dir ../shared/datasets --datasets sst2,subj,sms_spam,emotion
//     --seeds 7,1,2 [--max-train 1500] [--max-dev N] [--max-test 500] [--threads 2] [--work bench/.work/stc]
//     [--reuse-reports] [--name stc-seeds] [--note TEXT]
//
// Writes bench/results/NAME.json (default stc-seeds; stc-heldout for the datasets outside the
// issue's five, on which no setting of the pipeline was tuned): per dataset, the mean test score over the seeds of our
// paper-space and extended-space STC beside the reference's, and every seed's figures in the notes.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { loadOrt } from '../src/core/model/runtime';
import { machine, row, writeResult, type BenchRow } from './result';
import type { StcReport } from '../src/core/stc';
import { METRIC, type Layout } from './stc-data';
import { capsFor, classifierName, runOurSearch, workFolder, workStore, type CapSpecs } from './stc-work';

const ROOT = path.join(__dirname, '..');

const { values: args } = parseArgs({
  options: {
    'datasets-dir': { type: 'string' },
    datasets: { type: 'string', default: 'sst2,subj,sms_spam,emotion' },
    seeds: { type: 'string', default: '7,1,2' },
    'max-train': { type: 'string', default: '1500' },
    'max-test': { type: 'string', default: '500' },
    'max-dev': { type: 'string' },
    threads: { type: 'string', default: '2' },
    work: { type: 'string', default: path.join(ROOT, 'bench/.work/stc') },
    'reuse-reports': { type: 'boolean', default: false },
    name: { type: 'string', default: 'stc-seeds' },
    note: { type: 'string' },
  },
});

interface SeedScores {
  readonly seed: number;
  readonly counts: Layout['counts'];
  readonly paper: number;
  readonly extended: number;
  readonly trainOnly: number;
  readonly reference: number;
  /** The last-layer baseline (hid mean + L1-LR): ours (refitted like our STC) and the reference's. */
  readonly baseline: { readonly ours: number; readonly reference: number };
  readonly chosen: { readonly paper: string; readonly extended: string; readonly reference: string };
}

interface OurScore {
  readonly test: number;
  readonly lastHidMean: number;
  readonly chosen: string;
}

type ReferenceScores = { accuracy: number; macro_f1: number };

interface ReferenceChosen {
  readonly chosen: { kind: string; pooling: string; eta: number; k: number; test: ReferenceScores };
  readonly baselines: { name: string; test: ReferenceScores }[];
}

const specs: CapSpecs = { maxTrain: args['max-train'], maxDev: args['max-dev'], maxTest: args['max-test'] };

/** bench/stc.ts's arguments for one dataset and seed, figures kept in the work folder only. */
function makeWorkFolder(dataset: string, seed: number): void {
  const argv = ['--import', 'tsx', path.join(__dirname, 'stc.ts'), '--datasets-dir', args['datasets-dir'] as string, '--datasets', dataset, '--max-train', specs.maxTrain, '--max-test', specs.maxTest, ...(specs.maxDev ? ['--max-dev', specs.maxDev] : []), '--seed', String(seed), '--threads', args.threads, '--work', args.work, '--work-only'];
  const r = spawnSync(process.execPath, argv, { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`bench/stc.ts for ${dataset}, seed ${seed} failed (exit ${r.status}); its output is above.`);
}

async function scoreSeed(dataset: string, seed: number): Promise<SeedScores> {
  const caps = capsFor(dataset, specs, seed);
  const work = workFolder(args.work, dataset, caps);
  const referenceFile = path.join(work, 'reference.json');
  // A folder made now holds this revision's paper and extended reports already.
  const madeNow = !fs.existsSync(referenceFile);
  if (madeNow) makeWorkFolder(dataset, seed);
  const { storeDir, numLayers } = workStore(args.work, work);
  const layoutFile = path.join(work, 'layout.json');
  const layout = JSON.parse(fs.readFileSync(layoutFile, 'utf8')) as Layout;
  const metric = METRIC[dataset] ?? 'accuracy';
  const ours = async (space: 'paper' | 'extended', refit = true): Promise<OurScore> => {
    const reportOut = path.join(work, `report-${space}${refit ? '' : '-train-only'}.json`);
    // A folder made now has no train-only report, so --reuse-reports still runs that search there.
    const fresh = !(madeNow && refit) && (!args['reuse-reports'] || !fs.existsSync(reportOut));
    if (fresh) await runOurSearch({ storeDir, layoutFile, numLayers, space, metric, threads: args.threads, reportOut, refit });
    const report = JSON.parse(fs.readFileSync(reportOut, 'utf8')) as StcReport;
    const lastHidMean = report.baselines.find((b) => b.name === 'last-hid-mean')?.test?.[metric] ?? NaN;
    return { test: report.test?.[metric] ?? NaN, lastHidMean, chosen: classifierName(report) };
  };
  const paper = await ours('paper');
  const extended = await ours('extended');
  const trainOnly = await ours('extended', false);
  const referenceReport = JSON.parse(fs.readFileSync(referenceFile, 'utf8')) as ReferenceChosen;
  const ref = referenceReport.chosen;
  const refScore = (t: ReferenceScores) => (metric === 'macroF1' ? t.macro_f1 : t.accuracy);
  const reference = refScore(ref.test);
  const refBaseline = referenceReport.baselines.find((b) => b.name === 'last_hid_mean');
  process.stderr.write(`${dataset} seed ${seed}: paper ${paper.test.toFixed(4)}, extended ${extended.test.toFixed(4)} (train only ${trainOnly.test.toFixed(4)}), reference ${reference.toFixed(4)}\n`);
  return {
    seed,
    counts: layout.counts,
    paper: paper.test,
    extended: extended.test,
    trainOnly: trainOnly.test,
    reference,
    baseline: { ours: extended.lastHidMean, reference: refBaseline ? refScore(refBaseline.test) : NaN },
    chosen: { paper: paper.chosen, extended: extended.chosen, reference: `${ref.kind}.${ref.pooling} eta ${ref.eta} k ${ref.k}` },
  };
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const pts = (x: number) => 100 * x;

function rowsOf(dataset: string, seeds: readonly SeedScores[]): BenchRow[] {
  const metric = METRIC[dataset] ?? 'accuracy';
  const unit = `${metric === 'macroF1' ? '% macro-F1' : '% accuracy'} (test), mean of ${seeds.length} seeds`;
  const anchor = 'paper pipeline (scikit-learn saga), same features and seeds';
  const reference = pts(mean(seeds.map((s) => s.reference)));
  return [
    row({ dataset, metric: 'STC, paper space', unit, value: pts(mean(seeds.map((s) => s.paper))), anchor, anchor_value: reference }),
    row({ dataset, metric: 'STC, extended space', unit, value: pts(mean(seeds.map((s) => s.extended))), anchor, anchor_value: reference }),
    row({ dataset, metric: 'STC, extended space, no refit (train-only fit)', unit, value: pts(mean(seeds.map((s) => s.trainOnly))), anchor, anchor_value: reference }),
    row({ dataset, metric: 'baseline: last layer hid mean + L1-LR (refitted, as our STC)', unit, value: pts(mean(seeds.map((s) => s.baseline.ours))), anchor: 'the reference\'s same baseline (train only)', anchor_value: pts(mean(seeds.map((s) => s.baseline.reference))) }),
  ];
}

function noteOf(dataset: string, seeds: readonly SeedScores[]): string {
  const diff = (key: 'paper' | 'extended' | 'trainOnly') => seeds.map((s) => pts(s[key] - s.reference));
  const range = (xs: number[]) => `${Math.min(...xs).toFixed(2)} to ${Math.max(...xs).toFixed(2)}`;
  const perSeed = seeds
    .map((s) => `seed ${s.seed} (${s.counts.train}/${s.counts.dev}/${s.counts.test}): paper ${pts(s.paper).toFixed(2)} (${s.chosen.paper}), extended ${pts(s.extended).toFixed(2)} (${s.chosen.extended}; train only ${pts(s.trainOnly).toFixed(2)}), reference ${pts(s.reference).toFixed(2)} (${s.chosen.reference})`)
    .join('; ');
  const overBaseline = seeds.map((s) => `${pts(s.extended - s.baseline.ours) >= 0 ? '+' : ''}${pts(s.extended - s.baseline.ours).toFixed(2)}`).join(', ');
  return `${dataset}: our extended STC minus our last-layer baseline per seed ${overBaseline}; ours minus reference per seed, paper space ${range(diff('paper'))} points (mean ${mean(diff('paper')).toFixed(2)}), extended ${range(diff('extended'))} (mean ${mean(diff('extended')).toFixed(2)}), extended without the refit ${range(diff('trainOnly'))} (mean ${mean(diff('trainOnly')).toFixed(2)}). ${perSeed}.`;
}

async function main(): Promise<void> {
  if (!args['datasets-dir']) throw new Error('Usage: npx tsx bench/stc-seeds.ts --datasets-dir ../shared/datasets [--datasets sst2,subj] [--seeds 7,1,2] [caps as bench/stc.ts]');
  if (!/^[a-z0-9-]+$/.test(args.name)) throw new Error(`--name ${args.name}: expected lower-case letters, digits and dashes (it names bench/results/NAME.json)`);
  const datasets = args.datasets.split(',').map((s) => s.trim()).filter(Boolean);
  const seeds = args.seeds.split(',').map(Number);
  if (seeds.length === 0 || seeds.some((s) => !Number.isInteger(s))) throw new Error(`--seeds ${args.seeds}: expected integers, e.g. 7,1,2`);
  const results: { dataset: string; seeds: SeedScores[] }[] = [];
  for (const dataset of datasets) {
    const scores: SeedScores[] = [];
    for (const seed of seeds) scores.push(await scoreSeed(dataset, seed));
    results.push({ dataset, seeds: scores });
  }
  const ort = await loadOrt();
  const file = writeResult({
    benchmark: args.name,
    command: `npx tsx bench/stc-seeds.ts --datasets-dir ../shared/datasets --datasets ${datasets.join(',')} --seeds ${seeds.join(',')} --max-train ${specs.maxTrain} --max-test ${specs.maxTest}${specs.maxDev ? ` --max-dev ${specs.maxDev}` : ''} --threads ${args.threads}${args['reuse-reports'] ? ' --reuse-reports' : ''}${args.name === 'stc-seeds' ? '' : ` --name ${args.name}`}`,
    date: new Date().toISOString(),
    machine: machine(ort.env.versions.node ?? 'unknown'),
    rows: results.flatMap((r) => rowsOf(r.dataset, r.seeds)),
    notes: [
      `Each seed draws other stratified train/dev/test subsamples (bench/stc.ts caps), so the spread over seeds is the sampling noise of one bench/stc.ts figure. ${args['reuse-reports'] ? 'Our figures come from the reports our searches on this revision left in the work folders' : 'Our searches ran on this revision for every seed'}; the reference scores come from the work folders (scikit-learn saga on the same exported features).`,
      ...(args.note ? [args.note] : []),
      ...results.map((r) => noteOf(r.dataset, r.seeds)),
    ],
  });
  process.stderr.write(`wrote ${file}\n`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
