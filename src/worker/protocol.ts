// The typed protocol between the extension host and the worker. Both sides import these names.
// Everything on the wire is JSON: Float32Array values travel as number[]. Long requests take a
// `job` id that their progress notifications repeat, and honour the request's cancellation token.
import { NotificationType, RequestType, RequestType0 } from 'vscode-jsonrpc';
import type { ClassifierManifest } from '../core/artifact/types';
import type { Explanation, TokenSpan } from '../core/explain/types';
import type { ClassificationMetrics } from '../core/learn/metrics';
import type { Kind, Pooling } from '../core/neurons';
import type { ExecutionProvider, ProviderFallback, ProviderSetting } from '../core/model/session';
import type { MetricChoice } from '../core/stc';
import type { BaselineName } from '../core/stc/report';
import type { Evaluation } from '../core/workflow/evaluate';
import type { TrainProgress } from '../core/workflow/train';

export interface PingResult {
  pid: number;
  node: string;
}

export const PING = new RequestType0<PingResult, void>('stc/ping');

/** Sent once, before any other request, with where the worker may write. */
export interface InitializeParams {
  /** Compiled early-exit graphs (openClassifier's graphCacheDir). */
  graphCacheDir: string;
  /** Hub models; undefined: the default cache (~/.cache/stc-lens/models). */
  modelCacheDir?: string;
  /** ONNX Runtime threads inside one operator, and parallel fits when training; 0: the defaults. */
  threads: number;
}
export const INITIALIZE = new RequestType<InitializeParams, void, void>('stc/initialize');

export interface TrainParams {
  job: string;
  train: string;
  dev?: string;
  test?: string;
  textColumn?: string;
  labelColumn?: string;
  /** 'default' | a model folder | a hub id. */
  model: string;
  /** Downloads a hub model that is not cached yet; only on the user's explicit choice. */
  allowRemote: boolean;
  device: ProviderSetting;
  maxLength?: number;
  kinds?: Kind[];
  poolings?: Pooling[];
  metric?: MetricChoice;
  /** The `.stc` folder to write. */
  out: string;
  name?: string;
  /** Feature store and graph cache of the run. */
  workDir: string;
  /** Cap on the feature stores in workDir, least recently used deleted first; 0 or undefined: no cap. */
  maxFeatureCacheBytes?: number;
}
export interface TrainReply {
  dir: string;
  manifest: ClassifierManifest;
  /** The baseline the classifier is compared with (last layer, mean pooled), on the test split. */
  baseline?: { name: BaselineName; block: string; test: ClassificationMetrics };
  warnings: string[];
  provider?: ExecutionProvider;
}
export const TRAIN = new RequestType<TrainParams, TrainReply, void>('stc/train');

export interface TrainProgressParams {
  job: string;
  progress: TrainProgress;
}
export const TRAIN_PROGRESS = new NotificationType<TrainProgressParams>('stc/trainProgress');

/** Where a classifier's base model comes from and which device runs it. */
export interface LoadParams {
  dir: string;
  device: ProviderSetting;
  /** A folder holding the base model, when it is not where training found it. */
  modelFolder?: string;
}
export interface LoadReply {
  dir: string;
  manifest: ClassifierManifest;
  provider: ExecutionProvider;
  fallbacks: ProviderFallback[];
}
/** Opens the classifier (kept open, by folder) or returns the one already open. */
export const LOAD_CLASSIFIER = new RequestType<LoadParams, LoadReply, void>('stc/loadClassifier');

export interface UnloadParams {
  /** Undefined: every open classifier. */
  dir?: string;
}
export const UNLOAD_CLASSIFIER = new RequestType<UnloadParams, void, void>('stc/unloadClassifier');

export interface WirePrediction {
  labelIndex: number;
  label: string;
  proba: number[];
  /** Pooled value of every classifier neuron, in manifest.classifier.neurons order. */
  values: number[];
  truncated: boolean;
}
export interface ClassifyParams extends LoadParams {
  texts: string[];
}
export const CLASSIFY = new RequestType<ClassifyParams, WirePrediction[], void>('stc/classify');

export interface ExplainParams extends LoadParams {
  text: string;
  /** Neurons placed on the tokens; default 5. */
  top?: number;
}
export const EXPLAIN = new RequestType<ExplainParams, Explanation, void>('stc/explain');

export interface NeuronTokensParams extends LoadParams {
  texts: string[];
  /** A classifier neuron, `L{layer}.{kind}.{pooling}#{index}`. */
  neuron: string;
}
/** One neuron's raw value on each token of one text, the tokens placed on the text. */
export interface WireNeuronTokens {
  tokens: TokenSpan[];
  values: number[];
}
export const NEURON_TOKENS = new RequestType<NeuronTokensParams, WireNeuronTokens[], void>('stc/neuronTokens');

export interface EvaluateParams extends LoadParams {
  job: string;
  data: string;
  textColumn?: string;
  labelColumn?: string;
}
export interface EvaluateReply {
  evaluation: Evaluation;
  /** formatEvaluation's readable report. */
  text: string;
}
export const EVALUATE = new RequestType<EvaluateParams, EvaluateReply, void>('stc/evaluate');

export interface EvaluateProgressParams {
  job: string;
  done: number;
  total: number;
}
export const EVALUATE_PROGRESS = new NotificationType<EvaluateProgressParams>('stc/evaluateProgress');

/** A line for the log: training details, provider fallbacks. */
export interface LogParams {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
}
export const LOG = new NotificationType<LogParams>('stc/log');

/** The error code of a request that stopped because its cancellation token fired (LSP's value). */
export const REQUEST_CANCELLED = -32800;
/** The error code of a request that failed; the message says why and what to do. */
export const REQUEST_FAILED = 1;
