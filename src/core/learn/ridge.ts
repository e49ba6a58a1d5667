// L2-regularised (ridge) logistic regression, binary and multinomial, solved for one lambda at a
// time with warm starts, behind the same interface as the L1 solver (path.ts drives both):
//
//   minimise  F(W, b) = (1/n) sum_i loss_i(W x_i + b) + (lambda / 2) * sum_kj W_kj^2   (b unpenalised)
//
// F is smooth, so a quasi-Newton method fits it: L-BFGS (Nocedal & Wright, algorithm 7.4) over
// all weights and intercepts at once, with Armijo backtracking from the unit step. Every weight
// stays in the model; this is the dense classifier for small training sets, where a sparse L1 fit
// of hundreds of correlated neurons underfits (src/core/stc/README.md, "Known limits").
//
// Along a path the curvature pairs carry over from one lambda to the next: a pair stores the
// change of the *loss* gradient, and the penalty's exact contribution, lambda times the weight
// step, is added for the lambda being solved. A warm start then begins with the curvature the
// previous solves learned instead of a steepest-descent step.
//
// Stopping: F is lambda-strongly convex in W, so F - F* <= ||grad F||^2 / (2 lambda) (exact for
// the weights; the intercepts' gradient is counted in). The solve stops when that bound is at most
// tol x nullLoss, the L1 solver's scale.

import type { Design } from './matrix';
import { centre, LogisticProblem, rowState, type RowState } from './problem';
import { DEFAULT_TOL, type Convergence, type SolverOptions } from './solver';

/** Quasi-Newton iterations per lambda. */
const DEFAULT_MAX_ITERATIONS = 1000;
/** Correction pairs L-BFGS keeps. */
const MEMORY = 10;
const ARMIJO_SIGMA = 1e-4;
const MAX_BACKTRACKS = 40;

/**
 * The iterate that moves along the path. Deterministic, like the L1 solver: fixed loop
 * orders, no randomness.
 */
export class RidgeLogisticSolver extends LogisticProblem<'Z' | 'R'> {
  /** The L1 solver's lambdaMax (largest loss gradient of a weight at the intercept-only model):
   *  the scale the path's lambda grid is laid out from. */
  readonly lambdaMax: number;

  /** The iterate: outputs x p weights (row-major), then the outputs intercepts. */
  private readonly theta: Float64Array;
  /** Scores (outputs x n, output k at k * n) and the rows' probabilities and residuals of the
   *  last evaluation; Z and R in the solver's memory (the kernels build Z and read R). */
  private readonly Z: Float64Array;
  private readonly rows: RowState;
  /** Curvature pairs, oldest first: step s, change of the loss gradient u, and the dot products
   *  s.u and s_W.s_W (weights only: the intercepts are unpenalised). For lambda the pair's
   *  gradient change is y = u + lambda s_W. */
  private readonly pairs: { s: Float64Array; u: Float64Array; su: number; ss: number }[] = [];

  constructor(design: Design, y: Int32Array, nClasses: number) {
    super(design, y, nClasses, (n, B) => ({ Z: B * n, R: B * n }));
    const { n, p, outputs: B } = this;
    const { Z, R } = this.memory.vectors;
    this.theta = new Float64Array(B * (p + 1));
    this.Z = Z;
    this.rows = { P: new Float64Array(B * n), R, base: new Float64Array(n) };
    this.theta.set(this.startIntercepts, B * p);

    const grad = new Float64Array(this.theta.length);
    this.evaluate(this.theta, 0, grad);
    let lmax = 0;
    for (let i = 0; i < B * p; i++) lmax = Math.max(lmax, Math.abs(grad[i] as number));
    this.lambdaMax = lmax;
  }

  /** Weights and intercepts of the current iterate (copies; multinomial intercepts centred). */
  snapshot(): { weights: Float64Array; intercepts: Float64Array } {
    const cut = this.outputs * this.p;
    return { weights: this.theta.slice(0, cut), intercepts: centre(this.theta.slice(cut)) };
  }

  /** Mean training loss (no penalty) of the current iterate. */
  trainingLoss(): number {
    return this.evaluate(this.theta, 0, undefined);
  }

