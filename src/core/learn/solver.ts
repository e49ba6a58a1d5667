// L1-regularised logistic regression, binary and multinomial, solved for one lambda at a time with
// warm starts (the path in path.ts drives it). README.md next to this file documents the method;
// in short:
//
//   minimise  F(W, b) = (1/n) sum_i loss_i(W x_i + b) + lambda * sum_kj |W_kj|   (b unpenalised)
//
// - Outer loop: proximal Newton (newGLMNET, Yuan, Ho & Lin 2012), jointly over all classes: a
//   second-order model of the loss with the exact per-row Hessian diag(p_i) - p_i p_i^T.
// - Inner loop: cyclic coordinate descent on that model over the active set, with glmnet's
//   cycling between all active features and the currently non-zero ones. The multinomial
//   Hessian's coupling is rank one per row, so one coordinate update stays O(n).
// - Armijo backtracking along the Newton direction, so every step decreases F.
// - Screening: the active set starts as the sequential strong set (Tibshirani et al. 2012); every
//   feature left out is checked against the KKT conditions and added back if it violates them.
// - Stopping: duality gap <= tol * (mean loss of the intercept-only model). The dual point is the
//   current residual p - y, scaled into the dual feasible set, after the intercepts have been
//   polished so that it meets the intercepts' constraint sum_i (p_ik - y_ik) = 0.
//
// Binary is the multinomial model with one explicit output and an implicit class 0 whose score
// is fixed at 0 (so the probability of class 1 is sigmoid(score)).

import { axpy, axpyWeighted, dot, multinomialGradient, multinomialUpdate, sigmoid, softplus, solveDense, weightedSquares, xlogx } from './kernels';
import type { Design } from './matrix';

export interface SolverOptions {
  /** Stop when the duality gap is at most `tol` times the intercept-only model's mean loss.
   *  The gap bounds the distance of the objective to its optimum (in practice the objective is
   *  already orders of magnitude closer). Default 1e-4. */
  readonly tol?: number;
  /** Proximal Newton iterations per lambda. Default 100. */
  readonly maxIterations?: number;
}

export interface Convergence {
  /** The duality gap reached the tolerance and no screened-out feature violates the KKT conditions. */
  readonly converged: boolean;
  /** Duality gap divided by the intercept-only model's mean loss. */
  readonly relativeGap: number;
  /** Largest violation of the optimality conditions over all weights, divided by lambda:
   *  |grad + lambda sign(w)| for non-zero weights, max(0, |grad| - lambda) for zero ones. */
  readonly maxKktViolation: number;
  /** Proximal Newton iterations. */
  readonly iterations: number;
  /** Coordinate descent passes over an active set. */
  readonly sweeps: number;
  /** Passes of the KKT check over the screened-out features. */
  readonly kktChecks: number;
}

export const DEFAULT_TOL = 1e-4;
const DEFAULT_MAX_ITERATIONS = 100;
/** Inner coordinate descent stops once its summed optimality violation is below this share of
 *  the violation of its first pass: an inexact Newton direction is enough for fast convergence. */
const INNER_RELATIVE_TOL = 0.1;
/** Anderson extrapolation of the coordinate descent iterates every this many passes. */
const ANDERSON_DEPTH = 5;
const MAX_SWEEPS_PER_STEP = 500;
/** Keeps a coordinate's curvature positive where every h_i underflows (a separated problem). */
const CURVATURE_FLOOR = 1e-12;
const ARMIJO_SIGMA = 0.01;
const MAX_BACKTRACKS = 40;
/** Intercepts are polished until every output's mean residual is below this. */
const INTERCEPT_TOL = 1e-13;
const MAX_INTERCEPT_STEPS = 50;

interface Evaluation {
  /** F(W, b) */
  readonly primal: number;
  readonly gap: number;
}

/**
 * One problem (design, labels) and the iterate that moves along the path. Pure: owns all of its
 * memory, touches no global state, and visits coordinates in a fixed order, so the same input
 * gives bit-identical results on the same platform (no randomness anywhere).
 */
