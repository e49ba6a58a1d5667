// Numeric primitives of the solver's inner loops. A column of the design is the float32 range
// X[xo .. xo + n); everything else is float64. Hand-unrolled where it measurably pays in V8
// (independent accumulators let the CPU overlap the multiply-adds).

export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

export function xlogx(x: number): number {
  return x > 0 ? x * Math.log(x) : 0;
}

/** sum_i X[xo + i] * v[vo + i] */
export function dot(X: Float32Array, xo: number, v: Float64Array, vo: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const n4 = n - (n & 3);
  let i = 0;
  for (; i < n4; i += 4) {
    s0 += (X[xo + i] as number) * (v[vo + i] as number);
    s1 += (X[xo + i + 1] as number) * (v[vo + i + 1] as number);
    s2 += (X[xo + i + 2] as number) * (v[vo + i + 2] as number);
    s3 += (X[xo + i + 3] as number) * (v[vo + i + 3] as number);
  }
  for (; i < n; i++) s0 += (X[xo + i] as number) * (v[vo + i] as number);
  return s0 + s1 + (s2 + s3);
}

/** `dot` of two columns, xa and xb, with the same v, into out[0] and out[1]: v is read once for
 *  both, and each sum is accumulated exactly as `dot` does it, so the results are bit-identical. */
export function dot2(X: Float32Array, xa: number, xb: number, v: Float64Array, vo: number, n: number, out: Float64Array): void {
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  let b0 = 0;
  let b1 = 0;
  let b2 = 0;
  let b3 = 0;
  const n4 = n - (n & 3);
  let i = 0;
  for (; i < n4; i += 4) {
    const v0 = v[vo + i] as number;
    const v1 = v[vo + i + 1] as number;
    const v2 = v[vo + i + 2] as number;
    const v3 = v[vo + i + 3] as number;
    a0 += (X[xa + i] as number) * v0;
    a1 += (X[xa + i + 1] as number) * v1;
    a2 += (X[xa + i + 2] as number) * v2;
    a3 += (X[xa + i + 3] as number) * v3;
    b0 += (X[xb + i] as number) * v0;
    b1 += (X[xb + i + 1] as number) * v1;
    b2 += (X[xb + i + 2] as number) * v2;
    b3 += (X[xb + i + 3] as number) * v3;
  }
  for (; i < n; i++) {
    a0 += (X[xa + i] as number) * (v[vo + i] as number);
    b0 += (X[xb + i] as number) * (v[vo + i] as number);
  }
  out[0] = a0 + a1 + (a2 + a3);
  out[1] = b0 + b1 + (b2 + b3);
}

/** sum_i h[ho + i] * X[xo + i]^2 */
export function weightedSquares(X: Float32Array, xo: number, h: Float64Array, ho: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  const n2 = n - (n & 1);
  let i = 0;
  for (; i < n2; i += 2) {
    const a = X[xo + i] as number;
    const b = X[xo + i + 1] as number;
    s0 += (h[ho + i] as number) * a * a;
    s1 += (h[ho + i + 1] as number) * b * b;
  }
  if (i < n) {
    const a = X[xo + i] as number;
    s0 += (h[ho + i] as number) * a * a;
  }
  return s0 + s1;
}

/** v[i] += c * X[xo + i] */
export function axpy(c: number, X: Float32Array, xo: number, v: Float64Array, vo: number, n: number): void {
  for (let i = 0; i < n; i++) v[vo + i] = (v[vo + i] as number) + c * (X[xo + i] as number);
}

/** u[i] += c * h[i] * X[xo + i] */
export function axpyWeighted(c: number, X: Float32Array, xo: number, h: Float64Array, u: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) u[i] = (u[i] as number) + c * (h[i] as number) * (X[xo + i] as number);
}

/**
 * Gradient of the multinomial quadratic model in one weight (class k, feature column xo):
 * sum_i x_i (r_ki + p_ki (dz_ki - s_i)), where dz is the score change of the direction so far
 * and s_i = sum_k p_ki dz_ki (the row's mean score change under its own probabilities).
 */
