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
//   Hessian's coupling is rank one per row, so one coordinate update stays O(n). Where those
//   passes crawl (many correlated non-zero weights), each output's non-zero coordinates are
//   solved directly on their Gram matrix (an active-set Newton solve of the model, directStep).
// - Armijo backtracking along the Newton direction, so every step decreases F.
// - Screening: the active set starts as the sequential strong set (Tibshirani et al. 2012); every
//   feature left out is checked against the KKT conditions and added back if it violates them.
// - Stopping: duality gap <= tol * (mean loss of the intercept-only model). The dual point is the
//   current residual p - y, scaled into the dual feasible set, after the intercepts have been
//   polished so that it meets the intercepts' constraint sum_i (p_ik - y_ik) = 0.
//
// Binary is the multinomial model with one explicit output and an implicit class 0 whose score
// is fixed at 0 (so the probability of class 1 is sigmoid(score)).

import { choleskySolve, softplus, solveDense, xlogx } from './kernels';
import type { Design } from './matrix';
import { centre, LogisticProblem, rowState } from './problem';

export interface SolverOptions {
  /** Stop when the duality gap is at most `tol` times the intercept-only model's mean loss.
   *  The gap bounds the distance of the objective to its optimum (in practice the objective is
   *  already orders of magnitude closer). Default 1e-4. */
  readonly tol?: number;
  /** Proximal Newton iterations per lambda. Default 100. */
  readonly maxIterations?: number;
  /** Whether crawling coordinate descent may switch to the direct solve of the non-zero
   *  coordinates (see directStretch). Default true; it pays on one block's dense path tail and
   *  costs more than it saves on the wide concatenations of STC's aggregation fits. */
  readonly directSolve?: boolean;
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
/** Largest set of non-zero weights of one output the inner loop solves directly (see
 *  directStep): (s + 1)^2 float64 values per output, 8 MB (binary) and 2 MB per class at most. */
const DIRECT_MAX_FEATURES = 1024;
const DIRECT_MAX_FEATURES_PER_CLASS = 512;
/** Keeps a coordinate's curvature positive where every h_i underflows (a separated problem). */
const CURVATURE_FLOOR = 1e-12;
const ARMIJO_SIGMA = 0.01;
const MAX_BACKTRACKS = 40;
/** Ridge of the direct solve, relative to the mean curvature (see directStep). */
const DIRECT_RIDGE = 1e-9;
/** The direct solve starts once a Newton step's passes have cost this share of it. Below 1 it
 *  can cost more than the passes it replaces, when they were about to settle (then both are
 *  cheap); above, the crawling passes of a path's tail are paid for twice. */
const DIRECT_TRIGGER = 0.25;
/** Factorisations per direct solve: each round clips the coordinates that cross zero. */
const DIRECT_ROUNDS = 8;
/** Halvings of a direct step that goes uphill once projected. */
const DIRECT_BACKTRACKS = 12;

/** Multiply-adds of a direct solve over s coordinates and the intercept: the bordered Gram
 *  matrix (s + 1)(s + 2) / 2 column dot products of length n, and its Cholesky factorisation. */
function directWork(s: number, n: number): number {
  return ((s + 1) * (s + 2) * n) / 2 + (s + 1) ** 3 / 6;
}

/** Intercepts are polished until every output's mean residual is below this. */
const INTERCEPT_TOL = 1e-13;
const MAX_INTERCEPT_STEPS = 50;

interface Evaluation {
  /** F(W, b) */
  readonly primal: number;
  readonly gap: number;
}

/** The vectors the kernels work on (kernel-memory.ts), outputs x n unless noted. */
type KernelVector = 'P' | 'R' | 'H' | 'dz' | 's' | 'u' | 'dzTry' | 'hx';

/**
 * One problem (design, labels) and the iterate that moves along the path. Owns all of its memory
 * while it lives (the WebAssembly part is handed on at `release`), touches no other state, and
 * visits coordinates in a fixed order, so the same input gives bit-identical results on the same
 * platform (no randomness anywhere).
 */
export class L1LogisticSolver extends LogisticProblem<KernelVector> {
  /** Smallest lambda whose solution has no non-zero weight. */
  readonly lambdaMax: number;

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
  // indices k * p + j into W: the active coordinates of the active features (`coords`), or the
  // non-zero ones (`nonZero`). A multinomial feature is active when any of its classes is, but only
  // its active classes are swept: most features enter the model in one or two of K classes.
  private readonly active: Int32Array;
  private activeCount = 0;
  private readonly inActive: Uint8Array;
  private readonly coordActive: Uint8Array; // outputs x p
  private readonly coords: Int32Array;
  private readonly nonZero: Int32Array;