export class L1LogisticSolver {
  readonly n: number;
  readonly p: number;
  readonly nClasses: number;
  /** Rows of W: 1 for binary, K for multinomial. */
  readonly outputs: number;
  /** Mean loss of the intercept-only model (the entropy of the class frequencies): the scale
   *  of the stopping rule. */
  readonly nullLoss: number;
  /** Smallest lambda whose solution has no non-zero weight. */
  readonly lambdaMax: number;

  private readonly X: Float32Array;
  private readonly y: Int32Array;
  /** Columns with a non-zero value; the others can never enter the model. */
  private readonly usable: Int32Array;

  // The iterate: weights (outputs x p), intercepts, scores Z = W x_i + b (outputs x n, output k at k * n).
  private readonly W: Float64Array;
  private readonly b: Float64Array;
  private readonly Z: Float64Array;

  /** Loss gradient of every weight at the last evaluation (outputs x p). Complete for all usable
   *  features after a converged solve, which the strong rule of the next lambda relies on. */
  private readonly grad: Float64Array;

  // Active set: list of features and membership. The inner loop works on coordinates, flat
  // indices k * p + j into W: all of the active features' (`coords`), or the non-zero ones (`nonZero`).
  private readonly active: Int32Array;
  private activeCount = 0;
  private readonly inActive: Uint8Array;
  private readonly coords: Int32Array;
  private readonly nonZero: Int32Array;

  // Workspace, allocated once (outputs x n unless noted).
  private readonly P: Float64Array; // probabilities of the explicit outputs
  private readonly R: Float64Array; // residuals P - Y
  private readonly H: Float64Array; // P (1 - P)
  private readonly dz: Float64Array; // score change of the Newton direction
  private readonly s: Float64Array; // n: sum_k P_k dz_k (multinomial)
  private readonly u: Float64Array; // n: R + H dz (binary)
  private readonly base: Float64Array; // n: log-sum-exp of each row's scores at the iterate
  private readonly curv: Float64Array; // outputs x p: a_kj = (1/n) sum_i H_ki x_ij^2
  private readonly D: Float64Array; // outputs x p: Newton direction of the weights
  private readonly db: Float64Array; // outputs: Newton direction of the intercepts
  private readonly curvB: Float64Array; // outputs: curvature of each intercept
  private readonly Hb: Float64Array; // (outputs-1)^2: intercept Hessian (multinomial polishing)
  private readonly gb: Float64Array; // outputs: intercept gradient / step

  private readonly dzTry: Float64Array; // outputs x n: score change of an extrapolated direction
  private readonly history: Float64Array; // (ANDERSON_DEPTH + 1) x (outputs x p + outputs)
  private historyCount = 0;
  private readonly gram: Float64Array; // ANDERSON_DEPTH^2
  private readonly coef: Float64Array; // ANDERSON_DEPTH
  /** Value of the quadratic model at the current direction, relative to the zero direction. */
  private qCur = 0;

  private sweeps = 0;
  private kktChecks = 0;