export function multinomialGradient(X: Float32Array, xo: number, R: Float64Array, P: Float64Array, dz: Float64Array, ko: number, s: Float64Array, n: number): number {
  let s0 = 0;
  let s1 = 0;
  const n2 = n - (n & 1);
  let i = 0;
  for (; i < n2; i += 2) {
    const a = ko + i;
    const b = a + 1;
    s0 += (X[xo + i] as number) * ((R[a] as number) + (P[a] as number) * ((dz[a] as number) - (s[i] as number)));
    s1 += (X[xo + i + 1] as number) * ((R[b] as number) + (P[b] as number) * ((dz[b] as number) - (s[i + 1] as number)));
  }
  if (i < n) s0 += (X[xo + i] as number) * ((R[ko + i] as number) + (P[ko + i] as number) * ((dz[ko + i] as number) - (s[i] as number)));
  return s0 + s1;
}

/** Moves one multinomial weight by c: dz_k += c x, s += c p_k x. */
export function multinomialUpdate(c: number, X: Float32Array, xo: number, P: Float64Array, dz: Float64Array, ko: number, s: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const step = c * (X[xo + i] as number);
    dz[ko + i] = (dz[ko + i] as number) + step;
    s[i] = (s[i] as number) + step * (P[ko + i] as number);
  }
}

/** Solves M x = rhs in place (Gaussian elimination with partial pivoting), M m x m row-major.
 *  Returns false when M is singular. */
export function solveDense(M: Float64Array, rhs: Float64Array, m: number): boolean {
  for (let c = 0; c < m; c++) {
    let piv = c;
    for (let r = c + 1; r < m; r++) if (Math.abs(M[r * m + c] as number) > Math.abs(M[piv * m + c] as number)) piv = r;
    const pv = M[piv * m + c] as number;
    if (!(Math.abs(pv) > 0)) return false;
    if (piv !== c) {
      for (let k = 0; k < m; k++) {
        const t = M[c * m + k] as number;
        M[c * m + k] = M[piv * m + k] as number;
        M[piv * m + k] = t;
      }
      const t = rhs[c] as number;
      rhs[c] = rhs[piv] as number;
      rhs[piv] = t;
    }
    for (let r = c + 1; r < m; r++) {
      const f = (M[r * m + c] as number) / pv;
      if (f === 0) continue;
      for (let k = c; k < m; k++) M[r * m + k] = (M[r * m + k] as number) - f * (M[c * m + k] as number);
      rhs[r] = (rhs[r] as number) - f * (rhs[c] as number);
    }
  }
  for (let c = m - 1; c >= 0; c--) {
    let s = rhs[c] as number;
    for (let k = c + 1; k < m; k++) s -= (M[c * m + k] as number) * (rhs[k] as number);
    rhs[c] = s / (M[c * m + c] as number);
  }
  return true;
}

/** Solves M x = rhs in place for a symmetric positive definite m x m row-major M (Cholesky; M's
 *  lower triangle is overwritten with the factor). Returns false when M is not positive definite. */
export function choleskySolve(M: Float64Array, rhs: Float64Array, m: number): boolean {
  for (let c = 0; c < m; c++) {
    const co = c * m;
    let d = M[co + c] as number;
    for (let k = 0; k < c; k++) d -= (M[co + k] as number) ** 2;
    if (!(d > 0)) return false;
    const l = Math.sqrt(d);
    M[co + c] = l;
    for (let r = c + 1; r < m; r++) {
      const ro = r * m;
      let s = M[ro + c] as number;
      for (let k = 0; k < c; k++) s -= (M[ro + k] as number) * (M[co + k] as number);
      M[ro + c] = s / l;
    }
  }
  for (let r = 0; r < m; r++) {
    let s = rhs[r] as number;
    for (let k = 0; k < r; k++) s -= (M[r * m + k] as number) * (rhs[k] as number);
    rhs[r] = s / (M[r * m + r] as number);
  }
  for (let r = m - 1; r >= 0; r--) {
    let s = rhs[r] as number;
    for (let k = r + 1; k < m; k++) s -= (M[k * m + r] as number) * (rhs[k] as number);
    rhs[r] = s / (M[r * m + r] as number);
  }
  return true;
}
