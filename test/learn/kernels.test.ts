import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { assembleKernels, kernelsModuleSource, MODULE_FILE } from '../../scripts/kernels/assemble';
import { KernelMemory } from '../../src/core/learn/kernel-memory';
import { designMatrix, type Design } from '../../src/core/learn/matrix';
import { fitPath } from '../../src/core/learn/path';
import { syntheticProblem } from './synthetic';

// The plain loops the SIMD kernels replaced, kept as their reference: the kernels must give the
// same bits (same summation order, no fused multiply-add), so a solver's path does not move.
const reference = {
  dot(X: Float32Array, xo: number, v: Float64Array, vo: number, n: number): number {
    const s = [0, 0, 0, 0];
    const n4 = n - (n & 3);
    let i = 0;
    for (; i < n4; i += 4) for (let l = 0; l < 4; l++) s[l] = (s[l] as number) + (X[xo + i + l] as number) * (v[vo + i + l] as number);
    for (; i < n; i++) s[0] = (s[0] as number) + (X[xo + i] as number) * (v[vo + i] as number);
    return (s[0] as number) + (s[1] as number) + ((s[2] as number) + (s[3] as number));
  },
  weightedSquares(X: Float32Array, xo: number, h: Float64Array, ho: number, n: number): number {
    const s = [0, 0];
    for (let i = 0; i < n; i++) {
      const a = X[xo + i] as number;
      s[i & 1] = (s[i & 1] as number) + (h[ho + i] as number) * a * a;
    }
    return (s[0] as number) + (s[1] as number);
  },
  multinomialGradient(X: Float32Array, xo: number, R: Float64Array, P: Float64Array, dz: Float64Array, ko: number, s: Float64Array, n: number): number {
    const acc = [0, 0];
    for (let i = 0; i < n; i++) {
      const a = ko + i;
      acc[i & 1] = (acc[i & 1] as number) + (X[xo + i] as number) * ((R[a] as number) + (P[a] as number) * ((dz[a] as number) - (s[i] as number)));
    }
    return (acc[0] as number) + (acc[1] as number);
  },
  axpy(c: number, X: Float32Array, xo: number, v: Float64Array, vo: number, n: number): void {
    for (let i = 0; i < n; i++) v[vo + i] = (v[vo + i] as number) + c * (X[xo + i] as number);
  },
  axpyWeighted(c: number, X: Float32Array, xo: number, h: Float64Array, u: Float64Array, n: number): void {
    for (let i = 0; i < n; i++) u[i] = (u[i] as number) + c * (h[i] as number) * (X[xo + i] as number);
  },
  multinomialUpdate(c: number, X: Float32Array, xo: number, P: Float64Array, dz: Float64Array, ko: number, s: Float64Array, n: number): void {
    for (let i = 0; i < n; i++) {
      const step = c * (X[xo + i] as number);
      dz[ko + i] = (dz[ko + i] as number) + step;
      s[i] = (s[i] as number) + step * (P[ko + i] as number);
    }
  },
};

function random(seed: number): () => number {
  return () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
}

/** A memory with a 3-column design of n rows and vectors a, b, c, d of 2n + 3 values each. */
function setup(n: number, seed: number) {
  const next = random(seed);
  const design: Design = { rows: n, cols: 3, data: Float32Array.from({ length: 3 * n }, next), layout: 'column-major' };
  const m = new KernelMemory(design, { a: 2 * n + 3, b: 2 * n + 3, c: 2 * n + 3, d: 2 * n + 3 });
  for (const v of Object.values(m.vectors)) for (let i = 0; i < v.length; i++) v[i] = next();
  return { m, ...m.vectors, X: m.X };
}

const SIZES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 129, 1351];

test('the committed kernel module is the assembled kernels.wat (run `npm run build:kernels` after editing it)', async () => {
  assert.equal(fs.readFileSync(MODULE_FILE, 'utf8'), kernelsModuleSource(await assembleKernels()));
});

test('the memory holds a copy of the design, and vectors of the asked lengths', () => {
  const { m, a } = setup(5, 1);
  assert.equal(m.X.length, 15);
  assert.equal(a.length, 13);
  assert.equal(a.byteOffset % 16, 0);
});

