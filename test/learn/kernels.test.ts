import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dot, dot2 } from '../../src/core/learn/kernels';

test('dot2 gives exactly what dot gives for each column, whatever n mod 4', () => {
  let seed = 7;
  const next = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  for (const n of [0, 1, 3, 4, 7, 129]) {
    const X = Float32Array.from({ length: 3 * n }, next);
    const v = Float64Array.from({ length: n + 2 }, next);
    const out = new Float64Array(2);
    dot2(X, 0, 2 * n, v, 2, n, out);
    assert.equal(out[0], dot(X, 0, v, 2, n));
    assert.equal(out[1], dot(X, 2 * n, v, 2, n));
  }
});
