// Analytic FLOP count of an encoder forward pass, to turn extraction throughput into GFLOP/s.
//
// Per token: 2 x the non-embedding weights (one multiply-add per weight: Q, K, V, output projection
// and the two FFN matrices of each block), plus per block the attention scores (Q K^T) and context
// (softmax x V), 2 x T x H FLOPs each for a sequence of T tokens. Biases, norms, softmax, GELU and
// the pooling are left out: they are a few percent of the matrix products at these sizes.
import type { ModelConfig } from '../src/core/onnx';

export type FlopConfig = Pick<ModelConfig, 'numLayers' | 'hiddenSize' | 'intermediateSize'>;

/** Weights of the blocks' matrix products (BERT family: four H x H attention matrices, H x F and F x H FFN). */
export function nonEmbeddingWeights(c: FlopConfig): number {
  return c.numLayers * (4 * c.hiddenSize * c.hiddenSize + 2 * c.hiddenSize * c.intermediateSize);
}

/** FLOPs of one token in a sequence of `seqLength` tokens. */
export function flopsPerToken(c: FlopConfig, seqLength: number): number {
  return 2 * nonEmbeddingWeights(c) + c.numLayers * 2 * 2 * seqLength * c.hiddenSize;
}

export interface PaddedBatch {
  readonly rows: number;
  readonly paddedLength: number;
}

/** The work a runtime actually does on right-padded batches: every padded position is computed. */
export function paddedFlops(c: FlopConfig, batches: readonly PaddedBatch[]): number {
  return batches.reduce((sum, b) => sum + b.rows * b.paddedLength * flopsPerToken(c, b.paddedLength), 0);
}

/** The work the texts need: each row alone, no padding. */
export function realFlops(c: FlopConfig, lengths: readonly number[]): number {
  return lengths.reduce((sum, n) => sum + n * flopsPerToken(c, n), 0);
}

/** extract_torch.py's plan: rows sorted longest first, cut every `batchSize` rows, or before the
 *  row that would take rows x padded length over `tokenBudget`. */
export function torchBatches(lengths: readonly number[], plan: { batchSize: number } | { tokenBudget: number }): PaddedBatch[] {
  const sorted = [...lengths].sort((a, b) => b - a);
  const out: { rows: number; paddedLength: number }[] = [];
  for (const length of sorted) {
    const last = out[out.length - 1];
    const full = last && ('batchSize' in plan ? last.rows >= plan.batchSize : (last.rows + 1) * last.paddedLength > plan.tokenBudget);
    if (last && !full) last.rows++;
    else out.push({ rows: 1, paddedLength: length });
  }
  return out;
}
