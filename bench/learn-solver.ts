// Micro-benchmark of the L1 logistic path solver (for our information, not a test): a path on
// synthetic 6000 x 1536 problems, binary and 5-class, shaped like pooled transformer features
// (correlated through a low-rank factor structure, the label carried by a few factors).
//
//   node --import tsx bench/learn-solver.ts [--rows 6000] [--cols 1536] [--classes 2,5] [--full] [--single] [--dump]
//
// Prints the path with validation early stopping (what the pipeline runs), with --full also the
// whole default grid, with --single also single fits at C = 0.1 and 1. Wall and CPU seconds: on a shared machine
// CPU time is the steadier figure. --dump writes the standardised data to bench/.work/learn-solver/ so that
// scripts/reference/learn_solver_sklearn.py can time scikit-learn on exactly the same problems.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { designMatrix, type DenseMatrix, type Design } from '../src/core/learn/matrix';
import { fitL1Logistic, fitPath, scorePath, type PathOptions } from '../src/core/learn/path';
import { fitStandardisation } from '../src/core/learn/standardise';
import { mulberry32 } from '../src/core/random';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}


function gaussian(rand: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

function synthetic(rows: number, cols: number, classes: number, seed: number): { X: DenseMatrix; y: Int32Array } {
  const g = gaussian(mulberry32(seed));
  const factors = 32;
  const F = Float64Array.from({ length: rows * factors }, g);
  const L = Float64Array.from({ length: factors * cols }, () => g() / Math.sqrt(factors));
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      let s = 0;
      for (let f = 0; f < factors; f++) s += (F[i * factors + f] as number) * (L[f * cols + j] as number);
      const v = s + 0.7 * g();
      // GELU-like skew, as in FFN activations.
      data[i * cols + j] = v > 0 ? v : 0.1 * v;
    }
  }
  // The label depends on the first few factors, plus noise (about 10 % label noise).
  const outputs = classes === 2 ? 1 : classes;
  const B = Float64Array.from({ length: outputs * 6 }, g);
  const y = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    let best = 0;
    let bestScore = -Infinity;
    for (let k = 0; k < outputs; k++) {
      let s = 0;
      for (let f = 0; f < 6; f++) s += (B[k * 6 + f] as number) * (F[i * factors + f] as number);
      s += 0.5 * g();
      if (outputs === 1) {
        best = s > 0 ? 1 : 0;
      } else if (s > bestScore) {
        bestScore = s;
        best = k;
      }
    }
    y[i] = best;
  }
  return { X: { rows, cols, data }, y };
}

/** Result, wall seconds and CPU seconds (the machine may be shared; CPU time is the steadier figure). */
function time<T>(f: () => T): [T, number, number] {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const out = f();
  const c = process.cpuUsage(c0);
  return [out, (performance.now() - t0) / 1000, (c.user + c.system) / 1e6];
}

const rows = arg('rows', 6000);
const cols = arg('cols', 1536);
const dump = process.argv.includes('--dump');
const full = process.argv.includes('--full');
const single = process.argv.includes('--single');

function report(title: string, D: Design, y: Int32Array, options: PathOptions, V: Design, yVal: Int32Array): void {
  const pointSeconds: number[] = [];
  const start = performance.now();
  const [path, tPath, cPath] = time(() => fitPath(D, y, { ...options, onPoint: () => void pointSeconds.push((performance.now() - start) / 1000) }));
  const { scores, best } = scorePath(path, V, yVal, 'accuracy');
  const b = path.points[best];
  console.log(`${title}: ${path.points.length} lambdas${path.stopped ? ` (stopped: ${path.stopped})` : ''}, ${tPath.toFixed(2)} s wall, ${cPath.toFixed(2)} s CPU; best: lambda ${b?.lambda.toExponential(2)} (C ${b?.C.toPrecision(3)}), support ${b?.supportSize}, val. accuracy ${scores[best]?.toFixed(4)}`);
  console.log('  lambda     C        support  iters sweeps checks  rel.gap   kkt/lambda  val.acc  elapsed');
  path.points.forEach((p, i) => {
    const c = p.convergence;
    console.log(`  ${p.lambda.toExponential(2)}  ${p.C.toExponential(2)}  ${String(p.supportSize).padStart(6)}  ${String(c.iterations).padStart(5)} ${String(c.sweeps).padStart(6)} ${String(c.kktChecks).padStart(6)}  ${c.relativeGap.toExponential(1)}  ${c.maxKktViolation.toExponential(1)}  ${(scores[i] as number).toFixed(4)}  ${(pointSeconds[i] as number).toFixed(1).padStart(6)}s${c.converged ? '' : '  NOT CONVERGED'}`);
  });
}
const valRows = Math.round(rows / 5);

const classList = (process.argv[process.argv.indexOf('--classes') + 1] ?? '').split(',').map(Number).filter((k) => k >= 2);
for (const classes of process.argv.includes('--classes') ? classList : [2, 5]) {
  const { X, y } = synthetic(rows + valRows, cols, classes, 1234 + classes);
  const train: DenseMatrix = { rows, cols, data: X.data.subarray(0, rows * cols) };
  const val: DenseMatrix = { rows: valRows, cols, data: X.data.subarray(rows * cols) };
  const yTrain = y.subarray(0, rows);
  const yVal = y.subarray(rows);
  const std = fitStandardisation(train);
  const [D, tDesign] = time(() => designMatrix(train, std));
  const V = designMatrix(val, std);
  if (dump) {
    const dir = join(__dirname, '.work', 'learn-solver');
    mkdirSync(dir, { recursive: true });
    const rowMajor = (d: typeof D) => {
      const out = new Float32Array(d.rows * d.cols);
      for (let j = 0; j < d.cols; j++) for (let i = 0; i < d.rows; i++) out[i * d.cols + j] = d.data[j * d.rows + i] as number;
      return out;
    };
    writeFileSync(join(dir, `k${classes}_train_X.f32`), rowMajor(D));
    writeFileSync(join(dir, `k${classes}_train_y.i32`), yTrain);
    writeFileSync(join(dir, `k${classes}_val_X.f32`), rowMajor(V));
    writeFileSync(join(dir, `k${classes}_val_y.i32`), yVal);
    writeFileSync(join(dir, `k${classes}_shape.json`), JSON.stringify({ rows, valRows, cols, classes }));
  }
  console.log(`\n${classes}-class, ${rows} x ${cols} train, ${valRows} validation (standardise + transpose ${tDesign.toFixed(2)} s)`);
  // What the pipeline runs: the default grid, stopped by validation accuracy (default patience).
  report('path with validation early stopping', D, yTrain, { validation: { X: V, y: yVal, metric: 'accuracy' } }, V, yVal);
  if (full) report('whole default grid (no early stopping)', D, yTrain, { maxDevianceRatio: 1 }, V, yVal);
  for (const C of single ? [0.1, 1] : []) {
    const [pt, t, c] = time(() => fitL1Logistic(D, yTrain, { C }));
    console.log(`single fit C=${C}: ${t.toFixed(2)} s wall, ${c.toFixed(2)} s CPU, support ${pt.supportSize}, objective ${pt.objective.toFixed(6)}, converged ${pt.convergence.converged}`);
  }
}