  /** Moves the iterate to the solution at `lambda`, starting from the current one. The previous
   *  lambda plays no part (there is no screening); the parameter keeps the L1 solver's signature. */
  solve(lambda: number, _previousLambda: number, options: SolverOptions = {}): Convergence {
    const tol = options.tol ?? DEFAULT_TOL;
    const maxIterations = options.maxIterations ?? DEFAULT_MAX_ITERATIONS;
    const m = this.theta.length;
    const cut = this.outputs * this.p;
    const x = this.theta;
    const g = new Float64Array(m);
    let f = this.evaluate(x, lambda, g);
    const pairs = this.pairs;
    const alpha = new Float64Array(MEMORY);
    const d = new Float64Array(m);
    const xNew = new Float64Array(m);
    const gNew = new Float64Array(m);
    let iterations = 0;
    let evaluations = 1;
    let status = this.stopping(g, lambda, tol, cut);
    while (!status.converged && iterations < maxIterations) {
      // Two-loop recursion, d = -H g, with each pair's y = u + lambda s_W.
      d.set(g);
      const yDot = (h: (typeof pairs)[number], v: Float64Array) => dotF64(h.u, v) + lambda * dotF64(h.s, v, cut);
      const rho = (h: (typeof pairs)[number]) => 1 / (h.su + lambda * h.ss);
      for (let i = pairs.length - 1; i >= 0; i--) {
        const h = pairs[i] as (typeof pairs)[number];
        const a = rho(h) * dotF64(h.s, d);
        alpha[i] = a;
        axpyF64(-a, h.u, d);
        axpyF64(-a * lambda, h.s, d, cut);
      }
      const last = pairs[pairs.length - 1];
      if (last) {
        const sy = last.su + lambda * last.ss;
        const yy = dotF64(last.u, last.u) + 2 * lambda * dotF64(last.s, last.u, cut) + lambda * lambda * last.ss;
        const gamma = sy / yy;
        for (let i = 0; i < m; i++) d[i] = (d[i] as number) * gamma;
      } else {
        // First step: along the gradient, scaled to move no coordinate by more than 1.
        let gmax = 0;
        for (const v of g) gmax = Math.max(gmax, Math.abs(v));
        for (let i = 0; i < m; i++) d[i] = (d[i] as number) / Math.max(1, gmax);
      }
      for (let i = 0; i < pairs.length; i++) {
        const h = pairs[i] as (typeof pairs)[number];
        const beta = rho(h) * yDot(h, d);
        axpyF64((alpha[i] as number) - beta, h.s, d);
      }
      for (let i = 0; i < m; i++) d[i] = -(d[i] as number);
      let slope = dotF64(g, d);
      if (!(slope < 0)) {
        // Not a descent direction (rounding in a flat region): forget the pairs, steepest descent.
        pairs.length = 0;
        for (let i = 0; i < m; i++) d[i] = -(g[i] as number);
        slope = dotF64(g, d);
      }
      let step = 1;
      let fNew = Infinity;
      for (let t = 0; t < MAX_BACKTRACKS; t++) {
        for (let i = 0; i < m; i++) xNew[i] = (x[i] as number) + step * (d[i] as number);
        fNew = this.evaluate(xNew, lambda, gNew);
        evaluations++;
        if (fNew <= f + ARMIJO_SIGMA * step * slope) break;
        step /= 2;
      }
      if (!(fNew <= f + ARMIJO_SIGMA * step * slope)) break; // no decrease left at float64 resolution
      const s = new Float64Array(m);
      const u = new Float64Array(m);
      for (let i = 0; i < m; i++) {
        s[i] = (xNew[i] as number) - (x[i] as number);
        // The loss part of the gradient change: the penalty's lambda s_W comes off the weights.
        u[i] = (gNew[i] as number) - (g[i] as number) - (i < cut ? lambda * (s[i] as number) : 0);
      }
      const su = dotF64(s, u);
      const ss = dotF64(s, s, cut);
      // The loss is convex, so s.u >= 0; a pair without curvature left after rounding is dropped.
      if (su + lambda * ss > 1e-12 * Math.sqrt(dotF64(s, s) * dotF64(u, u))) {
        if (pairs.length === MEMORY) pairs.shift();
        pairs.push({ s, u, su, ss });
      }
      x.set(xNew);
      g.set(gNew);
      f = fNew;
      iterations++;
      status = this.stopping(g, lambda, tol, cut);
    }
    // Leave Z and R describing the iterate (the last evaluation may have been a rejected trial).
    this.evaluate(x, lambda, undefined);
    return { converged: status.converged, relativeGap: status.bound / this.nullLoss, maxKktViolation: status.maxGrad / lambda, iterations, sweeps: evaluations, kktChecks: 0 };
  }

  /** The suboptimality bound ||grad||^2 / (2 lambda): exact for the weights (F is lambda-strongly
   *  convex in W); the unpenalised intercepts, whose curvature (the class variance) has no lower
   *  bound, are held to the same gradient scale by counting them in. */
  private stopping(g: Float64Array, lambda: number, tol: number, cut: number): { converged: boolean; bound: number; maxGrad: number } {
    let squares = 0;
    let maxGrad = 0;
    for (let i = 0; i < g.length; i++) {
      const v = g[i] as number;
      squares += v * v;
      if (i < cut) maxGrad = Math.max(maxGrad, Math.abs(v));
    }
    const bound = squares / (2 * lambda);
    return { converged: bound <= tol * this.nullLoss, bound, maxGrad };
  }

  /**
   * Mean loss at `theta`, plus (lambda / 2) ||W||^2; fills Z, R and, when given, the gradient.
   */
  private evaluate(theta: Float64Array, lambda: number, grad: Float64Array | undefined): number {
    const { n, p, outputs: B, X, y, Z } = this;
    const { R } = this.rows;
    const cut = B * p;
    for (let k = 0; k < B; k++) Z.fill(theta[cut + k] as number, k * n, (k + 1) * n);
    for (let j = 0; j < p; j++) {
      const xo = j * n;
      for (let k = 0; k < B; k++) {
        const w = theta[k * p + j] as number;
        if (w === 0) continue;
        this.memory.axpy(w, X, xo, Z, k * n, n);
      }
    }
    const loss = rowState(Z, y, B, this.rows);
    if (lambda === 0 && !grad) return loss;
    let squares = 0;
    for (let i = 0; i < cut; i++) squares += (theta[i] as number) ** 2;
    if (grad) {
      for (let j = 0; j < p; j++) {
        for (let k = 0; k < B; k++) grad[k * p + j] = this.memory.dot(X, j * n, R, k * n, n) / n + lambda * (theta[k * p + j] as number);
      }
      for (let k = 0; k < B; k++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += R[k * n + i] as number;
        grad[cut + k] = s / n;
      }
    }
    return loss + (lambda / 2) * squares;
  }
}

/** sum of a[i] b[i] over the first `length` entries (default all). */
function dotF64(a: Float64Array, b: Float64Array, length = a.length): number {
  let s = 0;
  for (let i = 0; i < length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

/** out[i] += c a[i] over the first `length` entries (default all). */
function axpyF64(c: number, a: Float64Array, out: Float64Array, length = a.length): void {
  for (let i = 0; i < length; i++) out[i] = (out[i] as number) + c * (a[i] as number);
}
