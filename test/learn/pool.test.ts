import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { designMatrix } from '../../src/core/learn/matrix';
import { fitPath } from '../../src/core/learn/path';
import { LearnPool } from '../../src/core/learn/pool';
import { fitStandardisation } from '../../src/core/learn/standardise';
import { syntheticProblem } from './synthetic';

function job(rows: number, cols: number, classes: number, seed: number) {
  const { X, y } = syntheticProblem(rows, cols, classes, seed);
  return { X: designMatrix(X, fitStandardisation(X)), y };
}

describe('LearnPool', () => {
  const pool = new LearnPool(2);
  after(() => pool.close());

  it('fits independent paths in workers, bit-identical to fitting in process', async () => {
    const jobs = [job(120, 25, 2, 1), job(100, 20, 3, 2), job(90, 30, 2, 3)];
    const paths = await Promise.all(jobs.map((j) => pool.fitPath({ ...j, options: { pathLength: 8 } })));
    jobs.forEach((j, n) => {
      const local = fitPath(j.X, j.y, { pathLength: 8 });
      const remote = paths[n];
      assert.ok(remote);
      assert.equal(remote.points.length, local.points.length);
      remote.points.forEach((p, i) => {
        assert.deepEqual(p.model.weights, local.points[i]?.model.weights);
        assert.equal(p.objective, local.points[i]?.objective);
      });
    });
  });

  it('shares a SharedArrayBuffer-backed design and reports errors as rejections', async () => {
    const j = job(80, 10, 2, 4);
    const shared = new Float32Array(new SharedArrayBuffer(j.X.data.byteLength));
    shared.set(j.X.data);
    const path = await pool.fitPath({ X: { ...j.X, data: shared }, y: j.y, options: { pathLength: 4 } });
    assert.equal(path.points.length, 4);
    await assert.rejects(pool.fitPath({ X: j.X, y: new Int32Array(80) }), /only one class/);
  });

  it('rejects jobs once closed', async () => {
    const p = new LearnPool(1);
    await p.close();
    await assert.rejects(p.fitPath(job(20, 3, 2, 5)), /pool is closed/);
  });
});
