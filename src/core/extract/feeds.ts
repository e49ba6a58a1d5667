// The input tensors of one batch, right-padded, for exactly the inputs the tapped graph declares.
import type { GraphInput } from '../onnx';
import type { FeedTensor } from './types';

/** Token ids (and segment ids, when the tokenizer has them) of every dataset row. */
export interface TokenizedRows {
  readonly ids: readonly Int32Array[];
  readonly typeIds: readonly Int32Array[] | undefined;
}

export interface BatchShape {
  /** Original row indices, in batch order. */
  readonly rows: ArrayLike<number>;
  readonly paddedLength: number;
  readonly padTokenId: number;
}

function intTensor(input: GraphInput, values: Int32Array | number[], dims: number[]): FeedTensor {
  if (input.dtype === 'int64') return { type: 'int64', data: BigInt64Array.from(values, (v) => BigInt(v)), dims };
  if (input.dtype === 'int32') return { type: 'int32', data: Int32Array.from(values), dims };
  throw new Error(`Graph input "${input.name}" (${input.role}) has type ${input.dtype}; expected int64 or int32.`);
}

/** A [batch, T] matrix: `valueAt(row, t)` for real tokens, `padValue` after them. */
function paddedMatrix(batch: BatchShape, tokens: TokenizedRows, valueAt: (row: number, t: number) => number, padValue: number): Int32Array {
  const T = batch.paddedLength;
  const out = new Int32Array(batch.rows.length * T).fill(padValue);
  for (let b = 0; b < batch.rows.length; b++) {
    const row = batch.rows[b] ?? 0;
    const len = tokens.ids[row]?.length ?? 0;
    for (let t = 0; t < len; t++) out[b * T + t] = valueAt(row, t);
  }
  return out;
}

function emptyPast(input: GraphInput, batchSize: number): FeedTensor {
  // Run "without past": batch first, every symbolic (sequence) dimension 0, fixed ones as declared.
  const dims = input.shape.map((d, i) => (i === 0 ? batchSize : typeof d === 'number' && d >= 0 ? d : 0));
  if (input.dtype === 'float32') return { type: 'float32', data: new Float32Array(0), dims };
  if (input.dtype === 'float16') return { type: 'float16', data: new Uint16Array(0), dims };
  throw new Error(`Graph input "${input.name}" (past key/values) has type ${input.dtype}; expected float32 or float16.`);
}

export function buildFeeds(inputs: readonly GraphInput[], batch: BatchShape, tokens: TokenizedRows): Record<string, FeedTensor> {
  const B = batch.rows.length;
  const T = batch.paddedLength;
  const dims = [B, T];
  const feeds: Record<string, FeedTensor> = {};
  for (const input of inputs) {
    switch (input.role) {
      case 'input_ids':
        feeds[input.name] = intTensor(input, paddedMatrix(batch, tokens, (r, t) => tokens.ids[r]?.[t] ?? 0, batch.padTokenId), dims);
        break;
      case 'attention_mask':
        feeds[input.name] = intTensor(input, paddedMatrix(batch, tokens, () => 1, 0), dims);
        break;
      case 'token_type_ids':
        feeds[input.name] = intTensor(input, paddedMatrix(batch, tokens, (r, t) => tokens.typeIds?.[r]?.[t] ?? 0, 0), dims);
        break;
      case 'position_ids':
        // With right padding every row starts at position 0; padded positions are masked out.
        feeds[input.name] = intTensor(input, Array.from({ length: B * T }, (_, i) => i % T), dims);
        break;
      case 'past_key_values':
        feeds[input.name] = emptyPast(input, B);
        break;
      case 'use_cache_branch':
        feeds[input.name] = { type: 'bool', data: new Uint8Array([0]), dims: [1] };
        break;
    }
  }
  return feeds;
}