  constructor(design: Design, y: Int32Array, nClasses: number) {
    const { rows: n, cols: p, data } = design;
    this.n = n;
    this.p = p;
    this.X = data;
    this.y = y;
    this.nClasses = nClasses;
    const B = nClasses === 2 ? 1 : nClasses;
    this.outputs = B;

    const usable: number[] = [];
    for (let j = 0; j < p; j++) {
      const off = j * n;
      for (let i = 0; i < n; i++) {
        if (data[off + i] !== 0) {
          usable.push(j);
          break;
        }
      }
    }
    this.usable = Int32Array.from(usable);

    this.W = new Float64Array(B * p);
    this.b = new Float64Array(B);
    this.Z = new Float64Array(B * n);
    this.grad = new Float64Array(B * p);
    this.active = new Int32Array(p);
    this.inActive = new Uint8Array(p);
    this.coords = new Int32Array(B * p);
    this.nonZero = new Int32Array(B * p);
    this.P = new Float64Array(B * n);
    this.R = new Float64Array(B * n);
    this.H = new Float64Array(B * n);
    this.dz = new Float64Array(B * n);
    this.s = new Float64Array(n);
    this.u = new Float64Array(n);
    this.base = new Float64Array(n);
    this.curv = new Float64Array(B * p);
    this.D = new Float64Array(B * p);
    this.db = new Float64Array(B);
    this.curvB = new Float64Array(B);
    this.Hb = new Float64Array(Math.max(0, B - 1) ** 2);
    this.gb = new Float64Array(B);
    this.dzTry = new Float64Array(B * n);
    this.history = new Float64Array((ANDERSON_DEPTH + 1) * (B * p + B));
    this.gram = new Float64Array(ANDERSON_DEPTH * ANDERSON_DEPTH);
    this.coef = new Float64Array(ANDERSON_DEPTH);

    // The intercept-only optimum: log class frequencies (centred for multinomial).
    const counts = new Float64Array(nClasses);
    for (let i = 0; i < n; i++) {
      const c = y[i] as number;
      counts[c] = (counts[c] as number) + 1;
    }
    if (B === 1) {
      this.b[0] = Math.log((counts[1] as number) / (counts[0] as number));
    } else {
      let mean = 0;
      for (let k = 0; k < B; k++) mean += Math.log(counts[k] as number) / B;
      for (let k = 0; k < B; k++) this.b[k] = Math.log(counts[k] as number) - mean;
    }
    for (let k = 0; k < B; k++) this.Z.fill(this.b[k] as number, k * n, (k + 1) * n);
    let nullLoss = 0;
    for (let c = 0; c < nClasses; c++) nullLoss -= xlogx((counts[c] as number) / n);
    this.nullLoss = nullLoss;

    this.computeResiduals();
    let lmax = 0;
    for (const j of this.usable) {
      for (let k = 0; k < B; k++) {
        const g = dot(data, j * n, this.R, k * n, n) / n;
        this.grad[k * p + j] = g;
        lmax = Math.max(lmax, Math.abs(g));
      }
    }
    this.lambdaMax = lmax;
  }

  /** Weights and intercepts of the current iterate (copies; multinomial intercepts centred, as
   *  the softmax only sees their differences). */
  snapshot(): { weights: Float64Array; intercepts: Float64Array } {
    const intercepts = Float64Array.from(this.b);
    if (this.outputs > 1) {
      let mean = 0;
      for (const v of intercepts) mean += v / this.outputs;
      for (let k = 0; k < this.outputs; k++) intercepts[k] = (intercepts[k] as number) - mean;
    }
    return { weights: Float64Array.from(this.W), intercepts };
  }

  /** Mean training loss (no penalty) of the current iterate. */
  trainingLoss(): number {
    return this.computeResiduals();
  }

  /**
   * Moves the iterate to the solution at `lambda`, starting from the current one (a warm start).
   * `previousLambda` is the lambda the current iterate solves (lambdaMax at the start); it sets the
   * strong-rule threshold 2 lambda - previousLambda.
   */
  solve(lambda: number, previousLambda: number, options: SolverOptions = {}): Convergence {
    const tol = options.tol ?? DEFAULT_TOL;
    const maxIterations = options.maxIterations ?? DEFAULT_MAX_ITERATIONS;
    const { p, outputs: B } = this;
    this.sweeps = 0;
    this.kktChecks = 0;

    // Active set: the current support plus the strong set.
    this.inActive.fill(0);
    this.activeCount = 0;
    const strong = 2 * lambda - previousLambda;
    for (const j of this.usable) {
      for (let k = 0; k < B; k++) {
        const idx = k * p + j;
        if (this.W[idx] !== 0 || Math.abs(this.grad[idx] as number) >= strong) {
          this.activate(j);
          break;
        }
      }
    }

    const target = tol * this.nullLoss;
    let ev = this.evaluate(lambda);
    let iterations = 0;
    let converged = false;
    for (;;) {
      if (ev.gap <= target) {
        if (this.addViolators(lambda) === 0) {
          converged = true;
          break;
        }
        ev = this.evaluate(lambda);
      }
      if (iterations >= maxIterations) break;
      iterations++;
      const moved = this.newtonStep(lambda);
      ev = this.evaluate(lambda);
      if (!moved) {
        // No direction decreases F in floating point: the gap is as small as the data's
        // precision allows. Refresh the gradient of the screened-out features and report as is.
        this.addViolators(lambda);
        break;
      }
    }
    return {
      converged,
      relativeGap: ev.gap / this.nullLoss,
      maxKktViolation: this.maxKktViolation(lambda),
      iterations,
      sweeps: this.sweeps,
      kktChecks: this.kktChecks,
    };
  }

