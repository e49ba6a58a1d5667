// What the commands that run a saved classifier share: the options that say where and how to run
// it, the work folder, and opening it (load, find its base model, build the early-exit graph).
import * as path from 'node:path';
import { loadClassifier, resolveClassifierModel } from '../core/artifact';
import { openClassifier } from '../core/infer';
import type { ClassifierRuntime } from '../core/infer';
import type { SavedClassifier } from '../core/artifact';
import { defaultCacheRoot, type ResolvedModel } from '../core/model/resolve';
import { EXECUTION_PROVIDERS, describeFallback } from '../core/model/session';
import type { ProviderSetting } from '../core/model/session';
import { choiceOption, flag, integerOption, numberOption, stringOption } from './args';
import type { OptionSpec, ParsedArgs } from './args';
import type { CliContext } from './context';
import { warn } from './context';

export const DEVICES: readonly ProviderSetting[] = ['auto', ...EXECUTION_PROVIDERS];

export const DEVICE_OPTION: OptionSpec = {
  type: 'string',
  value: 'D',
  help: `execution provider: ${DEVICES.join(', ')} (default auto: a GPU when one starts and has kernels for the model's operators, else the CPU)`,
};
export const THREADS_OPTION: OptionSpec = { type: 'string', value: 'N', help: 'CPU threads (default: one per core)' };
export const WORK_DIR_OPTION: OptionSpec = {
  type: 'string',
  value: 'DIR',
  help: 'cache for extracted features and inference graphs (default $XDG_CACHE_HOME/stc-lens, else ~/.cache/stc-lens)',
};
const DEFAULT_FEATURE_CACHE_GB = 10;
export const FEATURE_CACHE_OPTION: OptionSpec = {
  type: 'string',
  value: 'GB',
  help: `most disk space the feature stores in the work folder (features/) may take; training deletes the least recently used beyond it (default ${DEFAULT_FEATURE_CACHE_GB}; 0: no limit)`,
};
export const ALLOW_DOWNLOAD_OPTION: OptionSpec = { type: 'boolean', help: 'download a hub model that is not in the model cache' };

/** Options of eval, classify and explain. */
export const RUNTIME_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  model: { type: 'string', value: 'DIR', help: 'folder of the base model, when it is no longer where the classifier was trained' },
  device: DEVICE_OPTION,
  threads: THREADS_OPTION,
  'work-dir': WORK_DIR_OPTION,
  'allow-download': ALLOW_DOWNLOAD_OPTION,
};

export function workDirOf(args: ParsedArgs, env: CliContext['env']): string {
  const given = stringOption(args, 'work-dir');
  if (given !== undefined) return path.resolve(given);
  return defaultCacheRoot(env);
}

export function deviceOf(args: ParsedArgs): ProviderSetting | undefined {
  return choiceOption(args, 'device', DEVICES);
}

export function threadsOf(args: ParsedArgs): number | undefined {
  return integerOption(args, 'threads', 1);
}

/** The feature cache cap in bytes (TrainOptions' maxFeatureCacheBytes); 0: no cap. */
export function featureCacheBytesOf(args: ParsedArgs): number {
  return (numberOption(args, 'feature-cache-gb', 0) ?? DEFAULT_FEATURE_CACHE_GB) * 1e9;
}

export interface RunSettings {
  readonly device?: ProviderSetting | undefined;
  readonly threads?: number | undefined;
  readonly workDir: string;
}

/** The early-exit runtime of a loaded classifier, on the device asked for (falling back to the CPU with a warning). */
export function startRuntime(ctx: CliContext, saved: SavedClassifier, model: ResolvedModel, run: RunSettings): Promise<ClassifierRuntime> {
  return openClassifier(saved, {
    model,
    graphCacheDir: path.join(run.workDir, 'graphs'),
    session: { ...(run.device && { provider: run.device }), ...(run.threads !== undefined && { intraOpNumThreads: run.threads }) },
    // With `auto`, a machine without a GPU (or a model unsuited to it) is the normal case: say so
    // only when asked for a device, which falls back to the CPU alone when it fails.
    onFallback: (f) => {
      if (run.device !== undefined && run.device !== 'auto') warn(ctx, `${describeFallback(f)}${f.outcome === 'failed' ? '; running on the CPU' : ''}.`);
    },
  });
}

/** Loads a .stc folder, finds its base model and starts its runtime, as the command line asks. */
export async function openRuntime(ctx: CliContext, args: ParsedArgs, classifierDir: string): Promise<{ runtime: ClassifierRuntime; model: ResolvedModel }> {
  const run = { device: deviceOf(args), threads: threadsOf(args), workDir: workDirOf(args, ctx.env) };
  const modelFolder = stringOption(args, 'model');
  const saved = await loadClassifier(classifierDir);
  const model = await resolveClassifierModel(saved, {
    ...(modelFolder !== undefined && { modelFolder }),
    allowRemote: flag(args, 'allow-download'),
  });
  return { runtime: await startRuntime(ctx, saved, model, run), model };
}
