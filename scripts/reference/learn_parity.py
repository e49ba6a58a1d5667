"""Reference values for the learning core's parity tests (test/learn/parity.test.ts).

Run once, commit the output; not a runtime dependency. Versions: scripts/models/requirements.txt
(scikit-learn 1.9.1, numpy 2.4.6, scipy 1.17.1), Python 3.11.

    .venv/bin/python scripts/reference/learn_parity.py   # writes test/fixtures/learn/parity.json

Objective compared (mean-loss form, intercepts unpenalised):
    F(W, b) = (1/n) sum_i loss_i + lambda * sum |W|,  lambda = 1 / (C n)
which is scikit-learn's  ||W||_1 + C sum_i loss_i  divided by C n. References:
  - binary: liblinear (newGLMNET) with intercept_scaling = 1e4, so its penalty on the intercept,
    |b| / 1e4, is negligible; and saga, which leaves the intercept unpenalised.
  - multi-class: saga (multinomial softmax loss, L1 on every class's weights), and liblinear
    one-vs-rest (one binary problem per class, as OneVsRestClassifier does).
  - L2 (ridge), binary and multinomial: lbfgs, objective (1/n) sum_i loss_i + (lambda / 2) ||W||^2
    (scikit-learn's  ||W||^2 / 2 + C sum_i loss_i  divided by C n), solver "lbfgs-l2".
All at tight tolerances. Features are float32 (what the TypeScript solver stores): every problem
is rounded to float32 first and scikit-learn fits the float64 copy of exactly those values.
"""

import base64
import json
import platform
import warnings
from pathlib import Path

import numpy as np
import scipy
import sklearn
from scipy.special import logsumexp
from sklearn.datasets import load_breast_cancer, load_wine
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, log_loss, precision_recall_fscore_support
from sklearn.preprocessing import StandardScaler

OUT = Path(__file__).resolve().parents[2] / "test" / "fixtures" / "learn" / "parity.json"
warnings.simplefilter("ignore")  # sklearn 1.9 deprecation notices about `penalty`; we use l1_ratio


def f32_b64(a):
    return base64.b64encode(np.ascontiguousarray(a, dtype="<f4").tobytes()).decode()


def standardise32(X):
    """Standardise in float64, round to float32: the design the solver sees."""
    return ((X - X.mean(0)) / X.std(0)).astype(np.float32)


def objective(X, y, coef, intercept, lam, penalty="l1"):
    Z = X @ coef.T + intercept
    if coef.shape[0] == 1:
        z = Z[:, 0]
        loss = np.mean(np.logaddexp(0, z) - y * z)
    else:
        loss = np.mean(logsumexp(Z, axis=1) - Z[np.arange(len(y)), y])
    return float(loss + (lam * np.abs(coef).sum() if penalty == "l1" else lam / 2 * (coef ** 2).sum()))


def fit(X, y, C, solver):
    if solver == "lbfgs-l2":
        m = LogisticRegression(l1_ratio=0, solver="lbfgs", C=C, tol=1e-12, max_iter=100000)
    elif solver == "liblinear":
        m = LogisticRegression(l1_ratio=1, solver="liblinear", C=C, tol=1e-12, max_iter=100000, intercept_scaling=1e4, random_state=0)
    else:
        m = LogisticRegression(l1_ratio=1, solver="saga", C=C, tol=1e-11, max_iter=2000000, random_state=0)
    m.fit(X, y)
    return m.coef_, m.intercept_, int(np.max(m.n_iter_))


def problem(name, X32, y, Cs, note):
    X = X32.astype(np.float64)
    n = len(y)
    K = int(y.max()) + 1
    fits = []
    for C in Cs:
        lam = 1.0 / (C * n)
        solvers = ["liblinear", "saga"] if K == 2 else ["saga"]
        for solver in solvers:
            coef, intercept, n_iter = fit(X, y, C, solver)
            fits.append(dict(solver=solver, C=C, **{"lambda": lam}, coef=coef.tolist(), intercept=intercept.tolist(),
                             objective=objective(X, y, coef, intercept, lam), n_iter=n_iter))
        coef, intercept, n_iter = fit(X, y, C, "lbfgs-l2")
        fits.append(dict(solver="lbfgs-l2", C=C, **{"lambda": lam}, coef=coef.tolist(), intercept=intercept.tolist(),
                         objective=objective(X, y, coef, intercept, lam, "l2"), n_iter=n_iter))
        if K > 2:
            for k in range(K):
                yk = (y == k).astype(int)
                coef, intercept, n_iter = fit(X, yk, C, "liblinear")
                fits.append(dict(solver="liblinear-ovr", positive_class=k, C=C, **{"lambda": lam}, coef=coef.tolist(),
                                 intercept=intercept.tolist(), objective=objective(X, yk, coef, intercept, lam), n_iter=n_iter))
        print(name, C, [(f["solver"], f.get("positive_class"), f["objective"], int((np.array(f["coef"]) != 0).any(0).sum())) for f in fits[-(K if K > 2 else 2) - (1 if K > 2 else 0):]])
    return dict(name=name, note=note, rows=n, cols=X32.shape[1], nClasses=K, X=f32_b64(X32), y=y.astype(int).tolist(), fits=fits)


