// stc train <data>: trains an STC classifier and saves it as a .stc folder.
import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { trainClassifier } from '../../core/workflow/train';
import type { TrainOptions, TrainResult } from '../../core/workflow/train';
import { KINDS, POOLINGS } from '../../core/neurons';
import type { MetricChoice } from '../../core/stc/options';
import { choiceOption, flag, integerOption, listOption, stringOption } from '../args';
import type { CommandSpec, OptionSpec, ParsedArgs } from '../args';
import type { CliContext } from '../context';
import { writeLine } from '../context';
import { CliError, EXIT } from '../errors';
import { formatLayerTable, formatScores } from '../format';
import { createProgress } from '../progress';
import { ALLOW_DOWNLOAD_OPTION, DEVICE_OPTION, deviceOf, FEATURE_CACHE_OPTION, featureCacheBytesOf, THREADS_OPTION, threadsOf, WORK_DIR_OPTION, workDirOf } from '../runtime';

export const DATA_FORMATS =
  'Data: CSV or TSV with a header row, JSON Lines, a JSON array of objects, or a folder with one sub-folder of .txt files per label. ' +
  'The text and label columns are detected by name or content unless named.';

export const COLUMN_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  'text-column': { type: 'string', value: 'C', help: 'the column holding the text (default: detected)' },
  'label-column': { type: 'string', value: 'C', help: 'the column holding the label (default: detected)' },
};

const METRICS = ['auto', 'accuracy', 'macro-f1'] as const;

export const trainSpec: CommandSpec = {
  name: 'train',
  usage: '<data> [options]',
  summary: 'Trains a Sparsify-then-Classify classifier on a labelled data file and saves it as a .stc folder.',
  options: {
    dev: { type: 'string', value: 'FILE', help: 'validation data (default: a stratified 10% of the training data, seed 42)' },
    test: { type: 'string', value: 'FILE', help: 'test data, scored once with the chosen classifier and the baselines' },
    model: { type: 'string', value: 'SPEC', help: 'base model: "default" (the embedded all-MiniLM-L6-v2), a model folder, or a hub id' },
    out: { type: 'string', value: 'DIR', help: 'where to save the classifier (default: <data name>.stc in the current folder)' },
    force: { type: 'boolean', short: 'f', help: 'replace --out if it already holds a classifier' },
    name: { type: 'string', value: 'NAME', help: 'the classifier\'s name (default: the --out folder\'s name)' },
    device: DEVICE_OPTION,
    'max-length': { type: 'string', value: 'N', help: 'tokens read per text (default: the model\'s limit, capped at 1024)' },
    kinds: { type: 'string', value: 'LIST', help: `neuron kinds to search, comma-separated: ${KINDS.join(',')} (default both)` },
    poolings: { type: 'string', value: 'LIST', help: `poolings to search, comma-separated: ${POOLINGS.join(',')} (default all)` },
    metric: { type: 'string', value: 'M', help: `selection metric: ${METRICS.join(', ')} (default auto: macro-f1 when classes are imbalanced)` },
    ensemble: { type: 'string', value: 'N', help: 'average the best N configurations on validation into the classifier (default 3; 1: the single best, as the paper chooses)' },
    'no-refit': { type: 'boolean', help: 'keep the classifier fitted on the training data only (default: once validation has chosen it, refit it on training and validation data together)' },
    ...COLUMN_OPTIONS,
    threads: THREADS_OPTION,
    'work-dir': WORK_DIR_OPTION,
    'feature-cache-gb': FEATURE_CACHE_OPTION,
    'allow-download': ALLOW_DOWNLOAD_OPTION,
  },
  positionals: [1, 1],
  details: [DATA_FORMATS, 'Dev and test files are read with the same column names as the training file.'],
};

function metricOf(args: ParsedArgs): MetricChoice | undefined {
  const m = choiceOption(args, 'metric', METRICS);
  return m === 'macro-f1' ? 'macroF1' : m;
}

/** `reviews.csv` -> `reviews.stc` in the current folder; a folder-per-label dataset keeps its name. */
export function defaultOutput(data: string): string {
  const base = path.basename(path.resolve(data));
  const stem = base.includes('.') ? base.slice(0, base.lastIndexOf('.')) : base;
  return path.resolve(`${stem || 'classifier'}.stc`);
}

/** Refuses, before any work, an output that exists (without --force) or that saving would refuse
 *  to replace: a file, or a folder that holds something other than a classifier. */
function checkOutput(out: string, force: boolean): void {
  const info = statSync(out, { throwIfNoEntry: false });
  if (!info) return;
  if (!force) throw new CliError(EXIT.cannotCreate, `${out} already exists; nothing was changed. Use --force to replace it, or choose another --out.`);
  const isClassifier = info.isDirectory() && (readdirSync(out).length === 0 || existsSync(path.join(out, 'manifest.json')));
  if (!isClassifier) throw new CliError(EXIT.cannotCreate, `${out} exists and is not a classifier folder, so --force does not replace it; choose another --out.`);
}

/** The options the training workflow gets from the command line; the caller adds the callbacks. */
export function trainOptionsOf(ctx: CliContext, args: ParsedArgs): TrainOptions {
  const train = args.positionals[0] as string;
  const out = path.resolve(stringOption(args, 'out') ?? defaultOutput(train));
  checkOutput(out, flag(args, 'force'));
  const optional = {
    dev: stringOption(args, 'dev'),
    test: stringOption(args, 'test'),
    textColumn: stringOption(args, 'text-column'),
    labelColumn: stringOption(args, 'label-column'),
    model: stringOption(args, 'model'),
    device: deviceOf(args),
    maxLength: integerOption(args, 'max-length', 2),
    kinds: listOption(args, 'kinds', KINDS),
    poolings: listOption(args, 'poolings', POOLINGS),
    metric: metricOf(args),
    refit: flag(args, 'no-refit') ? false : undefined,
    ensemble: integerOption(args, 'ensemble', 1),
    threads: threadsOf(args),
    name: stringOption(args, 'name'),
  };
  const defined = Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)) as Partial<TrainOptions>;
  return {
    ...defined,
    train,
    out,
    workDir: workDirOf(args, ctx.env),
    maxFeatureCacheBytes: featureCacheBytesOf(args),
    allowRemote: flag(args, 'allow-download'),
    signal: ctx.signal,
  };
}

/** Runs training with a progress display; its log lines (warnings included) go to stderr. */
export async function runTraining(ctx: CliContext, options: TrainOptions): Promise<TrainResult> {
  const progress = createProgress(ctx);
  try {
    return await trainClassifier({ ...options, onProgress: (p) => progress.update(p), onLog: (line) => progress.log(line) });
  } finally {
    progress.finish();
  }
}

export async function trainCommand(ctx: CliContext, args: ParsedArgs): Promise<void> {
  const result = await runTraining(ctx, trainOptionsOf(ctx, args));
  const { report, dir } = result.saved;
  writeLine(ctx.stdout, formatLayerTable(report));
  writeLine(ctx.stdout);
  writeLine(ctx.stdout, formatScores(report));
  writeLine(ctx.stdout);
  writeLine(ctx.stdout, `Saved ${dir}`);
}