  // Workspace, allocated once (outputs x n unless noted); the KernelVector ones in the solver's
  // memory.
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

  // The inner loop's direct solve over the non-zero weights, per output (see directStep).
  private readonly gramCache: (Float64Array | undefined)[]; // per output: gramStride^2, allocated on first use
  private readonly gramStride: number;
  private readonly gramSlot: Int32Array; // outputs x p: slot of a coordinate in its output's cache, -1 if none
  private readonly gramFeature: Int32Array; // outputs x gramStride: the feature in each slot (slot 0: the intercept)
  private readonly gramCount: Int32Array; // outputs: slots in use
  private readonly classList: Int32Array; // outputs x p: a stretch's coordinates, grouped by output
  private readonly directSlot: Int32Array;
  private directFactor = new Float64Array(0); // (s + 1)^2: factorisation workspace
  private readonly directRhs: Float64Array; // s + 1, and the following: one value per coordinate
  private readonly directGrad: Float64Array;
  private readonly directMove: Float64Array;
  private readonly directNewton: Float64Array;
  private readonly directFree: Int32Array;
  private readonly hx: Float64Array; // n: H_k x of the Gram column being filled
  /** The last Newton step at this lambda needed the direct solve: the next one starts its
   *  stretches with it. */
  private directNext = false;
  /** SolverOptions.directSolve of the current solve. */
  private directAllowed = true;

  private sweeps = 0;
  private kktChecks = 0;

  constructor(design: Design, y: Int32Array, nClasses: number) {
    super(design, y, nClasses, (n, B) => ({ P: B * n, R: B * n, H: B * n, dz: B * n, s: n, u: n, dzTry: B * n, hx: n }));
    const { rows: n, cols: p } = design;
    const { X: data, memory } = this;
    const B = this.outputs;

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
    this.coordActive = new Uint8Array(B * p);
    this.coords = new Int32Array(B * p);
    this.nonZero = new Int32Array(B * p);
    ({ P: this.P, R: this.R, H: this.H, dz: this.dz, s: this.s, u: this.u, dzTry: this.dzTry, hx: this.hx } = memory.vectors);
    this.base = new Float64Array(n);
    this.curv = new Float64Array(B * p);
    this.D = new Float64Array(B * p);
    this.db = new Float64Array(B);
    this.curvB = new Float64Array(B);
    this.Hb = new Float64Array(Math.max(0, B - 1) ** 2);
    this.gb = new Float64Array(B);
    this.history = new Float64Array((ANDERSON_DEPTH + 1) * (B * p + B));
    this.gram = new Float64Array(ANDERSON_DEPTH * ANDERSON_DEPTH);
    this.coef = new Float64Array(ANDERSON_DEPTH);
    const directSize = Math.min(p, B === 1 ? DIRECT_MAX_FEATURES : DIRECT_MAX_FEATURES_PER_CLASS) + 1;
    this.directRhs = new Float64Array(directSize);
    this.directGrad = new Float64Array(directSize);
    this.directMove = new Float64Array(directSize);
    this.directNewton = new Float64Array(directSize);
    this.directFree = new Int32Array(directSize);
    this.directSlot = new Int32Array(directSize);
    this.gramStride = directSize;
    this.gramCache = new Array<Float64Array | undefined>(B).fill(undefined);
    this.gramSlot = new Int32Array(B * p).fill(-1);
    this.gramFeature = new Int32Array(B * directSize);
    this.gramCount = new Int32Array(B);
    this.classList = new Int32Array(B > 1 ? B * p : 0);

    this.b.set(this.startIntercepts);
    for (let k = 0; k < B; k++) this.Z.fill(this.b[k] as number, k * n, (k + 1) * n);

    this.computeResiduals();
    let lmax = 0;
    for (const j of this.usable) {
      for (let k = 0; k < B; k++) {
        const g = memory.dot(data, j * n, this.R, k * n, n) / n;
        this.grad[k * p + j] = g;
        lmax = Math.max(lmax, Math.abs(g));
      }
    }
    this.lambdaMax = lmax;
  }

