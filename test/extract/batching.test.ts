import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planAllRows, planBatches, remainingRanges, sortByLength } from '../../src/core/extract/batching';

/** Deterministic pseudo-random numbers (mulberry32), so a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('sortByLength: longest first, ties in row order', () => {
  assert.deepEqual(Array.from(sortByLength([3, 5, 3, 1, 5])), [1, 4, 0, 2, 3]);
  assert.deepEqual(Array.from(sortByLength([])), []);
});

test('remainingRanges: the complement of finished ranges, which may overlap or come unordered', () => {
  assert.deepEqual(remainingRanges(10, []), [{ from: 0, to: 10 }]);
  assert.deepEqual(remainingRanges(10, [{ from: 6, to: 8 }, { from: 0, to: 2 }, { from: 1, to: 3 }]), [{ from: 3, to: 6 }, { from: 8, to: 10 }]);
  assert.deepEqual(remainingRanges(4, [{ from: 0, to: 4 }]), []);
});

test('planBatches: within budget, every row exactly once, padded to the batch maximum (property)', () => {
  const random = rng(42);
  for (let trial = 0; trial < 300; trial++) {
    const n = Math.floor(random() * 200);
    const lengths = Array.from({ length: n }, () => 1 + Math.floor(random() * 600));
    const order = sortByLength(lengths);
    const sorted = Array.from(order, (r) => lengths[r] ?? 0);
    const tokenBudget = 1 + Math.floor(random() * 4000);
    const maxBatchSize = 1 + Math.floor(random() * 64);
    const done = random() < 0.5 ? [] : [{ from: Math.floor(random() * n), to: Math.floor(random() * n) }].filter((r) => r.to > r.from);
    const todo = remainingRanges(n, done);
    const sameLength = random() < 0.3;
    const batches = planBatches(sorted, todo, { tokenBudget, maxBatchSize }, sameLength);

    const seen = new Array<number>(n).fill(0);
    for (const b of batches) {
      const rows = b.to - b.from;
      assert.ok(rows >= 1 && rows <= maxBatchSize);
      assert.equal(b.paddedLength, Math.max(...sorted.slice(b.from, b.to)), 'padded to the longest row');
      assert.ok(rows * b.paddedLength <= tokenBudget || rows === 1, `batch ${JSON.stringify(b)} over budget ${tokenBudget}`);
      if (sameLength) assert.equal(Math.min(...sorted.slice(b.from, b.to)), b.paddedLength, 'no padding without a mask');
      for (let p = b.from; p < b.to; p++) seen[p] = (seen[p] ?? 0) + 1;
    }
    const doneSet = new Set(done.flatMap((r) => Array.from({ length: r.to - r.from }, (_, i) => r.from + i)));
    seen.forEach((count, p) => assert.equal(count, doneSet.has(p) ? 0 : 1, `position ${p}`));
    // Un-sorting: every original row appears once among the positions planned or already done.
    const rows = new Set([...batches.flatMap((b) => Array.from(order.subarray(b.from, b.to))), ...[...doneSet].map((p) => order[p])]);
    assert.equal(rows.size, n);
  }
});

test('planBatches: a row longer than the budget gets a batch of its own; bad limits are refused', () => {
  assert.deepEqual(planBatches([900, 10, 10], [{ from: 0, to: 3 }], { tokenBudget: 100, maxBatchSize: 8 }), [
    { from: 0, to: 1, paddedLength: 900 },
    { from: 1, to: 3, paddedLength: 10 },
  ]);
  assert.throws(() => planBatches([1], [{ from: 0, to: 1 }], { tokenBudget: 0, maxBatchSize: 8 }), /at least 1/);
});

test('planAllRows: the length order and the batches of every row; no rows, no batches', () => {
  const { order, batches } = planAllRows([10, 900, 10], { tokenBudget: 100, maxBatchSize: 8 });
  assert.deepEqual(Array.from(order), [1, 0, 2]);
  assert.deepEqual(batches, [
    { from: 0, to: 1, paddedLength: 900 },
    { from: 1, to: 3, paddedLength: 10 },
  ]);
  assert.deepEqual(planAllRows([]).batches, []);
});
