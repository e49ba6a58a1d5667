// Batches by a token budget over rows sorted by length. Sorting puts texts of similar length
// together, so right padding wastes little; the budget (rows x padded length) keeps the memory of
// a batch roughly constant whatever the text lengths.

/** Half-open range [from, to) of positions in the sorted order. */
export interface Range {
  readonly from: number;
  readonly to: number;
}

export interface Batch extends Range {
  /** The longest row of the batch: every row is right-padded to it. */
  readonly paddedLength: number;
}

export interface BatchLimits {
  /** Most tokens (rows x padded length) per batch; a row longer than this still gets a batch of its own. */
  readonly tokenBudget: number;
  /** Most rows per batch, whatever their length. */
  readonly maxBatchSize: number;
}

// 2048 tokens: measured on all-MiniLM-L6-v2 over SST-2 train (bench/extract-run.ts, 2 threads), 5-6%
// faster than 4096 for the int8 and fp32 graphs and 12% for the W8A8 one (a batch's tensors stay
// closer to the caches), with 15% less peak memory; 1024 was slower again (more, smaller runs).
export const DEFAULT_BATCH_LIMITS: BatchLimits = { tokenBudget: 2048, maxBatchSize: 256 };

/** Row indices ordered longest first (ties by index, so the order is reproducible). Longest first
 *  means the largest batch runs first: a memory problem shows at once, not at the end. */
export function sortByLength(lengths: ArrayLike<number>): Int32Array {
  const order = Int32Array.from({ length: lengths.length }, (_, i) => i);
  return order.sort((a, b) => (lengths[b] ?? 0) - (lengths[a] ?? 0) || a - b);
}

/** Positions of `0..total` not covered by `done` (which may overlap and come in any order). */
export function remainingRanges(total: number, done: readonly Range[]): Range[] {
  const sorted = [...done].sort((a, b) => a.from - b.from);
  const out: Range[] = [];
  let at = 0;
  for (const r of sorted) {
    if (r.from > at) out.push({ from: at, to: Math.min(r.from, total) });
    at = Math.max(at, r.to);
  }
  if (at < total) out.push({ from: at, to: total });
  return out.filter((r) => r.to > r.from);
}

/**
 * Cuts the `todo` ranges into batches. `sortedLengths[p]` is the token count of the row at sorted
 * position p (non-increasing), so a batch's padded length is the length of its first row.
 * `sameLength`: batches hold rows of one length only, for graphs without an attention mask, where
 * padding would change the features.
 */
export function planBatches(sortedLengths: ArrayLike<number>, todo: readonly Range[], limits: BatchLimits = DEFAULT_BATCH_LIMITS, sameLength = false): Batch[] {
  if (!(limits.tokenBudget >= 1) || !(limits.maxBatchSize >= 1)) {
    throw new Error(`Batch limits must be at least 1 (token budget ${limits.tokenBudget}, batch size ${limits.maxBatchSize}).`);
  }
  const batches: Batch[] = [];
  for (const range of todo) {
    let from = range.from;
    while (from < range.to) {
      const paddedLength = Math.max(1, sortedLengths[from] ?? 1);
      let rows = Math.max(1, Math.min(limits.maxBatchSize, Math.floor(limits.tokenBudget / paddedLength), range.to - from));
      if (sameLength) {
        let n = 1;
        while (n < rows && sortedLengths[from + n] === sortedLengths[from]) n++;
        rows = n;
      }
      batches.push({ from, to: from + rows, paddedLength });
      from += rows;
    }
  }
  return batches;
}

/** Every row batched at once (nothing resumed): the length order and the batches over it. */
export function planAllRows(lengths: ArrayLike<number>, limits: BatchLimits = DEFAULT_BATCH_LIMITS, sameLength = false): { order: Int32Array; batches: Batch[] } {
  const order = sortByLength(lengths);
  const todo = lengths.length > 0 ? [{ from: 0, to: lengths.length }] : [];
  return { order, batches: planBatches(Array.from(order, (row) => lengths[row] ?? 0), todo, limits, sameLength) };
}