  private activate(j: number): void {
    this.inActive[j] = 1;
    this.active[this.activeCount++] = j;
  }

  /** Probabilities P, residuals R = P - Y and the row log-sum-exps `base` from the scores Z;
   *  returns the mean loss. */
  private computeResiduals(): number {
    const { n, outputs: B, Z, P, R, base, y } = this;
    let loss = 0;
    if (B === 1) {
      for (let i = 0; i < n; i++) {
        const z = Z[i] as number;
        const pr = sigmoid(z);
        const yi = y[i] === 1 ? 1 : 0;
        P[i] = pr;
        R[i] = pr - yi;
        const lse = softplus(z);
        base[i] = lse;
        loss += lse - yi * z;
      }
      return loss / n;
    }
    for (let i = 0; i < n; i++) {
      let m = -Infinity;
      for (let k = 0; k < B; k++) m = Math.max(m, Z[k * n + i] as number);
      let sum = 0;
      for (let k = 0; k < B; k++) sum += Math.exp((Z[k * n + i] as number) - m);
      const lse = m + Math.log(sum);
      const yi = y[i] as number;
      for (let k = 0; k < B; k++) {
        const pr = Math.exp((Z[k * n + i] as number) - lse);
        P[k * n + i] = pr;
        R[k * n + i] = pr - (k === yi ? 1 : 0);
      }
      base[i] = lse;
      loss += lse - (Z[yi * n + i] as number);
    }
    return loss / n;
  }

  private shiftIntercepts(delta: Float64Array, sign: number): void {
    const { n, outputs: B, Z, b } = this;
    for (let k = 0; k < B; k++) {
      const d = sign * (delta[k] as number);
      if (d === 0) continue;
      b[k] = (b[k] as number) + d;
      for (let i = 0; i < n; i++) Z[k * n + i] = (Z[k * n + i] as number) + d;
    }
  }

  /**
   * Newton steps on the intercepts alone until every output's mean residual is ~0, which the dual
   * point needs. Leaves P, R up to date and returns the mean loss.
   */
  private polishIntercepts(): number {
    const { n, outputs: B, P, R, gb, Hb } = this;
    let loss = this.computeResiduals();
    for (let step = 0; step < MAX_INTERCEPT_STEPS; step++) {
      let worst = 0;
      for (let k = 0; k < B; k++) {
        let sum = 0;
        for (let i = 0; i < n; i++) sum += R[k * n + i] as number;
        gb[k] = sum / n;
        worst = Math.max(worst, Math.abs(sum / n));
      }
      if (worst <= INTERCEPT_TOL) break;
      // The Newton step goes into gb.
      if (B === 1) {
        let hs = 0;
        for (let i = 0; i < n; i++) hs += (P[i] as number) * (1 - (P[i] as number));
        if (!(hs > 0)) break;
        gb[0] = -(gb[0] as number) / (hs / n);
      } else {
        // The softmax is invariant to a common shift: fix the last intercept and solve the
        // (B-1)x(B-1) system H d = -g with H_kl = mean_i p_ik (delta_kl - p_il).
        const m = B - 1;
        Hb.fill(0);
        for (let i = 0; i < n; i++) {
          for (let k = 0; k < m; k++) {
            const pk = P[k * n + i] as number;
            Hb[k * m + k] = (Hb[k * m + k] as number) + pk;
            for (let l = 0; l < m; l++) Hb[k * m + l] = (Hb[k * m + l] as number) - pk * (P[l * n + i] as number);
          }
        }
        for (let k = 0; k < m * m; k++) Hb[k] = (Hb[k] as number) / n;
        for (let k = 0; k < m; k++) gb[k] = -(gb[k] as number);
        if (!solveDense(Hb, gb, m)) break;
        gb[m] = 0;
      }
      this.shiftIntercepts(gb, 1);
      const next = this.computeResiduals();
      if (!(next <= loss + 1e-15 * Math.abs(loss))) {
        // Far from the optimum a Newton step can overshoot: undo it and leave the intercepts to
        // the proximal Newton steps.
        this.shiftIntercepts(gb, -1);
        return this.computeResiduals();
      }
      loss = next;
    }
    return loss;
  }

