// Scalar functions and the small dense solves of the solvers. The loops over a design column are
// WebAssembly SIMD kernels (kernels.wat, bound to a solver's memory by kernel-memory.ts).

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