test('reductions give exactly the plain loops\' bits, whatever n mod 4 and the offsets', () => {
  for (const n of SIZES) {
    const { m, X, a, b, c, d } = setup(n, n + 1);
    for (const [xo, vo] of [[0, 0], [n, 1], [2 * n, 3]] as const) {
      assert.equal(m.dot(X, xo, a, vo, n), reference.dot(X, xo, a, vo, n), `dot n ${n}`);
      assert.equal(m.weightedSquares(X, xo, a, vo, n), reference.weightedSquares(X, xo, a, vo, n), `weightedSquares n ${n}`);
      assert.equal(m.multinomialGradient(X, xo, a, b, c, vo, d, n), reference.multinomialGradient(X, xo, a, b, c, vo, d, n), `multinomialGradient n ${n}`);
      const out = m.dot2(X, xo, (xo + n) % (3 * n || 1), a, vo, n);
      assert.equal(out[0], reference.dot(X, xo, a, vo, n), `dot2 first n ${n}`);
      assert.equal(out[1], reference.dot(X, (xo + n) % (3 * n || 1), a, vo, n), `dot2 second n ${n}`);
    }
  }
});

test('updates give exactly the plain loops\' bits, whatever n mod 2 and the offsets', () => {
  for (const n of SIZES) {
    const { m, X, a, b, c, d } = setup(n, 100 + n);
    for (const [xo, vo] of [[0, 0], [n, 1], [2 * n, 3]] as const) {
      const [a0, c0, d0] = [Float64Array.from(a), Float64Array.from(c), Float64Array.from(d)];
      m.axpy(0.37, X, xo, a, vo, n);
      reference.axpy(0.37, X, xo, a0, vo, n);
      assert.deepEqual(a, a0, `axpy n ${n}`);
      m.axpyWeighted(-1.3, X, xo, b, d, n);
      reference.axpyWeighted(-1.3, X, xo, b, d0, n);
      assert.deepEqual(d, d0, `axpyWeighted n ${n}`);
      m.multinomialUpdate(0.61, X, xo, b, c, vo, a, n);
      reference.multinomialUpdate(0.61, X, xo, b, c0, vo, a0, n);
      assert.deepEqual(c, c0, `multinomialUpdate dz n ${n}`);
      assert.deepEqual(a, a0, `multinomialUpdate s n ${n}`);
    }
  }
});

test('a kernel refuses an array that is not in its memory', () => {
  const { m, X } = setup(4, 3);
  assert.throws(() => m.dot(X, 0, new Float64Array(4), 0, 4), /outside its solver memory, or after the memory was released/);
});

test('a design too large for 4 GiB of solver memory is refused with its size', () => {
  const huge = { rows: 1_000_000, cols: 1200, data: { length: 1.2e9 } as unknown as Float32Array, layout: 'column-major' } as const;
  assert.throws(() => new KernelMemory(huge, {}), /1000000 rows x 1200 columns needs 4\.5 GiB of solver memory, more than the 4 GiB/);
});

test('a released memory goes to the next solver on the thread, zeroed, grown when it needs more', () => {
  const first = setup(6, 5);
  first.a.fill(7);
  first.m.release();
  const design: Design = { rows: 4, cols: 2, data: new Float32Array(8).fill(1), layout: 'column-major' };
  const second = new KernelMemory(design, { a: 11, b: 11 });
  assert.equal(second.X.buffer, first.X.buffer, 'reused');
  assert.deepEqual([...second.X], [...design.data]);
  assert.ok(second.vectors.a.every((v) => v === 0) && second.vectors.b.every((v) => v === 0), 'zeroed vectors');
  second.release();
  const big = new KernelMemory({ rows: 20000, cols: 4, data: new Float32Array(80000), layout: 'column-major' }, { v: 20000 });
  assert.equal(second.X.length, 0, 'the smaller memory grew: the old views are detached');
  assert.equal(big.X.length, 80000);
  assert.throws(() => second.dot(second.X, 0, second.vectors.a, 0, 1), /after the memory was released/);
});

test('paths fitted one after another on reused memory are the paths fitted alone', () => {
  const problem = (seed: number, classes: number) => {
    const { X, y } = syntheticProblem(120, 30, classes, seed);
    return { X: designMatrix(X), y };
  };
  const a = problem(1, 2);
  const b = problem(2, 4);
  const first = fitPath(a.X, a.y, { pathLength: 6 });
  fitPath(b.X, b.y, { pathLength: 6 });
  fitPath(b.X, b.y, { pathLength: 6, penalty: 'l2' });
  assert.deepEqual(fitPath(a.X, a.y, { pathLength: 6 }).points.map((p) => p.model), first.points.map((p) => p.model));
});