  /** Weights and intercepts of the current iterate (copies; multinomial intercepts centred, as
   *  the softmax only sees their differences). */
  snapshot(): { weights: Float64Array; intercepts: Float64Array } {
    return { weights: Float64Array.from(this.W), intercepts: centre(Float64Array.from(this.b)) };
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

    // Active set: the current support plus the strong set, by coordinate.
    this.inActive.fill(0);
    this.coordActive.fill(0);
    this.activeCount = 0;
    const strong = 2 * lambda - previousLambda;
    for (const j of this.usable) {
      let any = false;
      for (let k = 0; k < B; k++) {
        const idx = k * p + j;
        if (this.W[idx] !== 0 || Math.abs(this.grad[idx] as number) >= strong) {
          this.coordActive[idx] = 1;
          any = true;
        }
      }
      if (any) this.activate(j);
    }

    // Whether coordinate descent crawls is learned anew at each lambda (see newtonStep).
    this.directNext = false;
    this.directAllowed = options.directSolve ?? true;
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
    const { P, R, base } = this;
    return rowState(this.Z, this.y, this.outputs, { P, R, base });
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
        const g = this.memory.dot(X, j * n, R, k * n, n) / n;
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
        const g = this.memory.dot(X, j * n, R, k * n, n) / n;
        grad[k * p + j] = g;
        if (Math.abs(g) > lambda) violates = true;
      }
      if (violates) {
        this.activate(j);
        added++;
      }
      // Its violating classes become active at the next Newton step (see newtonStep).
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
    const { n, p, outputs: B, W, D, curv, curvB } = this;
    this.sweeps++;
    let violation = 0;
    for (let a = 0; a < count; a++) {
      const idx = list[a] as number;
      const k = (idx / p) | 0;
      const xo = (idx - k * p) * n;
      const G = this.weightGradient(k, xo);
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
      this.moveWeight(k, xo, delta);
    }
    for (let k = 0; k < B; k++) {
      const G = this.interceptGradient(k);
      violation += Math.abs(G);
      const delta = -G / (curvB[k] as number);
      this.qCur += 0.5 * G * delta;
      this.moveIntercept(k, delta);
    }
    return violation;
  }

  /** Adds `delta` to output k's intercept direction and updates the quadratic model's state. */
  private moveIntercept(k: number, delta: number): void {
    const { n, H, P, db, u, dz, s } = this;
    const ko = k * n;
    db[k] = (db[k] as number) + delta;
    if (this.outputs === 1) {
      for (let i = 0; i < n; i++) u[i] = (u[i] as number) + delta * (H[i] as number);
    } else {
      for (let i = 0; i < n; i++) {
        dz[ko + i] = (dz[ko + i] as number) + delta;
        s[i] = (s[i] as number) + delta * (P[ko + i] as number);
      }
    }
  }

  /** The model's gradient in output k's weight of the feature whose column starts at xo. */
  private weightGradient(k: number, xo: number): number {
    const { n, X, R, P, dz, s, u } = this;
    return (this.outputs === 1 ? this.memory.dot(X, xo, u, 0, n) : this.memory.multinomialGradient(X, xo, R, P, dz, k * n, s, n)) / n;
  }