  /** Primal, dual and gap at the current iterate; refreshes the gradient over the active set. */
  private evaluate(lambda: number): Evaluation {
    const { n, p, outputs: B, R, X, grad, W, y } = this;
    const loss = this.polishIntercepts();
    let l1 = 0;
    for (let k = 0; k < B * p; k++) l1 += Math.abs(W[k] as number);
    let maxGrad = 0;
    for (let a = 0; a < this.activeCount; a++) {
      const j = this.active[a] as number;
      for (let k = 0; k < B; k++) {
        const g = dot(X, j * n, R, k * n, n) / n;
        grad[k * p + j] = g;
        maxGrad = Math.max(maxGrad, Math.abs(g));
      }
    }
    // Dual point q_i = y_i + s (p_i - y_i), s scaling |X^T (q - y)| / n down to lambda; the dual
    // objective is the mean entropy of q_i (a distribution over all classes).
    const s = maxGrad > lambda ? lambda / maxGrad : 1;
    let entropy = 0;
    if (B === 1) {
      for (let i = 0; i < n; i++) {
        const q = (y[i] === 1 ? 1 : 0) + s * (R[i] as number);
        entropy -= xlogx(q) + xlogx(1 - q);
      }
    } else {
      for (let i = 0; i < n; i++) {
        const yi = y[i] as number;
        for (let k = 0; k < B; k++) entropy -= xlogx((k === yi ? 1 : 0) + s * (R[k * n + i] as number));
      }
    }
    const primal = loss + lambda * l1;
    return { primal, gap: Math.max(0, primal - entropy / n) };
  }

  /** KKT check of the features outside the active set (from R of the last evaluation); adds every
   *  violator and returns how many there were. */
  private addViolators(lambda: number): number {
    const { n, p, outputs: B, R, X, grad } = this;
    this.kktChecks++;
    let added = 0;
    for (const j of this.usable) {
      if (this.inActive[j]) continue;
      let violates = false;
      for (let k = 0; k < B; k++) {
        const g = dot(X, j * n, R, k * n, n) / n;
        grad[k * p + j] = g;
        if (Math.abs(g) > lambda) violates = true;
      }
      if (violates) {
        this.activate(j);
        added++;
      }
    }
    return added;
  }

  private maxKktViolation(lambda: number): number {
    const { p, outputs: B, grad, W } = this;
    let worst = 0;
    for (const j of this.usable) {
      for (let k = 0; k < B; k++) {
        const g = grad[k * p + j] as number;
        const w = W[k * p + j] as number;
        const v = w > 0 ? Math.abs(g + lambda) : w < 0 ? Math.abs(g - lambda) : Math.max(0, Math.abs(g) - lambda);
        worst = Math.max(worst, v);
      }
    }
    return worst / lambda;
  }

