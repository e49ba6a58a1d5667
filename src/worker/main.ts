// The worker process: runs models and training outside the extension host, speaking JSON-RPC over
// stdio (src/worker/protocol.ts). The extension starts it with VS Code's own Node
// (ELECTRON_RUN_AS_NODE=1); plain Node works the same. stdout carries the protocol only: anything
// else a library prints goes to stderr, which the extension copies into its log.
import { createMessageConnection, ResponseError, StreamMessageReader, StreamMessageWriter, type CancellationToken } from 'vscode-jsonrpc/node';
import { isAbortError, StcAbortError, type BaselineEntry } from '../core/stc';
import { evaluateClassifier, formatEvaluation } from '../core/workflow/evaluate';
import { alignTokens, explainText, tokenizerStyle } from '../core/explain';
import { trainClassifier } from '../core/workflow/train';
import {
  CLASSIFY,
  EVALUATE,
  EVALUATE_PROGRESS,
  EXPLAIN,
  INITIALIZE,
  LOAD_CLASSIFIER,
  LOG,
  NEURON_TOKENS,
  PING,
  REQUEST_CANCELLED,
  REQUEST_FAILED,
  TRAIN,
  TRAIN_PROGRESS,
  UNLOAD_CLASSIFIER,
  type InitializeParams,
  type LogParams,
  type PingResult,
  type TrainReply,
  type WireNeuronTokens,
  type WirePrediction,
} from './protocol';
import { Runtimes } from './runtimes';

console.log = console.info = console.warn = console.debug = console.error;

const connection = createMessageConnection(new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout));
let settings: InitializeParams | undefined;
const runtimes = new Runtimes(
  () => {
    if (!settings) throw new Error('the worker was not initialized (stc/initialize)');
    return settings;
  },
  (message) => log('info', message),
);

function log(level: LogParams['level'], message: string): void {
  void connection.sendNotification(LOG, { level, message });
}

/** An AbortSignal that fires with the request's cancellation token. */
function signalOf(token: CancellationToken): AbortSignal {
  const controller = new AbortController();
  if (token.isCancellationRequested) controller.abort();
  else token.onCancellationRequested(() => controller.abort());
  return controller.signal;
}

/** Runs a handler, turning a cancellation into the protocol's cancelled error. */
async function handle<R>(token: CancellationToken, work: (signal: AbortSignal) => Promise<R>): Promise<R> {
  const signal = signalOf(token);
  try {
    return await work(signal);
  } catch (error) {
    if (signal.aborted || isAbortError(error)) throw new ResponseError(REQUEST_CANCELLED, 'cancelled');
    // The message travels to the user; the stack stays in the log.
    if (error instanceof Error && error.stack) log('debug', error.stack);
    throw error instanceof Error ? new ResponseError(REQUEST_FAILED, error.message) : error;
  }
}

connection.onRequest(PING, (): PingResult => ({ pid: process.pid, node: process.versions.node }));

connection.onRequest(INITIALIZE, (params) => {
  settings = params;
});

connection.onRequest(TRAIN, (params, token) =>
  handle(token, async (signal) => {
    const { job, ...options } = params;
    const result = await trainClassifier({
      ...options,
      // 0 means "the default" in the settings; trainClassifier wants a count or nothing.
      threads: settings?.threads || undefined,
      // Loading resolves hub models in this cache too (runtimes.ts): both must look in one place.
      modelCacheDir: settings?.modelCacheDir,
      signal,
      onProgress: (progress) => void connection.sendNotification(TRAIN_PROGRESS, { job, progress }),
      onLog: (line) => log('info', line),
    });
    // A retrained classifier replaces the folder: drop the runtime opened on the old one.
    await runtimes.close(result.saved.dir);
    return {
      dir: result.saved.dir,
      manifest: result.saved.manifest,
      baseline: testedBaseline(result.saved.report.baselines),
      warnings: result.warnings,
      provider: result.provider,
    };
  }),
);

/** The usual point of comparison: the last layer's mean-pooled hidden states, else any scored one. */
function testedBaseline(baselines: readonly BaselineEntry[]): TrainReply['baseline'] {
  const tested = baselines.filter((b) => b.test !== undefined);
  const chosen = tested.find((b) => b.name === 'last-hid-mean') ?? tested[0];
  return chosen?.test ? { name: chosen.name, block: chosen.block, test: chosen.test } : undefined;
}

connection.onRequest(LOAD_CLASSIFIER, (params, token) =>
  handle(token, async () => {
    const { runtime, fallbacks } = await runtimes.get(params);
    return { dir: params.dir, manifest: runtime.saved.manifest, provider: runtime.provider, fallbacks: [...fallbacks] };
  }),
);

connection.onRequest(UNLOAD_CLASSIFIER, (params) => runtimes.close(params.dir));

connection.onRequest(CLASSIFY, (params, token) =>
  handle(token, async (signal) => {
    const { runtime } = await runtimes.get(params);
    const predictions = await runtime.classify(params.texts, { signal });
    return predictions.map(
      (p): WirePrediction => ({ labelIndex: p.labelIndex, label: p.label, proba: [...p.proba], values: Array.from(p.values), truncated: p.truncated }),
    );
  }),
);

connection.onRequest(EXPLAIN, (params, token) =>
  handle(token, async () => {
    const { runtime } = await runtimes.get(params);
    return explainText(runtime, params.text, { top: params.top });
  }),
);

connection.onRequest(NEURON_TOKENS, (params, token) =>
  handle(token, async (signal) => {
    const { runtime, modelFolder } = await runtimes.get(params);
    const style = tokenizerStyle(modelFolder);
    const placed: WireNeuronTokens[] = [];
    for (const text of params.texts) {
      if (signal.aborted) throw new StcAbortError();
      const activations = await runtime.tokenActivations(text, [params.neuron]);
      const values = activations.values.get(params.neuron);
      if (!values) throw new Error(`${params.neuron} is not a neuron of the classifier ${runtime.saved.manifest.name}`);
      placed.push({ tokens: alignTokens(text, activations.tokens, activations.special, style), values: Array.from(values) });
    }
    return placed;
  }),
);

connection.onRequest(EVALUATE, (params, token) =>
  handle(token, async (signal) => {
    const { runtime } = await runtimes.get(params);
    const evaluation = await evaluateClassifier(runtime, {
      data: params.data,
      textColumn: params.textColumn,
      labelColumn: params.labelColumn,
      signal,
      onProgress: (done, total) => void connection.sendNotification(EVALUATE_PROGRESS, { job: params.job, done, total }),
    });
    return { evaluation, text: formatEvaluation(evaluation) };
  }),
);

connection.onClose(() => {
  void runtimes.close().finally(() => process.exit(0));
});
connection.listen();
