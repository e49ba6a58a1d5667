"""scikit-learn timings on the problems of bench/learn-solver.ts, for comparison (not a test).

    node --import tsx bench/learn-solver.ts --dump          # writes bench/.work/learn-solver/
    .venv/bin/python scripts/reference/learn_solver_sklearn.py [--max-iter 64] [--Cs 0.1,0.2,1,10,100] [--liblinear-Cs 0.1,1]

Times saga (what the reference STC pipeline runs: L1, at most --max-iter epochs, tol 1e-4, over its
C grid) and liblinear (binary only) on the same standardised float32 data, one fit per C,
and prints each fit's objective in the mean-loss form F = (1/n) sum_i loss_i + lambda ||W||_1,
lambda = 1/(C n), so it can be set beside the TypeScript solver's. Versions:
scripts/models/requirements.txt.
"""

import argparse
import json
import os
import time
import warnings
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from scipy.special import logsumexp  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

WORK = Path(__file__).resolve().parents[2] / "bench" / ".work" / "learn-solver"


def load(classes):
    shape = json.loads((WORK / f"k{classes}_shape.json").read_text())
    rows, val_rows, cols = shape["rows"], shape["valRows"], shape["cols"]
    X = np.fromfile(WORK / f"k{classes}_train_X.f32", dtype="<f4").reshape(rows, cols).astype(np.float64)
    y = np.fromfile(WORK / f"k{classes}_train_y.i32", dtype="<i4")
    Xv = np.fromfile(WORK / f"k{classes}_val_X.f32", dtype="<f4").reshape(val_rows, cols).astype(np.float64)
    yv = np.fromfile(WORK / f"k{classes}_val_y.i32", dtype="<i4")
    return X, y, Xv, yv


def objective(X, y, m, lam):
    Z = X @ m.coef_.T + m.intercept_
    if Z.shape[1] == 1:
        z = Z[:, 0]
        loss = np.mean(np.logaddexp(0, z) - y * z)
    else:
        loss = np.mean(logsumexp(Z, axis=1) - Z[np.arange(len(y)), y])
    return loss + lam * np.abs(m.coef_).sum()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-iter", type=int, default=64)
    ap.add_argument("--Cs", default="0.1,0.2,1,10,100")
    ap.add_argument("--liblinear-Cs", default="0.1,1")
    args = ap.parse_args()
    grids = {"saga": [float(c) for c in args.Cs.split(",")], "liblinear": [float(c) for c in args.liblinear_Cs.split(",")]}
    for classes in (2, 5):
        X, y, Xv, yv = load(classes)
        n = len(y)
        print(f"\n{classes}-class, {X.shape[0]} x {X.shape[1]}")
        solvers = ["saga", "liblinear"] if classes == 2 else ["saga"]
        for solver in solvers:
            total_wall = total_cpu = 0.0
            for C in grids[solver]:
                kw = dict(l1_ratio=1, solver=solver, C=C, tol=1e-4)
                kw["max_iter"] = args.max_iter if solver == "saga" else 1000
                if solver == "liblinear":
                    kw["intercept_scaling"] = 1e4
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always", ConvergenceWarning)
                    t0, c0 = time.perf_counter(), time.process_time()
                    m = LogisticRegression(**kw).fit(X, y)
                    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
                total_wall += wall
                total_cpu += cpu
                converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
                support = int((m.coef_ != 0).any(axis=0).sum())
                print(f"  {solver:9s} C={C:<5g} {wall:7.2f} s wall {cpu:7.2f} s CPU  epochs {int(np.max(m.n_iter_)):4d}  "
                      f"converged {converged!s:5s}  support {support:4d}  objective {objective(X, y, m, 1 / (C * n)):.6f}  "
                      f"val.acc {m.score(Xv, yv):.4f}")
            print(f"  {solver} over its grid: {total_wall:.2f} s wall, {total_cpu:.2f} s CPU")


if __name__ == "__main__":
    main()
