// What extraction needs from the tapped graph, the tokenizer and the runtime, as small structural
// types: the runner is tested with fakes of each, and the real ones (src/core/onnx's TappedGraph,
// model/tokenizer's TextTokenizer, onnxruntime-node) plug in unchanged.
import type { EncodedTexts } from '../model/tokenizer';
import type { TappedGraph } from '../onnx';

/** What the runner uses of a tapped graph: the inputs to feed, the pooled outputs (each float32
 *  [batch, dim]), and whether padding is masked (if not, rows are batched only with rows of their
 *  own length). */
export type GraphIO = Pick<TappedGraph, 'inputs' | 'outputs' | 'masked'>;

export type FeedTensor =
  | { readonly type: 'int64'; readonly data: BigInt64Array; readonly dims: readonly number[] }
  | { readonly type: 'int32'; readonly data: Int32Array; readonly dims: readonly number[] }
  | { readonly type: 'bool'; readonly data: Uint8Array; readonly dims: readonly number[] }
  | { readonly type: 'float32'; readonly data: Float32Array; readonly dims: readonly number[] }
  | { readonly type: 'float16'; readonly data: Uint16Array; readonly dims: readonly number[] };

/** Runs one batch: feeds by input name in, the named float32 outputs (row-major [batch, dim]) out. */
export type BatchRunner = (feeds: Readonly<Record<string, FeedTensor>>, outputNames: readonly string[]) => Promise<Record<string, Float32Array>>;

/** What the runner needs of a tokenizer; model/tokenizer.ts's TextTokenizer is one. */
export interface TokenEncoder {
  encode(texts: readonly string[], maxLength: number): Promise<EncodedTexts> | EncodedTexts;
  /** Fills padding positions (masked out, so any id works; the real pad id keeps graphs that
   *  derive positions from ids, like RoBERTa, exact). Default 0. */
  readonly padTokenId?: number;
  /** Stands in for a text that encodes to no tokens at all (a decoder tokenizer without BOS given
   *  an empty text): BOS, else EOS, else PAD, else UNK. Undefined if the tokenizer has none. */
  readonly emptyTextTokenId?: number;
}