  /**
   * Coordinate descent pass over the first `count` coordinates of `list` (flat indices k * p + j),
   * then the intercepts, on
   *   q(D, db) = (1/n) sum_i [ r_i^T dz_i + (1/2) dz_i^T (diag(p_i) - p_i p_i^T) dz_i ] + lambda (||W + D||_1 - ||W||_1),
   *   dz_i = D x_i + db.
   * Returns the summed optimality violation met on the way (the inner stopping measure).
   */
  private sweep(list: Int32Array, count: number, lambda: number): number {
    const { n, p, outputs: B, X, W, D, R, P, H, dz, s, u, curv, curvB, db } = this;
    this.sweeps++;
    let violation = 0;
    for (let a = 0; a < count; a++) {
      const idx = list[a] as number;
      const k = (idx / p) | 0;
      const xo = (idx - k * p) * n;
      const G = (B === 1 ? dot(X, xo, u, 0, n) : multinomialGradient(X, xo, R, P, dz, k * n, s, n)) / n;
      const w = W[idx] as number;
      const c = w + (D[idx] as number);
      violation += c > 0 ? Math.abs(G + lambda) : c < 0 ? Math.abs(G - lambda) : Math.max(0, Math.abs(G) - lambda);
      const aj = curv[idx] as number;
      const target = c - G / aj;
      const th = lambda / aj;
      const cn = target > th ? target - th : target < -th ? target + th : 0;
      const delta = cn - c;
      if (delta === 0) continue;
      this.qCur += G * delta + 0.5 * aj * delta * delta + lambda * (Math.abs(cn) - Math.abs(c));
      D[idx] = cn - w;
      if (B === 1) axpyWeighted(delta, X, xo, H, u, n);
      else multinomialUpdate(delta, X, xo, P, dz, k * n, s, n);
    }
    for (let k = 0; k < B; k++) {
      const ko = k * n;
      let G = 0;
      if (B === 1) {
        for (let i = 0; i < n; i++) G += u[i] as number;
      } else {
        for (let i = 0; i < n; i++) G += (R[ko + i] as number) + (P[ko + i] as number) * ((dz[ko + i] as number) - (s[i] as number));
      }
      G /= n;
      violation += Math.abs(G);
      const delta = -G / (curvB[k] as number);
      this.qCur += 0.5 * G * delta;
      db[k] = (db[k] as number) + delta;
      if (B === 1) {
        for (let i = 0; i < n; i++) u[i] = (u[i] as number) + delta * (H[i] as number);
      } else {
        for (let i = 0; i < n; i++) {
          dz[ko + i] = (dz[ko + i] as number) + delta;
          s[i] = (s[i] as number) + delta * (P[ko + i] as number);
        }
      }
    }
    return violation;
  }