  /** The model's gradient in output k's intercept. */
  private interceptGradient(k: number): number {
    const { n, R, P, dz, s, u } = this;
    const ko = k * n;
    let g = 0;
    if (this.outputs === 1) {
      for (let i = 0; i < n; i++) g += u[i] as number;
    } else {
      for (let i = 0; i < n; i++) g += (R[ko + i] as number) + (P[ko + i] as number) * ((dz[ko + i] as number) - (s[i] as number));
    }
    return g / n;
  }

  /** Updates the quadratic model's state for a move of `delta` in output k's weight of the feature
   *  whose column starts at xo (the caller updates D). */
  private moveWeight(k: number, xo: number, delta: number): void {
    const { n, X, H, P, dz, s, u } = this;
    if (this.outputs === 1) this.memory.axpyWeighted(delta, X, xo, H, u, n);
    else this.memory.multinomialUpdate(delta, X, xo, P, dz, k * n, s, n);
  }

  /** Groups a stretch's coordinates (flat indices k * p + j, in increasing order) by output into
   *  `classList`; returns where each output's run starts (outputs + 1 offsets). */
  private groupByOutput(list: Int32Array, count: number): number[] {
    const { p, outputs: B } = this;
    if (B === 1) return [0, count];
    // Coordinates are listed feature by feature; a stable counting sort by output keeps each
    // output's features in that order.
    const starts = new Array<number>(B + 1).fill(0);
    for (let a = 0; a < count; a++) {
      const k = ((list[a] as number) / p) | 0;
      starts[k + 1] = (starts[k + 1] as number) + 1;
    }
    for (let k = 0; k < B; k++) starts[k + 1] = (starts[k + 1] as number) + (starts[k] as number);
    const next = starts.slice(0, B);
    for (let a = 0; a < count; a++) {
      const idx = list[a] as number;
      const k = (idx / p) | 0;
      this.classList[next[k] as number] = idx;
      next[k] = (next[k] as number) + 1;
    }
    return starts;
  }

  /** Multiply-adds of a direct solve of a stretch grouped by `groupByOutput`, Infinity when an
   *  output has too many coordinates for it. */
  private directCost(starts: readonly number[]): number {
    let work = 0;
    for (let k = 0; k < this.outputs; k++) {
      const c = (starts[k + 1] as number) - (starts[k] as number);
      if (c + 1 > this.gramStride) return Infinity;
      work += directWork(c, this.n);
    }
    return work;
  }

  /** The direct solve of a stretch (`list`, grouped into `starts` by `groupByOutput`), output by
   *  output (one block Gauss-Seidel pass for multinomial). Returns whether the direction moved. */
  private directStretch(list: Int32Array, starts: readonly number[], lambda: number): boolean {
    if (this.outputs === 1) return this.directStep(0, list, starts[1] as number, lambda);
    let moved = false;
    for (let k = 0; k < this.outputs; k++) {
      const from = starts[k] as number;
      const c = (starts[k + 1] as number) - from;
      if (c > 0 && this.directStep(k, this.classList.subarray(from, from + c), c, lambda)) moved = true;
    }
    return moved;
  }

