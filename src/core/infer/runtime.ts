// A loaded classifier: the early-exit session, the model's tokenizer, and the batching and feeds
// of extraction, so a text is tokenised, padded and run exactly as during training.
import type { InferenceSession } from 'onnxruntime-node';
import type { SavedClassifier } from '../artifact/types';
import { DEFAULT_BATCH_LIMITS, planAllRows } from '../extract/batching';
import { buildFeeds } from '../extract/feeds';
import { tokenizeTexts, type TokenizedTexts } from '../extract/tokenize';
import type { BatchRunner } from '../extract/types';
import type { ExecutionProvider } from '../model/session';
import type { TextTokenizer } from '../model/tokenizer';
import type { EarlyExitGraph, TokenColumn } from '../onnx/early-exit';
import type { LogisticModel } from '../learn/model';
import { modelOf } from '../stc';
import { predictionsFromValues } from './predictions';
import type { ClassifierRuntime, ClassifyOptions, Prediction, TokenActivations } from './types';

export interface RuntimeParts {
  readonly saved: SavedClassifier;
  readonly provider: ExecutionProvider;
  readonly graph: EarlyExitGraph;
  readonly session: InferenceSession;
  readonly run: BatchRunner;
  readonly encoder: TextTokenizer;
}

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new DOMException('Classification was cancelled.', 'AbortError');
}

export class EarlyExitRuntime implements ClassifierRuntime {
  readonly saved: SavedClassifier;
  readonly provider: ExecutionProvider;
  private readonly model: LogisticModel;
  private closed = false;

  constructor(private readonly parts: RuntimeParts) {
    this.saved = parts.saved;
    this.provider = parts.provider;
    this.model = modelOf(parts.saved.manifest.classifier);
  }

  private get maxLength(): number {
    return this.saved.manifest.tokenizer.maxLength;
  }

  private checkOpen(): void {
    if (this.closed) throw new Error(`The classifier ${this.saved.manifest.name} was closed; open it again to use it.`);
  }

  /** Runs rows `rows` of `encoded` as one batch and returns the named outputs. */
  private async runBatch(encoded: TokenizedTexts, rows: ArrayLike<number>, paddedLength: number, outputs: readonly string[]): Promise<Float32Array[]> {
    const feeds = buildFeeds(this.parts.graph.inputs, { rows, paddedLength, padTokenId: this.parts.encoder.padTokenId ?? 0 }, encoded);
    const out = await this.parts.run(feeds, outputs);
    return outputs.map((name) => {
      const values = out[name];
      if (!values) throw new Error(`The early-exit graph ${this.parts.graph.modelPath} gave no ${name} output.`);
      return values;
    });
  }

  async classify(texts: readonly string[], options: ClassifyOptions = {}): Promise<Prediction[]> {
    this.checkOpen();
    const encoded = await tokenizeTexts(this.parts.encoder, texts, this.maxLength);
    const lengths = encoded.ids.map((ids) => ids.length);
    const { order, batches } = planAllRows(lengths, DEFAULT_BATCH_LIMITS, !this.parts.graph.masked);
    const n = this.saved.manifest.classifier.neurons.length;
    const out: Prediction[] = new Array<Prediction>(texts.length);
    let done = 0;
    for (const batch of batches) {
      checkAborted(options.signal);
      const rows = order.subarray(batch.from, batch.to);
      const [values] = (await this.runBatch(encoded, rows, batch.paddedLength, [this.parts.graph.pooled])) as [Float32Array];
      if (values.length !== rows.length * n) throw new Error(`The early-exit graph gave ${values.length} values for ${rows.length} texts of ${n} neurons.`);
      const predictions = predictionsFromValues(this.saved, this.model, values, Array.from(rows, (r) => encoded.truncated[r] === true));
      rows.forEach((row, i) => (out[row] = predictions[i] as Prediction));
      done += rows.length;
      options.onProgress?.(done, texts.length);
    }
    return out;
  }

  async tokenActivations(text: string, neurons: readonly string[]): Promise<TokenActivations> {
    this.checkOpen();
    const names = this.parts.graph.neurons;
    const unknown = neurons.filter((name) => !names.includes(name));
    if (unknown.length > 0) throw new Error(`${unknown.join(', ')}: not among the classifier's ${names.length} neurons (${names.slice(0, 5).join(', ')}${names.length > 5 ? ', ...' : ''}).`);
    const encoded = await tokenizeTexts(this.parts.encoder, [text], this.maxLength);
    const ids = Array.from(encoded.ids[0] ?? []);
    const columns = neurons.map((name) => this.parts.graph.tokens[names.indexOf(name)] as TokenColumn);
    const outputs = [...new Set(columns.map((c) => c.output))];
    const data = await this.runBatch(encoded, [0], ids.length, outputs);
    const values = new Map<string, Float32Array>();
    neurons.forEach((name, i) => {
      const { output, column } = columns[i] as TokenColumn;
      const tap = data[outputs.indexOf(output)] as Float32Array;
      const width = tap.length / ids.length;
      if (!Number.isInteger(width) || column >= width) throw new Error(`The early-exit graph gave ${tap.length} per-token values in ${output} for ${ids.length} tokens, which has no column ${column}.`);
      values.set(name, Float32Array.from(ids, (_, t) => tap[t * width + column] as number));
    });
    return { ids, ...this.parts.encoder.tokens(ids), values, truncated: encoded.truncated[0] === true };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.parts.session.release();
  }
}