  /**
   * Records the current direction; every ANDERSON_DEPTH records, tries the Anderson extrapolation
   * of the recorded directions (Bertrand & Massias 2021) and keeps it when it lowers the quadratic
   * model, which speeds coordinate descent up on correlated features.
   */
  private anderson(lambda: number): void {
    const { n, p, outputs: B, X, W, D, db, R, P, H, history, gram, coef } = this;
    const active = this.active;
    const m = this.activeCount;
    const dim = m * B + B;
    let o = this.historyCount * dim;
    for (let a = 0; a < m; a++) {
      const j = active[a] as number;
      for (let k = 0; k < B; k++) history[o++] = D[k * p + j] as number;
    }
    for (let k = 0; k < B; k++) history[o++] = db[k] as number;
    this.historyCount++;
    if (this.historyCount <= ANDERSON_DEPTH) return;
    this.historyCount = 0;

    // c = argmin ||U c|| subject to sum(c) = 1, U's columns the successive differences.
    const M = ANDERSON_DEPTH;
    let trace = 0;
    for (let i = 0; i < M; i++) {
      for (let l = 0; l <= i; l++) {
        let g = 0;
        const oi = i * dim;
        const ol = l * dim;
        for (let q = 0; q < dim; q++) g += ((history[oi + dim + q] as number) - (history[oi + q] as number)) * ((history[ol + dim + q] as number) - (history[ol + q] as number));
        gram[i * M + l] = g;
        gram[l * M + i] = g;
      }
      trace += gram[i * M + i] as number;
    }
    if (!(trace > 0)) return;
    for (let i = 0; i < M; i++) {
      gram[i * M + i] = (gram[i * M + i] as number) + 1e-10 * trace;
      coef[i] = 1;
    }
    if (!solveDense(gram, coef, M)) return;
    let sum = 0;
    for (let i = 0; i < M; i++) sum += coef[i] as number;
    if (!(Math.abs(sum) > 0)) return;

    // The extrapolated direction, its score change and its model value.
    const dzTry = this.dzTry;
    const ext = (q: number): number => {
      let v = 0;
      for (let i = 0; i < M; i++) v += ((coef[i] as number) / sum) * (history[(i + 1) * dim + q] as number);
      return v;
    };
    for (let k = 0; k < B; k++) dzTry.fill(ext(m * B + k), k * n, (k + 1) * n);
    let pen = 0;
    for (let a = 0; a < m; a++) {
      const j = active[a] as number;
      for (let k = 0; k < B; k++) {
        const d = ext(a * B + k);
        const w = W[k * p + j] as number;
        pen += Math.abs(w + d) - Math.abs(w);
        if (d !== 0) axpy(d, X, j * n, dzTry, k * n, n);
      }
    }
    let quad = 0;
    if (B === 1) {
      for (let i = 0; i < n; i++) {
        const z = dzTry[i] as number;
        quad += (R[i] as number) * z + 0.5 * (H[i] as number) * z * z;
      }
    } else {
      for (let i = 0; i < n; i++) {
        let lin = 0;
        let sq = 0;
        let mean = 0;
        for (let k = 0; k < B; k++) {
          const z = dzTry[k * n + i] as number;
          const pr = P[k * n + i] as number;
          lin += (R[k * n + i] as number) * z;
          sq += pr * z * z;
          mean += pr * z;
        }
        quad += lin + 0.5 * (sq - mean * mean);
      }
    }
    const qTry = quad / n + lambda * pen;
    if (!(qTry < this.qCur)) return;

    // Accept: the extrapolated direction replaces the current one.
    this.qCur = qTry;
    for (let a = 0; a < m; a++) {
      const j = active[a] as number;
      for (let k = 0; k < B; k++) D[k * p + j] = ext(a * B + k);
    }
    for (let k = 0; k < B; k++) db[k] = ext(m * B + k);
    this.dz.set(dzTry);
    if (B === 1) {
      for (let i = 0; i < n; i++) this.u[i] = (R[i] as number) + (H[i] as number) * (dzTry[i] as number);
    } else {
      this.s.fill(0);
      for (let k = 0; k < B; k++) for (let i = 0; i < n; i++) this.s[i] = (this.s[i] as number) + (P[k * n + i] as number) * (dzTry[k * n + i] as number);
    }
    this.anderson(lambda);
  }

