// Opening an ONNX Runtime session on the execution provider the user chose. A provider that cannot
// start (no GPU, missing CUDA libraries, a backend this build lacks) never stops the work: the
// session falls back to the CPU and the reason is returned and reported. Only a CPU failure, which
// means the model file itself is unusable, is an error. A graph whose matrix products have no
// kernel on a GPU provider runs slower there than on the CPU, so `auto` skips that provider, and a
// user who named it is told why it will be slow; both reach the user as fallbacks.
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
  /** 'failed': it did not start, so the next provider was tried. 'skipped': `auto` did not try it,
   *  as the graph would run slower on it than on the CPU. 'kept': it was asked for by name and runs
   *  the session, though the graph is slow on it. */
  readonly outcome: 'failed' | 'skipped' | 'kept';
  readonly reason: string;
}

export interface OpenedSession<S> {
  readonly session: S;
  readonly provider: ExecutionProvider;
  /** The providers failed or skipped before `provider`, in order, each with why; last, when
   *  `provider` was asked for by name though the graph is slow on it, that notice ('kept'). */
  readonly fallbacks: readonly ProviderFallback[];
}

export type SessionFactory<S> = (modelFile: string, options: InferenceSession.SessionOptions) => Promise<S>;

export interface OpenSessionOptions<S> {
  readonly factory: SessionFactory<S>;
  /** Called for each fallback as it happens: a failed or skipped provider before the next one is
   *  tried, a kept one once its session has started. */
  readonly onFallback?: (f: ProviderFallback) => void;
  readonly platform?: NodeJS.Platform;
  /** The graph's op types among CPU_BOUND_OPS (cpuBoundOps in src/core/onnx); default none. */
  readonly cpuBoundOps?: readonly string[];
}

/**
 * Op types (domain com.microsoft) whose ONNX Runtime kernels exist for the CPU and DirectML only.
 * On the CUDA, WebGPU and CoreML providers their nodes run on the CPU between GPU nodes, with copies
 * between the devices around each: WebGPU on an NVIDIA H200 (onnxruntime-node 1.30) ran the W8A8
 * default model at 0.28x the CPU provider's throughput. Checked in microsoft/onnxruntime's sources:
 * neither op is declared in contrib_ops/cuda/cuda_contrib_kernels.cc (its quantized matmuls are
 * QOrderedMatMul, QAttention, MatMulNBits, MatMulBnb4) nor in
 * contrib_ops/webgpu/webgpu_contrib_kernels.cc (MatMulNBits only), and
 * core/providers/coreml/builders/impl has no builder for either; the CPU implements both
 * (contrib_ops/cpu/quantization/dynamic_quantize_matmul.cc), and so does DirectML
 * (DmlOperatorMatMulIntegerToFloat.cpp, DmlOperatorDynamicQuantizeMatMul.cpp). MatMulInteger is
 * left out: CUDA's kernel (core/providers/cuda/math/matmul_integer.cc) takes int8 x int8 only, so
 * whether it falls to the CPU depends on operand types, not on the op type this list goes by.
 */
export const CPU_BOUND_OPS: readonly string[] = ['MatMulIntegerToFloat', 'DynamicQuantizeMatMul'];
/** The GPU providers without kernels for CPU_BOUND_OPS. */
const LACKS_CPU_BOUND_KERNELS: ReadonlySet<ExecutionProvider> = new Set(['cuda', 'webgpu', 'coreml']);

/** GPU providers `auto` tries, per platform, before the CPU. WebGPU is opt-in only: in Node it may
 *  pick an integrated or software adapter that is slower than the CPU. */
const AUTO_PROVIDERS: Partial<Record<NodeJS.Platform, readonly ExecutionProvider[]>> = {
  linux: ['cuda'],
  win32: ['cuda', 'dml'],
  darwin: ['coreml'],
};

/** The providers to try, in order; always ending with the CPU. Which of them suit the graph is
 *  openSession's business (see CPU_BOUND_OPS): this list depends on the setting alone. */
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

/** Why `provider` would run `cpuBoundOps` slower than the CPU does; undefined when it would not. */
function cpuBoundReason(provider: ExecutionProvider, cpuBoundOps: readonly string[]): string | undefined {
  if (cpuBoundOps.length === 0 || !LACKS_CPU_BOUND_KERNELS.has(provider)) return undefined;
  return `the graph's ${cpuBoundOps.join(' and ')} nodes have no ${provider} kernel in ONNX Runtime and run on the CPU between GPU nodes (measured with WebGPU: 0.28x the CPU provider's speed); use an fp32 model on a GPU (README, "GPU support")`;
}

export async function openSession<S>(modelFile: string, settings: SessionSettings, options: OpenSessionOptions<S>): Promise<OpenedSession<S>> {
  const setting = settings.provider ?? 'auto';
  const cpuBoundOps = options.cpuBoundOps ?? [];
  const fallbacks: ProviderFallback[] = [];
  const report = (fallback: ProviderFallback) => {
    fallbacks.push(fallback);
    options.onFallback?.(fallback);
  };
  for (const provider of providerCandidates(setting, options.platform)) {
    const slow = cpuBoundReason(provider, cpuBoundOps);
    // `auto` is a promise of the fastest provider that starts; a provider named is the user's call.
    if (slow !== undefined && setting === 'auto') {
      report({ provider, outcome: 'skipped', reason: slow });
      continue;
    }
    try {
      const session = await options.factory(modelFile, sessionOptionsFor(provider, settings));
      if (slow !== undefined) report({ provider, outcome: 'kept', reason: slow });
      return { session, provider, fallbacks };
    } catch (e) {
      if (provider === 'cpu') throw unusableModel(modelFile, e, fallbacks);
      report({ provider, outcome: 'failed', reason: firstLine(e) });
    }
  }
  throw new Error('unreachable: the provider list always ends with cpu');
}

/** A fallback as one phrase for a log line or a warning. */
export function describeFallback(f: ProviderFallback): string {
  switch (f.outcome) {
    case 'failed':
      return `${f.provider} did not start (${f.reason})`;
    case 'skipped':
      return `${f.provider} not tried: ${f.reason}`;
    case 'kept':
      return `${f.provider} runs as asked, but ${f.reason}`;
  }
}

function unusableModel(modelFile: string, e: unknown, fallbacks: readonly ProviderFallback[]): Error {
  const size = fs.statSync(modelFile, { throwIfNoEntry: false })?.size;
  const what = size === undefined ? 'the file does not exist' : `${size} bytes`;
  const failed = fallbacks.filter((f) => f.outcome === 'failed');
  const tried = failed.length ? ` (${failed.map((f) => f.provider).join(', ')} did not start either)` : '';
  return new Error(
    `ONNX Runtime cannot load the model ${modelFile} (${what}) on the CPU${tried}: ${firstLine(e)}. The file may be truncated or corrupt, or use operators this ONNX Runtime lacks: re-download or re-export the model.`,
    { cause: e },
  );
}

/** openSession with onnxruntime-node. */
export async function openOrtSession(
  modelFile: string,
  settings: SessionSettings,
  options: Pick<OpenSessionOptions<InferenceSession>, 'onFallback' | 'cpuBoundOps'> = {},
): Promise<OpenedSession<InferenceSession>> {
  const ort = await loadOrt();
  // ORT's native logger prints every failed provider start (a missing CUDA library, no WebGPU
  // adapter) to stderr in colour; those reasons reach the user as fallbacks or errors instead.
  ort.env.logLevel = 'fatal';
  return openSession(modelFile, settings, { ...options, factory: (file, opts) => ort.InferenceSession.create(file, opts) });
}