  /**
   * Makes sure output k's cached Gram matrix of this Newton step, (1/n) [1 X_c]^T diag(H_k)
   * [1 X_c] over the intercept (slot 0) and the cached columns c, has a slot for every
   * coordinate of `list` (flat indices k * p + j). H is fixed within a Newton step, so the
   * stretches of one step share it and each pays only for the columns that are new to it. Starts
   * over when the cache is full.
   */
  private gramColumns(k: number, list: Int32Array, count: number): void {
    const { n, p, X, H, hx, gramSlot, gramFeature } = this;
    const stride = this.gramStride;
    const ko = k * n;
    const fo = k * stride;
    let G = this.gramCache[k];
    if (!G) {
      G = new Float64Array(stride * stride);
      this.gramCache[k] = G;
    }
    let missing = 0;
    for (let a = 0; a < count; a++) if ((gramSlot[list[a] as number] as number) < 0) missing++;
    let used = this.gramCount[k] as number;
    if (used === 0 || used + missing > stride) {
      this.resetGram(k);
      let hs = 0;
      for (let i = 0; i < n; i++) hs += H[ko + i] as number;
      G[0] = hs / n;
      used = 1;
    }
    for (let a = 0; a < count; a++) {
      const idx = list[a] as number;
      if ((gramSlot[idx] as number) >= 0) continue;
      const slot = used++;
      gramSlot[idx] = slot;
      gramFeature[fo + slot] = idx - k * p;
      const xo = (idx - k * p) * n;
      let c = 0;
      for (let i = 0; i < n; i++) {
        const v = (H[ko + i] as number) * (X[xo + i] as number);
        hx[i] = v;
        c += v;
      }
      G[slot * stride] = c / n;
      G[slot] = c / n;
      let t = 1;
      for (; t < slot; t += 2) {
        const pair = this.memory.dot2(X, (gramFeature[fo + t] as number) * n, (gramFeature[fo + t + 1] as number) * n, hx, 0, n);
        const v = (pair[0] as number) / n;
        const w = (pair[1] as number) / n;
        G[slot * stride + t] = v;
        G[t * stride + slot] = v;
        G[slot * stride + t + 1] = w;
        G[(t + 1) * stride + slot] = w;
      }
      if (t === slot) {
        const v = this.memory.dot(X, (gramFeature[fo + t] as number) * n, hx, 0, n) / n;
        G[slot * stride + t] = v;
        G[t * stride + slot] = v;
      }
    }
    this.gramCount[k] = used;
  }

  /** Empties output k's Gram cache, or every output's (H changed: a new Newton step). */
  private resetGram(k?: number): void {
    const { p, gramCount, gramFeature, gramSlot } = this;
    const stride = this.gramStride;
    const [first, end] = k === undefined ? [0, this.outputs] : [k, k + 1];
    for (let o = first; o < end; o++) {
      for (let slot = 1; slot < (gramCount[o] as number); slot++) gramSlot[o * p + (gramFeature[o * stride + slot] as number)] = -1;
      gramCount[o] = 0;
    }
  }

