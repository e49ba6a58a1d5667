import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { concatColumns, concatRows, designMatrix, selectColumns, type DenseMatrix } from '../../src/core/learn/matrix';
import { checkStandardisation, fitStandardisation, type Standardisation } from '../../src/core/learn/standardise';
import { loadParity, matrixFromBase64 } from './fixture';

const M = (rows: number, cols: number, values: number[]): DenseMatrix => ({ rows, cols, data: Float32Array.from(values) });

describe('standardisation', () => {
  it("matches scikit-learn's StandardScaler (population std)", () => {
    const ref = loadParity().standardiser;
    const s = fitStandardisation(matrixFromBase64(ref.X, ref.rows, ref.cols));
    ref.mean.forEach((m, j) => assert.ok(Math.abs((s.mean[j] as number) - m) <= 1e-12 * Math.max(1, Math.abs(m)), `mean ${j}`));
    ref.scale.forEach((sc, j) => assert.ok(Math.abs((s.scale[j] as number) - sc) <= 1e-10 * sc, `scale ${j}`));
    assert.deepEqual(s.constant, []);
  });

  it('flags constant columns and gives them scale 1, so they standardise to zero', () => {
    const X = M(4, 3, [1, 5, 0.1, 2, 5, 0.1, 3, 5, 0.1, 4, 5, 0.1]);
    const s = fitStandardisation(X);
    assert.deepEqual(s.constant, [1, 2]);
    assert.equal(s.scale[1], 1);
    assert.equal(s.scale[2], 1);
    assert.ok(Math.abs((s.scale[0] as number) - Math.sqrt(1.25)) < 1e-15);
    const d = designMatrix(X, s);
    assert.deepEqual(Array.from(d.data.subarray(4, 12)), [0, 0, 0, 0, 0, 0, 0, 0]);
    // Column 0 standardised: (x - 2.5) / sqrt(1.25), mean 0 and unit variance.
    const col = Array.from(d.data.subarray(0, 4));
    assert.ok(Math.abs(col.reduce((a, b) => a + b, 0)) < 1e-6);
    assert.ok(Math.abs(col.reduce((a, b) => a + b * b, 0) / 4 - 1) < 1e-6);
  });

  it('is plain data: a JSON round trip standardises identically', () => {
    const X = M(3, 2, [1, 10, 2, 20, 4, 70]);
    const s = fitStandardisation(X);
    const back = JSON.parse(JSON.stringify(s)) as Standardisation;
    checkStandardisation(back, 2);
    assert.deepEqual(designMatrix(X, back), designMatrix(X, s));
  });

  it('rejects a stored standardisation that does not fit', () => {
    assert.throws(() => checkStandardisation({ mean: [0, 0], scale: [1], constant: [] }, 2), /2 means and 1 scales for 2 features/);
    assert.throws(() => checkStandardisation({ mean: [0], scale: [0], constant: [] }, 1), /feature 0 is invalid/);
    assert.throws(() => designMatrix(M(1, 2, [1, 2]), { mean: [0], scale: [1] }), /standardisation has 1 columns but the matrix has 2/);
  });
});

describe('design matrices', () => {
  it('are column-major copies of the row-major input', () => {
    const d = designMatrix(M(2, 3, [1, 2, 3, 4, 5, 6]));
    assert.deepEqual(Array.from(d.data), [1, 4, 2, 5, 3, 6]);
    assert.equal(d.rows, 2);
    assert.equal(d.cols, 3);
  });

  it('transpose correctly across tile borders', () => {
    const rows = 131;
    const cols = 70;
    const X = M(rows, cols, Array.from({ length: rows * cols }, (_, q) => q));
    const d = designMatrix(X);
    for (const [i, j] of [
      [0, 0],
      [64, 63],
      [130, 69],
      [65, 64],
    ] as const) {
      assert.equal(d.data[j * rows + i], i * cols + j);
    }
  });

  it('select and concatenate columns', () => {
    const d = designMatrix(M(2, 3, [1, 2, 3, 4, 5, 6]));
    const s = selectColumns(d, [2, 0]);
    assert.deepEqual(Array.from(s.data), [3, 6, 1, 4]);
    const c = concatColumns([s, selectColumns(d, [1])]);
    assert.equal(c.cols, 3);
    assert.deepEqual(Array.from(c.data), [3, 6, 1, 4, 2, 5]);
    assert.throws(() => selectColumns(d, [3]), /column 3 is out of range 0..2/);
    assert.throws(() => concatColumns([d, designMatrix(M(1, 1, [1]))]), /part 1 has 1 rows, part 0 has 2/);
  });

  it('concatenate rows (train then validation examples), column by column', () => {
    const a = designMatrix(M(2, 2, [1, 2, 3, 4]));
    const b = designMatrix(M(1, 2, [5, 6]));
    const c = concatRows([a, b]);
    assert.deepEqual([c.rows, c.cols], [3, 2]);
    assert.deepEqual(Array.from(c.data), [1, 3, 5, 2, 4, 6]);
    assert.throws(() => concatRows([a, designMatrix(M(1, 1, [1]))]), /part 1 has 1 columns, part 0 has 2/);
  });
});
