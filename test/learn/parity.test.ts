// Parity with scikit-learn's logistic regression on small fixed problems (reference values from
// scripts/reference/learn_parity.py): L1 fits reach the same objective within 1e-4 relative (in
// practice ~1e-9) with the same support; L2 (ridge) fits the same objective and, the minimiser being
// unique, the same weights.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { designMatrix } from '../../src/core/learn/matrix';
import { fitL1Logistic, fitPath } from '../../src/core/learn/path';
import { loadParity, matrixFromBase64, type ReferenceFit } from './fixture';

const fixture = loadParity();

/** Relative objective tolerance the issue asks for. */
const OBJECTIVE_RTOL = 1e-4;
/** A weight whose magnitude is below this share of the largest one is a tie with zero: whether a
 *  solver reports it as 0 or as a tiny value depends on its stopping point. */
const TIE = 1e-6;

function supportOf(weights: (j: number, k: number) => number, p: number, outputs: number, scale: number): Set<string> {
  const out = new Set<string>();
  for (let k = 0; k < outputs; k++) for (let j = 0; j < p; j++) if (Math.abs(weights(j, k)) > TIE * scale) out.add(`${k}:${j}`);
  return out;
}

function label(f: ReferenceFit): string {
  return `${f.solver}${f.positive_class !== undefined ? ` class ${f.positive_class} vs rest` : ''}, C=${f.C}`;
}

for (const problem of fixture.problems) {
  describe(`parity: ${problem.name} (${problem.rows} x ${problem.cols}, ${problem.nClasses} classes)`, () => {
    const X = designMatrix(matrixFromBase64(problem.X, problem.rows, problem.cols));
    for (const ref of problem.fits.filter((f) => f.solver === 'lbfgs-l2')) {
      it(label(ref), () => {
        const path = fitPath(X, Int32Array.from(problem.y), { penalty: 'l2', lambdas: [ref.lambda], tol: 1e-14, nClasses: problem.nClasses });
        const fit = path.points[0];
        assert.ok(fit, 'one point');
        assert.ok(fit.convergence.converged, `not converged: ${JSON.stringify(fit.convergence)}`);
        const rel = (fit.objective - ref.objective) / ref.objective;
        assert.ok(Math.abs(rel) <= 1e-9, `objective ${fit.objective} vs scikit-learn ${ref.objective} (relative ${rel})`);
        const { weights, nFeatures: p, outputs } = fit.model;
        assert.equal(outputs, ref.coef.length);
        let scale = 0;
        let diff = 0;
        ref.coef.forEach((row, k) =>
          row.forEach((w, j) => {
            scale = Math.max(scale, Math.abs(w));
            diff = Math.max(diff, Math.abs((weights[k * p + j] as number) - w));
          }),
        );
        assert.ok(diff <= 1e-5 * scale, `weights differ by ${diff} (largest weight ${scale})`);
        assert.equal(fit.supportSize, p, 'a ridge fit keeps every feature');
      });
    }
    for (const ref of problem.fits.filter((f) => f.solver !== 'lbfgs-l2')) {
      it(label(ref), () => {
        // One-vs-rest references are binary problems: class k against the others.
        const y = ref.solver === 'liblinear-ovr' ? Int32Array.from(problem.y, (c) => (c === ref.positive_class ? 1 : 0)) : Int32Array.from(problem.y);
        const fit = fitL1Logistic(X, y, { C: ref.C }, { tol: 1e-9, nClasses: ref.solver === 'liblinear-ovr' ? 2 : problem.nClasses });
        assert.ok(fit.convergence.converged, `not converged: ${JSON.stringify(fit.convergence)}`);
        assert.ok(Math.abs(fit.lambda - ref.lambda) <= 1e-15 * ref.lambda, 'lambda = 1 / (C n)');

        const rel = (fit.objective - ref.objective) / ref.objective;
        assert.ok(Math.abs(rel) <= OBJECTIVE_RTOL, `objective ${fit.objective} vs scikit-learn ${ref.objective} (relative ${rel})`);
        // Never worse than the reference beyond rounding: both minimise the same objective.
        assert.ok(rel <= 1e-9, `objective above scikit-learn's by ${rel} relative`);

        const { weights, nFeatures: p, outputs } = fit.model;
        assert.equal(outputs, ref.coef.length);
        let scale = 0;
        for (const row of ref.coef) for (const w of row) scale = Math.max(scale, Math.abs(w));
        const ours = supportOf((j, k) => weights[k * p + j] as number, p, outputs, scale);
        const theirs = supportOf((j, k) => (ref.coef[k] as number[])[j] as number, p, outputs, scale);
        assert.deepEqual([...ours].sort(), [...theirs].sort(), 'support');
      });
    }
  });
}