  /**
   * Solves the quadratic model over output k's `count` non-zero coordinates in `list` (flat
   * indices k * p + j) and its intercept, the other outputs' directions held (for binary, the
   * whole model), by an active-set Newton method on the model, which is exact for a quadratic
   * once the signs are right: with the signs held, the L1 term is linear and the minimiser solves
   *   M Delta = -(model gradient + lambda sign),   M = [X_F 1]^T diag(H_k) [X_F 1] / n
   * over the free coordinates F (diag(H_k) = p_k (1 - p_k) is the model's curvature within one
   * output; the coupling between outputs enters through the gradient). A coordinate whose
   * solution crosses zero is clipped to zero and leaves F (the projected step, halved until it
   * lowers the model), and F is solved again: a few small factorisations of sub-matrices of one
   * Gram matrix. Coordinate descent needs hundreds of passes for this when the non-zero features
   * are many and correlated (the tail of a path: SST-2 FFN features, ~350 non-zero, ~350 passes
   * per Newton step); the passes that follow bring back any clipped coordinate that should not be
   * zero. Returns whether the direction moved.
   */
  private directStep(k: number, list: Int32Array, count: number, lambda: number): boolean {
    const { n, p, W, D } = this;
    const dim = count + 1;
    const { directGrad: grad, directMove: move, directRhs: rhs, directNewton: newton, directFree: free, directSlot: slot } = this;
    this.gramColumns(k, list, count);
    const G = this.gramCache[k] as Float64Array;
    const stride = this.gramStride;
    // Local coordinate a (the intercept last) lives in row/column slot[a] of the cached Gram matrix.
    let trace = G[0] as number;
    for (let a = 0; a < count; a++) {
      const idx = list[a] as number;
      const xo = (idx - k * p) * n;
      const sa = this.gramSlot[idx] as number;
      slot[a] = sa;
      trace += G[sa * stride + sa] as number;
      // The model's gradient at the current direction.
      grad[a] = this.weightGradient(k, xo);
    }
    slot[count] = 0;
    grad[count] = this.interceptGradient(k);
    // A ridge far below the model's curvature keeps the factorisations defined when the columns
    // are (numerically) dependent, e.g. more of them than rows.
    const ridge = DIRECT_RIDGE * (trace / dim) + CURVATURE_FLOOR;
    // Current value of each coordinate (weights: W + D; the intercept's direction is unpenalised).
    const value = (a: number) => (a === count ? 0 : (W[list[a] as number] as number) + (D[list[a] as number] as number) + (move[a] as number));
    move.fill(0, 0, dim);
    let nFree = 0;
    for (let a = 0; a < dim; a++) free[nFree++] = a;
    let moved = false;
    if (this.directFactor.length < dim * dim) this.directFactor = new Float64Array(dim * dim);
    const F = this.directFactor;
    for (let round = 0; round < DIRECT_ROUNDS && nFree > 0; round++) {
      for (let r = 0; r < nFree; r++) {
        const a = free[r] as number;
        const ao = (slot[a] as number) * stride;
        for (let c = 0; c <= r; c++) F[r * nFree + c] = G[ao + (slot[free[c] as number] as number)] as number;
        F[r * nFree + r] = (F[r * nFree + r] as number) + ridge;
        const v = value(a);
        rhs[r] = -((grad[a] as number) + (a === count ? 0 : lambda * Math.sign(v)));
      }
      if (!choleskySolve(F, rhs, nFree)) break;
      // The projected step: coordinates that would cross zero stop at zero. Halved until it
      // lowers the model (short steps clip only the coordinates closest to zero).
      newton.set(rhs.subarray(0, nFree));
      let clipped = 0;
      let change = 0;
      for (let t = 1, tries = 0; tries < DIRECT_BACKTRACKS; tries++, t *= 0.5) {
        clipped = 0;
        change = 0;
        for (let r = 0; r < nFree; r++) {
          const a = free[r] as number;
          const v = value(a);
          let step = t * (newton[r] as number);
          if (a !== count && (v + step) * v <= 0) {
            step = -v;
            clipped++;
          }
          rhs[r] = step;
          change += (grad[a] as number) * step + (a === count ? 0 : lambda * (Math.abs(v + step) - Math.abs(v)));
        }
        let quad = 0;
        for (let r = 0; r < nFree; r++) {
          let row = 0;
          const ao = (slot[free[r] as number] as number) * stride;
          for (let c = 0; c < nFree; c++) row += (G[ao + (slot[free[c] as number] as number)] as number) * (rhs[c] as number);
          quad += (rhs[r] as number) * row;
        }
        change += 0.5 * quad;
        if (change < 0) break;
      }
      if (!(change < 0)) break;
      moved = true;
      this.qCur += change;
      // Model gradient after the step, over every coordinate of the set.
      for (let a = 0; a < dim; a++) {
        let g = 0;
        const ao = (slot[a] as number) * stride;
        for (let r = 0; r < nFree; r++) g += (G[ao + (slot[free[r] as number] as number)] as number) * (rhs[r] as number);
        grad[a] = (grad[a] as number) + g;
      }
      let kept = 0;
      for (let r = 0; r < nFree; r++) {
        const a = free[r] as number;
        const v = value(a);
        move[a] = (move[a] as number) + (rhs[r] as number);
        // A clipped coordinate is now exactly zero: force it, and leave it out of the next round.
        if (a !== count && (v + (rhs[r] as number)) * v <= 0) move[a] = -((W[list[a] as number] as number) + (D[list[a] as number] as number));
        else free[kept++] = a;
      }
      nFree = kept;
      if (clipped === 0) break;
    }
    if (!moved) return false;
    for (let a = 0; a < count; a++) {
      const delta = move[a] as number;
      if (delta === 0) continue;
      const idx = list[a] as number;
      D[idx] = delta === -((W[idx] as number) + (D[idx] as number)) ? -(W[idx] as number) : (D[idx] as number) + delta;
      this.moveWeight(k, (idx - k * p) * n, delta);
    }
    this.moveIntercept(k, move[count] as number);
    return true;
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
        if (d !== 0) this.memory.axpy(d, X, j * n, dzTry, k * n, n);
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
    const { n, p, outputs: B, X, Z, W, P, R, H, dz, s, u, base, curv, curvB, D, db, y, grad, coordActive } = this;
    const active = this.active;
    const m = this.activeCount;

    // A class of an active feature that the strong rule left out joins once its gradient (of the
    // last evaluation) violates the optimality condition at zero.
    const coords = this.coords;
    let mc = 0;
    for (let a = 0; a < m; a++) {
      const j = active[a] as number;
      for (let k = 0; k < B; k++) {
        const idx = k * p + j;
        if (!coordActive[idx] && Math.abs(grad[idx] as number) > lambda) coordActive[idx] = 1;
        D[idx] = 0;
        if (coordActive[idx]) coords[mc++] = idx;
      }
    }

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
    }
    for (let a = 0; a < mc; a++) {
      const idx = coords[a] as number;
      const k = (idx / p) | 0;
      curv[idx] = this.memory.weightedSquares(X, (idx - k * p) * n, H, k * n, n) / n + CURVATURE_FLOOR;
    }
    dz.fill(0);
    s.fill(0);
    if (B === 1) u.set(R);

