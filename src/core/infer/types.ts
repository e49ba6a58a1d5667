// What a loaded classifier does at inference time. The runtime runs the early-exit graph: the base
// model cut after block k-1, outputting only the kept neurons (pooled), plus, on demand, their
// values on every token.

import type { ExecutionProvider } from '../model/session';
import type { SavedClassifier } from '../artifact/types';

export interface Prediction {
  readonly labelIndex: number;
  readonly label: string;
  /** One probability per label, summing to 1. */
  readonly proba: readonly number[];
  /** Raw pooled value of every classifier neuron, in manifest.classifier.neurons order. */
  readonly values: Float32Array;
  /** The text was longer than the tokenizer's maxLength and lost tokens at its end. */
  readonly truncated: boolean;
}

export interface TokenActivations {
  /** Token ids as the model saw them (special tokens included, truncated to maxLength). */
  readonly ids: readonly number[];
  /** The tokenizer's token strings for `ids` (e.g. `##ing`, `Ġthe`, `▁the`, `[CLS]`). */
  readonly tokens: readonly string[];
  /** True for tokens the tokenizer added (CLS, SEP, BOS, ...). */
  readonly special: readonly boolean[];
  /** Neuron name -> its raw value on each token (same length as ids). */
  readonly values: ReadonlyMap<string, Float32Array>;
  readonly truncated: boolean;
}

export interface ClassifyOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface ClassifierRuntime {
  readonly saved: SavedClassifier;
  readonly provider: ExecutionProvider;
  classify(texts: readonly string[], options?: ClassifyOptions): Promise<Prediction[]>;
  /** Per-token values of the named classifier neurons for one text. */
  tokenActivations(text: string, neurons: readonly string[]): Promise<TokenActivations>;
  close(): Promise<void>;
}