def main():
    rng = np.random.default_rng(20240607)
    problems = []

    # Binary, real features with strong correlations (radius, perimeter, area...), n > p.
    Xbc, ybc = load_breast_cancer(return_X_y=True)
    idx = np.sort(rng.choice(len(ybc), 120, replace=False))
    raw = Xbc[idx].astype(np.float32)
    ybc = ybc[idx]
    problems.append(problem("breast_cancer_binary", standardise32(raw.astype(np.float64)), ybc, [0.05, 0.5, 5.0],
                            "sklearn breast cancer, 120 rows, 30 standardised features"))

    # Binary, p > n: 40 rows, 100 features, 5 informative.
    n, p = 40, 100
    Xw = rng.standard_normal((n, p))
    beta = np.zeros(p)
    beta[:5] = [2.0, -1.5, 1.0, -1.0, 0.8]
    yw = (Xw @ beta + 0.5 * rng.standard_normal(n) > 0).astype(int)
    problems.append(problem("wide_binary", standardise32(Xw), yw, [0.1, 1.0, 10.0],
                            "synthetic p > n: 40 rows, 100 features, 5 informative"))

    # Multi-class, real features, n > p.
    Xwi, ywi = load_wine(return_X_y=True)
    problems.append(problem("wine_multiclass", standardise32(Xwi), ywi, [0.05, 0.5, 5.0],
                            "sklearn wine, 178 rows, 13 standardised features, 3 classes"))

    # Multi-class, p > n: 45 rows, 80 features, 4 classes.
    n, p, K = 45, 80, 4
    Xm = rng.standard_normal((n, p))
    B = np.zeros((p, K))
    B[:8] = rng.standard_normal((8, K)) * 1.5
    ym = np.argmax(Xm @ B + rng.gumbel(size=(n, K)) * 0.5, axis=1)
    problems.append(problem("wide_multiclass", standardise32(Xm), ym, [0.1, 1.0, 10.0],
                            "synthetic p > n: 45 rows, 80 features, 4 classes, 8 informative"))

    # Standardiser reference: StandardScaler on the raw (float32) breast cancer rows.
    sc = StandardScaler().fit(raw.astype(np.float64))
    standardiser = dict(rows=raw.shape[0], cols=raw.shape[1], X=f32_b64(raw), mean=sc.mean_.tolist(), scale=sc.scale_.tolist())

    # Metrics reference: 3 classes, class 2 never predicted (zero-division convention).
    y_true = np.array([0, 0, 0, 1, 1, 1, 1, 2, 2, 0, 1, 2])
    y_pred = np.array([0, 1, 0, 1, 1, 0, 1, 1, 0, 0, 1, 1])
    proba = rng.dirichlet(np.ones(3), size=len(y_true))
    prec, rec, f1, sup = precision_recall_fscore_support(y_true, y_pred, labels=[0, 1, 2], zero_division=0)
    metrics = dict(y_true=y_true.tolist(), y_pred=y_pred.tolist(), proba=proba.ravel().tolist(),
                   accuracy=accuracy_score(y_true, y_pred), macro_f1=f1_score(y_true, y_pred, average="macro", zero_division=0),
                   precision=prec.tolist(), recall=rec.tolist(), f1=f1.tolist(), support=sup.tolist(),
                   confusion=confusion_matrix(y_true, y_pred, labels=[0, 1, 2]).tolist(),
                   log_loss=log_loss(y_true, proba, labels=[0, 1, 2]))

    out = dict(generator="scripts/reference/learn_parity.py",
               versions=dict(python=platform.python_version(), sklearn=sklearn.__version__, numpy=np.__version__, scipy=scipy.__version__),
               objective="(1/n) sum_i loss_i + lambda * sum |W| (lbfgs-l2: + lambda / 2 * sum W^2), lambda = 1/(C n), intercepts unpenalised",
               problems=problems, standardiser=standardiser, metrics=metrics)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(out, separators=(",", ":")) + "\n")
    print("wrote", OUT, OUT.stat().st_size, "bytes")


if __name__ == "__main__":
    main()