  /**
   * One proximal Newton step on all weights of the active set and all intercepts. Uses P and R of
   * the last evaluation. Returns whether the iterate moved.
   */
  private newtonStep(lambda: number): boolean {
    const { n, p, outputs: B, X, Z, W, P, R, H, dz, s, u, base, curv, curvB, D, db, y } = this;
    const active = this.active;
    const m = this.activeCount;

    for (let k = 0; k < B; k++) {
      const ko = k * n;
      let hs = 0;
      for (let i = 0; i < n; i++) {
        const pr = P[ko + i] as number;
        const hi = pr * (1 - pr);
        H[ko + i] = hi;
        hs += hi;
      }
      curvB[k] = hs / n + CURVATURE_FLOOR;
      db[k] = 0;
      for (let a = 0; a < m; a++) {
        const j = active[a] as number;
        curv[k * p + j] = weightedSquares(X, j * n, H, ko, n) / n + CURVATURE_FLOOR;
        D[k * p + j] = 0;
      }
    }
    dz.fill(0);
    s.fill(0);
    if (B === 1) u.set(R);

    // Inner coordinate descent (glmnet's cycling): a pass over every coordinate of the active set,
    // then passes over the non-zero ones until they settle, and again, until a whole pass is below
    // the threshold. Anderson extrapolation runs along each stretch of passes over one list.
    const coords = this.coords;
    const mc = m * B;
    for (let a = 0; a < m; a++) for (let k = 0; k < B; k++) coords[a * B + k] = k * p + (active[a] as number);
    const nz = this.nonZero;
    let threshold = -1;
    this.qCur = 0;
    this.historyCount = 0;
    this.anderson(lambda);
    for (let total = 0; total < MAX_SWEEPS_PER_STEP; ) {
      const v = this.sweep(coords, mc, lambda);
      total++;
      if (threshold < 0) threshold = INNER_RELATIVE_TOL * v;
      else if (v <= threshold) break;
      let nzCount = 0;
      for (let a = 0; a < mc; a++) {
        const idx = coords[a] as number;
        if ((W[idx] as number) + (D[idx] as number) !== 0) nz[nzCount++] = idx;
      }
      if (nzCount === mc) {
        this.anderson(lambda);
        continue;
      }
      this.historyCount = 0;
      this.anderson(lambda);
      while (total < MAX_SWEEPS_PER_STEP) {
        total++;
        if (this.sweep(nz, nzCount, lambda) <= threshold) break;
        this.anderson(lambda);
      }
      this.historyCount = 0;
    }

    // Score change of the direction (the binary kernel does not track it), and the Armijo
    // reference Delta = grad^T (D, db) + lambda (||W + D||_1 - ||W||_1).
    if (B === 1) {
      dz.fill(db[0] as number);
      for (let a = 0; a < m; a++) {
        const j = active[a] as number;
        const dj = D[j] as number;
        if (dj !== 0) axpy(dj, X, j * n, dz, 0, n);
      }
    }
    // Change of ||W||_1 along the direction after a step of length t.
    const l1Change = (t: number) => {
      let change = 0;
      for (let a = 0; a < m; a++) {
        const j = active[a] as number;
        for (let k = 0; k < B; k++) {
          const dj = D[k * p + j] as number;
          if (dj === 0) continue;
          const w = W[k * p + j] as number;
          change += Math.abs(w + t * dj) - Math.abs(w);
        }
      }
      return change;
    };
    let slope = 0;
    for (let q = 0; q < B * n; q++) slope += (R[q] as number) * (dz[q] as number);
    const Delta = slope / n + lambda * l1Change(1);
    if (!(Delta < 0)) return false;

    for (let t = 1, back = 0; back < MAX_BACKTRACKS; back++, t *= 0.5) {
      let f = 0;
      if (B === 1) {
        for (let i = 0; i < n; i++) {
          const step = t * (dz[i] as number);
          f += softplus((Z[i] as number) + step) - (base[i] as number) - (y[i] === 1 ? step : 0);
        }
      } else {
        for (let i = 0; i < n; i++) {
          let mx = -Infinity;
          for (let k = 0; k < B; k++) mx = Math.max(mx, (Z[k * n + i] as number) + t * (dz[k * n + i] as number));
          let sum = 0;
          for (let k = 0; k < B; k++) sum += Math.exp((Z[k * n + i] as number) + t * (dz[k * n + i] as number) - mx);
          f += mx + Math.log(sum) - (base[i] as number) - t * (dz[(y[i] as number) * n + i] as number);
        }
      }
      if (f / n + lambda * l1Change(t) <= ARMIJO_SIGMA * t * Delta) {
        for (let a = 0; a < m; a++) {
          const j = active[a] as number;
          for (let k = 0; k < B; k++) {
            const idx = k * p + j;
            // D = target - W, so a full step puts weights that should vanish at exactly zero.
            if (D[idx] !== 0) W[idx] = (W[idx] as number) + t * (D[idx] as number);
          }
        }
        for (let k = 0; k < B; k++) this.b[k] = (this.b[k] as number) + t * (db[k] as number);
        for (let q = 0; q < B * n; q++) Z[q] = (Z[q] as number) + t * (dz[q] as number);
        return true;
      }
    }
    return false;
  }
}
