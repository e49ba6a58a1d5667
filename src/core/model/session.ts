// Opening an ONNX Runtime session on the execution provider the user chose. A provider that cannot
// start (no GPU, missing CUDA libraries, a backend this build lacks) never stops the work: the
// session falls back to the CPU and the reason is returned and reported. Only a CPU failure, which
// means the model file itself is unusable, is an error.
import * as fs from 'node:fs';
import type { InferenceSession } from 'onnxruntime-node';
import { loadOrt } from './runtime';

export const EXECUTION_PROVIDERS = ['cpu', 'cuda', 'webgpu', 'dml', 'coreml'] as const;
export type ExecutionProvider = (typeof EXECUTION_PROVIDERS)[number];
export type ProviderSetting = ExecutionProvider | 'auto';
export type GraphOptimizationLevel = 'disabled' | 'basic' | 'extended' | 'all';

export interface SessionSettings {
  /** Default 'auto'. */
  readonly provider?: ProviderSetting;
  /** Threads inside one operator; 0 or unset: ONNX Runtime's default (one per physical core). */
  readonly intraOpNumThreads?: number;
  /** Threads across independent operators; 0 or unset: ONNX Runtime's default. */
  readonly interOpNumThreads?: number;
  /** Default 'all'. */
  readonly graphOptimizationLevel?: GraphOptimizationLevel;
}

export interface ProviderFallback {
  readonly provider: ExecutionProvider;
  readonly reason: string;
}

export interface OpenedSession<S> {
  readonly session: S;
  readonly provider: ExecutionProvider;
  /** Providers tried before `provider`, each with why it did not start. */
  readonly fallbacks: readonly ProviderFallback[];
}

export type SessionFactory<S> = (modelFile: string, options: InferenceSession.SessionOptions) => Promise<S>;

export interface OpenSessionOptions<S> {
  readonly factory: SessionFactory<S>;
  /** Called once per provider that did not start, before the next one is tried. */
  readonly onFallback?: (f: ProviderFallback) => void;
  readonly platform?: NodeJS.Platform;
}

/** GPU providers `auto` tries, per platform, before the CPU. WebGPU is opt-in only: in Node it may
 *  pick an integrated or software adapter that is slower than the CPU. */
const AUTO_PROVIDERS: Partial<Record<NodeJS.Platform, readonly ExecutionProvider[]>> = {
  linux: ['cuda'],
  win32: ['cuda', 'dml'],
  darwin: ['coreml'],
};

/** The providers to try, in order; always ending with the CPU. */
export function providerCandidates(setting: ProviderSetting, platform: NodeJS.Platform = process.platform): ExecutionProvider[] {
  if (setting === 'cpu') return ['cpu'];
  if (setting === 'auto') return [...(AUTO_PROVIDERS[platform] ?? []), 'cpu'];
  if (!(EXECUTION_PROVIDERS as readonly string[]).includes(setting)) {
    throw new Error(`Unknown execution provider "${String(setting)}"; use one of ${[...EXECUTION_PROVIDERS, 'auto'].join(', ')}.`);
  }
  return [setting, 'cpu'];
}

function threadCount(name: string, n: number | undefined): number | undefined {
  if (n === undefined || n === 0) return undefined;
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number >= 0 (0: ONNX Runtime's default), got ${n}.`);
  return n;
}

export function sessionOptionsFor(provider: ExecutionProvider, settings: SessionSettings): InferenceSession.SessionOptions {
  const intra = threadCount('intraOpNumThreads', settings.intraOpNumThreads);
  const inter = threadCount('interOpNumThreads', settings.interOpNumThreads);
  return {
    executionProviders: [provider],
    graphOptimizationLevel: settings.graphOptimizationLevel ?? 'all',
    // Warnings such as "some nodes were not assigned to the preferred provider" are expected.
    logSeverityLevel: 3,
    ...(intra !== undefined && { intraOpNumThreads: intra }),
    ...(inter !== undefined && { interOpNumThreads: inter }),
  };
}

function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  // ORT appends native log lines with ANSI colours after the first line; the first line says why.
  return (text.split('\n')[0] ?? text).trim().replace(/\.+$/, '');
}

export async function openSession<S>(modelFile: string, settings: SessionSettings, options: OpenSessionOptions<S>): Promise<OpenedSession<S>> {
  const fallbacks: ProviderFallback[] = [];
  for (const provider of providerCandidates(settings.provider ?? 'auto', options.platform)) {
    try {
      const session = await options.factory(modelFile, sessionOptionsFor(provider, settings));
      return { session, provider, fallbacks };
    } catch (e) {
      if (provider === 'cpu') throw unusableModel(modelFile, e, fallbacks);
      const fallback = { provider, reason: firstLine(e) };
      fallbacks.push(fallback);
      options.onFallback?.(fallback);
    }
  }
  throw new Error('unreachable: the provider list always ends with cpu');
}

function unusableModel(modelFile: string, e: unknown, fallbacks: readonly ProviderFallback[]): Error {
  const size = fs.statSync(modelFile, { throwIfNoEntry: false })?.size;
  const what = size === undefined ? 'the file does not exist' : `${size} bytes`;
  const tried = fallbacks.length ? ` (${fallbacks.map((f) => f.provider).join(', ')} did not start either)` : '';
  return new Error(
    `ONNX Runtime cannot load the model ${modelFile} (${what}) on the CPU${tried}: ${firstLine(e)}. The file may be truncated or corrupt, or use operators this ONNX Runtime lacks: re-download or re-export the model.`,
    { cause: e },
  );
}

/** openSession with onnxruntime-node. */
export async function openOrtSession(modelFile: string, settings: SessionSettings, onFallback?: (f: ProviderFallback) => void): Promise<OpenedSession<InferenceSession>> {
  const ort = await loadOrt();
  // ORT's native logger prints every failed provider start (a missing CUDA library, no WebGPU
  // adapter) to stderr in colour; those reasons reach the user as fallbacks or errors instead.
  ort.env.logLevel = 'fatal';
  return openSession(modelFile, settings, { factory: (file, opts) => ort.InferenceSession.create(file, opts), onFallback });
}
