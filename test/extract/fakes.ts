// Fakes of the tokenizer and the tapped graph for extraction tests: features are simple functions
// of each row's real tokens, so any mix-up of rows, padding or order shows in the stored numbers.
import type { BatchRunner, FeedTensor, GraphIO, TokenEncoder } from '../../src/core/extract/types';

/** [CLS]=1, one id per code point, [SEP]=2; truncation keeps [CLS] and [SEP]. */
export const encoderLike: TokenEncoder = {
  padTokenId: 0,
  encode(texts, maxLength) {
    return {
      ids: texts.map((t) => {
        const body = [...t].map((c) => ((c.codePointAt(0) ?? 0) % 997) + 3);
        return [1, ...body.slice(0, Math.max(0, maxLength - 2)), 2];
      }),
    };
  },
};

/** A decoder-style tokenizer without BOS: an empty text gives no tokens. */
export function decoderLike(emptyTextTokenId: number | undefined): TokenEncoder {
  return {
    emptyTextTokenId,
    encode: (texts, maxLength) => ({ ids: texts.map((t) => [...t].map((c) => ((c.codePointAt(0) ?? 0) % 997) + 3).slice(0, maxLength)) }),
  };
}

export const fakeGraph: GraphIO = {
  masked: true,
  inputs: [
    { name: 'input_ids', role: 'input_ids', dtype: 'int64', shape: ['batch', 'sequence'] },
    { name: 'attention_mask', role: 'attention_mask', dtype: 'int64', shape: ['batch', 'sequence'] },
  ],
  outputs: [
    { name: 'f_mean', block: { kind: 'hid', layer: 0, pooling: 'mean' }, dim: 2 },
    { name: 'f_max', block: { kind: 'act', layer: 1, pooling: 'max' }, dim: 3 },
  ],
};

/** What the fake graph computes for one row's token ids. */
export function expectedFeatures(ids: readonly number[]): { f_mean: number[]; f_max: number[] } {
  const sum = ids.reduce((a, b) => a + b, 0);
  return { f_mean: [sum / ids.length, ids.length], f_max: [Math.max(...ids), ids[0] ?? -1, ids.length] };
}

function ints(t: FeedTensor | undefined): number[] {
  if (!t || (t.type !== 'int64' && t.type !== 'int32')) throw new Error('expected an integer tensor');
  return Array.from(t.data as ArrayLike<number | bigint>, Number);
}

export interface FakeRun {
  readonly run: BatchRunner;
  readonly batches: { rows: number; paddedLength: number }[];
}

/** The fake graph's runner; `beforeBatch` may throw or hang to simulate a failure. */
export function fakeRunner(beforeBatch?: (index: number) => Promise<void> | void): FakeRun {
  const batches: { rows: number; paddedLength: number }[] = [];
  const run: BatchRunner = async (feeds) => {
    await beforeBatch?.(batches.length);
    const [B = 0, T = 0] = feeds.input_ids?.dims ?? [];
    const ids = ints(feeds.input_ids);
    const mask = ints(feeds.attention_mask);
    batches.push({ rows: B, paddedLength: T });
    const fMean = new Float32Array(B * 2);
    const fMax = new Float32Array(B * 3);
    for (let b = 0; b < B; b++) {
      const real = ids.slice(b * T, (b + 1) * T).filter((_, t) => mask[b * T + t] === 1);
      const e = expectedFeatures(real);
      fMean.set(e.f_mean, b * 2);
      fMax.set(e.f_max, b * 3);
    }
    return { f_mean: fMean, f_max: fMax };
  };
  return { run, batches };
}
