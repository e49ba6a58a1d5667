// Loading a saved classifier for inference: build (or reuse from the cache) its early-exit graph,
// open a session on it, and wrap both with the model's tokenizer. README.md describes the graph.
import type { SavedClassifier } from '../artifact/types';
import { ortBatchRunner } from '../extract/ort-runner';
import type { ResolvedModel } from '../model/resolve';
import { openOrtSession, type ProviderFallback, type SessionSettings } from '../model/session';
import { loadTokenizer } from '../model/tokenizer';
import { readModelConfig } from '../onnx';
import { earlyExitGraph } from '../onnx/early-exit';
import { EarlyExitRuntime } from './runtime';
import type { ClassifierRuntime } from './types';

export * from './types';

export interface OpenClassifierOptions {
  /** The classifier's base model (artifact's resolveClassifierModel finds and checks it). */
  readonly model: ResolvedModel;
  /** Early-exit graphs are cached here. */
  readonly graphCacheDir: string;
  readonly session?: SessionSettings;
  readonly onFallback?: (f: ProviderFallback) => void;
}

export async function openClassifier(saved: SavedClassifier, options: OpenClassifierOptions): Promise<ClassifierRuntime> {
  const { manifest } = saved;
  const { model } = options;
  if (model.sha256 !== manifest.model.sha256) {
    throw new Error(`${saved.dir}: the classifier was trained on ${manifest.model.id} (sha256 ${manifest.model.sha256.slice(0, 12)}), but the model given is ${model.id} (sha256 ${model.sha256.slice(0, 12)}). Open it with the model it was trained on.`);
  }
  if (manifest.classifier.neurons.length === 0) {
    throw new Error(`${saved.dir}: the classifier keeps no neurons (every weight is zero), so it predicts the same for every text; retrain it.`);
  }
  const graph = await earlyExitGraph({
    modelFile: model.onnxFile,
    config: readModelConfig(model.folder),
    modelSha256: model.sha256,
    neurons: manifest.classifier.neurons,
    cacheDir: options.graphCacheDir,
  });
  const encoder = await loadTokenizer(model.folder);
  const opened = await openOrtSession(graph.modelPath, options.session ?? {}, { onFallback: options.onFallback, cpuBoundOps: graph.cpuBoundOps });
  return new EarlyExitRuntime({
    saved,
    provider: opened.provider,
    graph,
    session: opened.session,
    run: await ortBatchRunner(opened.session),
    encoder,
  });
}