    // Inner coordinate descent (glmnet's cycling): a pass over every coordinate of the active set,
    // then passes over the non-zero ones until they settle, and again, until a whole pass is below
    // the threshold. Anderson extrapolation runs along each stretch of passes over one list.
    const nz = this.nonZero;
    let threshold = -1;
    let usedDirect = false;
    this.qCur = 0;
    this.historyCount = 0;
    this.anderson(lambda);
    // Work of this step's passes so far (multiply-adds): the direct solve starts once it is due.
    let stepWork = 0;
    for (let total = 0; total < MAX_SWEEPS_PER_STEP; ) {
      const v = this.sweep(coords, mc, lambda);
      total++;
      stepWork += 2 * mc * n;
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
      // Once this step's passes have cost DIRECT_TRIGGER x a direct solve of the stretch (or the
      // last step at this lambda needed one), each stretch starts with the direct solve.
      const groups = this.directAllowed ? this.groupByOutput(nz, nzCount) : undefined;
      const directCost = groups ? this.directCost(groups) : Infinity;
      let direct = false;
      while (total < MAX_SWEEPS_PER_STEP) {
        if (groups && !direct && directCost < Infinity && (this.directNext || stepWork >= DIRECT_TRIGGER * directCost)) {
          direct = true;
          usedDirect = true;
          if (this.directStretch(nz, groups, lambda)) {
            this.historyCount = 0;
            this.anderson(lambda);
          }
        }
        total++;
        stepWork += 2 * nzCount * n;
        if (this.sweep(nz, nzCount, lambda) <= threshold) break;
        this.anderson(lambda);
      }
      this.historyCount = 0;
    }
    this.directNext = usedDirect;
    this.resetGram();

    // Score change of the direction (the binary kernel does not track it), and the Armijo
    // reference Delta = grad^T (D, db) + lambda (||W + D||_1 - ||W||_1).
    if (B === 1) {
      dz.fill(db[0] as number);
      for (let a = 0; a < m; a++) {
        const j = active[a] as number;
        const dj = D[j] as number;
        if (dj !== 0) this.memory.axpy(dj, X, j * n, dz, 0, n);
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
