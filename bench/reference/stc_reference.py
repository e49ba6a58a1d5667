#!/usr/bin/env python3
"""The paper's Sparsify-then-Classify pipeline as its code does it: the benchmark anchor for our STC.

Not product code (issue 4, section 3). Liu, Jiao, Anderson, arXiv:2311.15983 / SPIN (Findings of
ACL 2024), reference code github.com/difanj0713/SPIN. Runs on feature files exported from our store
(or written by extract_torch.py / make_synthetic.py), so both pipelines see the very same numbers.

Protocol kept from the paper:
- every probe and the final classifier: scikit-learn saga, pure L1 logistic regression
  (`LogisticRegression(l1_ratio=1, solver='saga')`, which is the paper's
  `penalty='elasticnet', l1_ratio=1`; scikit-learn 1.8 deprecated `penalty`), max_iter=64 epochs,
  default tol, C in {0.1, 0.2, 1, 10, 100}, multinomial for more than two classes;
- raw features, NOT standardised (saga converges badly on the residual stream's huge dimensions;
  that is the paper's behaviour and is measured, not fixed: see `fits.not_converged`);
- one probe per (kind, layer, pooling); importance of neuron j = w_j^2; per layer keep the neurons
  with the largest importance until the kept importance reaches eta x total, at least one; eta in
  {0.001, 0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8};
- progressive aggregation: the final L1-LR on the concatenation of the kept neurons of the first k
  layers, k = 1..L, for every (kind, pooling, eta); (kind, pooling, eta, k) chosen on validation.

How k maps to layers (explicit, since hid has L+1 layers): k is the number of transformer blocks
that must run (the early-exit point), the same for both kinds.
  act: layers 0..k-1 (block l's FFN neurons);
  hid: layers 0..k   (hid[0] = embeddings, hid[l] = output of block l-1), so k = L includes the
       final layer, the one the last-layer baseline uses.

Defects of the reference code fixed here, only those that would make it unfairly worse:
1. Best-C probe: the probe kept for sparsification is the one with the best validation score over
   the C grid (the reference keeps whichever C finished last).
2. Best final classifier: the final classifier's C is chosen on validation and that fitted model is
   the one evaluated (the reference reports its last training iteration).
3. Multi-class importance: w_j^2 summed over classes of coef_ (the reference uses coef_[0] only,
   which is wrong for more than two classes; for two classes coef_ has one row and nothing changes).
4. Selection on validation only: C, eta, k, kind and pooling are all chosen on the dev split; the
   test split is scored once, for the chosen configuration and for each baseline (early versions of
   the reference selected on test).
Ties on validation go to the smaller C (stronger regularisation) and to fewer features, then smaller k.

Speed-ups that cannot change any result (they only make the anchor faster, i.e. harder to beat):
fits whose feature set repeats an earlier one (small etas often keep one neuron per layer for several
etas) are fitted once and shared (`fits.shared`); --jobs N runs independent fits in N processes
(scikit-learn's own n_jobs does nothing for saga's binary or multinomial fits).

Baselines in the same output: the last layer's hidden state (hid layer L) pooled mean and single
token, each with an L1-LR whose C is chosen on validation (the usual "sentence embedding +
classifier"), and the best single-layer probe by validation score.

Input (our feature store's .npy export):
  DIR/meta.json     {"num_layers": L, ...}        DIR/labels.json   ["class name", ...]
  DIR/{train,dev,test}/labels.npy (int64)         DIR/{train,dev,test}/L{layer}.{kind}.{pooling}.npy (float32 [rows, dim])

Usage:
  .venv/bin/python bench/reference/stc_reference.py DIR [--kinds hid,act] [--poolings mean,max,single]
      [--metric accuracy|macro_f1] [--jobs 1] [--seed 0] [--json-out FILE] [--quiet]
      [--c-grid 0.1,0.2,1,10,100] [--eta-grid 0.001,...,0.8] [--max-iter 64] [--only-probe BLOCK]
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import time
import warnings
from pathlib import Path

import numpy as np

KINDS = ("hid", "act")
POOLINGS = ("mean", "max", "single")
C_GRID = (0.1, 0.2, 1.0, 10.0, 100.0)
ETA_GRID = (0.001, 0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8)
SPLITS = ("train", "dev", "test")


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("features", help="feature directory (train/, dev/, test/, labels.json, meta.json)")
    p.add_argument("--kinds", default="hid,act")
    p.add_argument("--poolings", default="mean,max,single")
    p.add_argument("--metric", choices=("accuracy", "macro_f1"), default="accuracy")
    p.add_argument("--jobs", type=int, default=1, help="processes for independent fits (keep 1-2 on 2 cores)")
    p.add_argument("--seed", type=int, default=0, help="saga's random_state")
    p.add_argument("--max-iter", type=int, default=64, help="saga epochs (paper: 64)")
    p.add_argument("--c-grid", default=",".join(str(c) for c in C_GRID))
    p.add_argument("--eta-grid", default=",".join(str(e) for e in ETA_GRID))
    p.add_argument("--only-probe", default=None, metavar="BLOCK",
                   help="time the C grid of one probe (e.g. L6.hid.mean) and stop; for runtime estimates")
    p.add_argument("--json-out", default=None, help="write the full report here")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    args = p.parse_args(argv)
    args.kinds = _choices(p, "--kinds", args.kinds, KINDS)
    args.poolings = _choices(p, "--poolings", args.poolings, POOLINGS)
    args.c_grid = [float(c) for c in args.c_grid.split(",")]
    args.eta_grid = [float(e) for e in args.eta_grid.split(",")]
    return args


def _choices(p: argparse.ArgumentParser, flag: str, value: str, allowed: tuple[str, ...]) -> list[str]:
    items = [v.strip() for v in value.split(",") if v.strip()]
    if not items or any(v not in allowed for v in items):
        p.error(f"{flag} {value!r}: expected a comma list of {', '.join(allowed)}")
    return items


def block_name(kind: str, layer: int, pooling: str) -> str:
    return f"L{layer}.{kind}.{pooling}"


def layers_of(kind: str, num_layers: int) -> range:
    return range(num_layers + 1) if kind == "hid" else range(num_layers)


def aggregation_layers(kind: str, k: int) -> list[int]:
    """Layers whose kept neurons enter the final classifier when the first k blocks run."""
    return list(range(k + 1)) if kind == "hid" else list(range(k))


# ---------------------------------------------------------------- data

class Features:
    """The exported feature directory; blocks are read from disk when a fit needs them."""

    def __init__(self, root: str):
        self.root = Path(root)
        for f in ("meta.json", "labels.json"):
            if not (self.root / f).is_file():
                sys.exit(f"{self.root / f}: missing; expected the feature store's .npy export layout")
        self.meta = json.loads((self.root / "meta.json").read_text())
        if not isinstance(self.meta.get("num_layers"), int) or self.meta["num_layers"] < 1:
            sys.exit(f"{self.root / 'meta.json'}: \"num_layers\" must be a positive integer")
        self.num_layers: int = self.meta["num_layers"]
        self.classes: list[str] = json.loads((self.root / "labels.json").read_text())
        self.y = {s: self._labels(s) for s in SPLITS}
        missing = sorted(set(range(len(self.classes))) - set(np.unique(self.y["train"]).tolist()))
        if len(self.classes) - len(missing) < 2:
            sys.exit(f"{self.root / 'train/labels.npy'}: fewer than two classes present; nothing to classify")
        if missing:
            print(f"warning: classes {[self.classes[c] for c in missing]} never occur in train", file=sys.stderr)

    def _labels(self, split: str) -> np.ndarray:
        path = self.root / split / "labels.npy"
        if not path.is_file():
            sys.exit(f"{path}: missing")
        y = np.load(path)
        if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer) or len(y) == 0:
            sys.exit(f"{path}: expected a non-empty 1-D integer array of class indices, got {y.dtype}{list(y.shape)}")
        if y.min() < 0 or y.max() >= len(self.classes):
            sys.exit(f"{path}: class index {int(y.max())} outside labels.json's {len(self.classes)} classes")
        return y.astype(np.int64)

    def path(self, split: str, block: str) -> Path:
        return self.root / split / f"{block}.npy"

    def check_blocks(self, blocks: list[str]) -> None:
        for split in SPLITS:
            for block in blocks:
                path = self.path(split, block)
                if not path.is_file():
                    sys.exit(f"{path}: missing; export it or restrict --kinds/--poolings")
                shape = np.load(path, mmap_mode="r").shape
                if len(shape) != 2 or shape[0] != len(self.y[split]):
                    sys.exit(f"{path}: shape {list(shape)}, expected [{len(self.y[split])} rows, dim]")


def load_columns(paths: list[str], columns: list[np.ndarray | None]) -> np.ndarray:
    """Concatenates the given columns (None = all) of several blocks into one float32 matrix."""
    parts = []
    for path, cols in zip(paths, columns):
        x = np.load(path, mmap_mode="r")
        parts.append(np.asarray(x if cols is None else x[:, cols], dtype=np.float32))
    x = parts[0] if len(parts) == 1 else np.concatenate(parts, axis=1)
    if not np.isfinite(x).all():
        sys.exit(f"{paths}: NaN or infinite features; the reference pipeline cannot fit them")
    return x


# ---------------------------------------------------------------- fitting

def score(metric: str, y_true: np.ndarray, y_pred: np.ndarray) -> float:
    from sklearn.metrics import accuracy_score, f1_score
    if metric == "accuracy":
        return float(accuracy_score(y_true, y_pred))
    return float(f1_score(y_true, y_pred, average="macro"))


def fit_c_grid(task: dict) -> dict:
    """Fits the L1-LR for every C on train, scores on dev, keeps the best (defects 1 and 2 fixed).

    Runs in a worker process under --jobs > 1, so it reads its own columns from disk."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    start = time.perf_counter()
    x_train = load_columns(task["train_paths"], task["columns"])
    x_dev = load_columns(task["dev_paths"], task["columns"])
    y_train, y_dev = task["y_train"], task["y_dev"]
    by_c, best, not_converged = {}, None, 0
    for c in task["c_grid"]:
        model = LogisticRegression(l1_ratio=1.0, solver="saga", C=c, max_iter=task["max_iter"],
                                   random_state=task["seed"])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(x_train, y_train)
        not_converged += int(model.n_iter_.max() >= task["max_iter"])
        s = score(task["metric"], y_dev, model.predict(x_dev))
        by_c[str(c)] = round(s, 6)
        if best is None or s > best[0]:  # strict: ties keep the smaller C seen first
            best = (s, c, model)
    s, c, model = best
    return {"val": s, "C": c, "val_by_C": by_c, "model": model, "fits": len(task["c_grid"]),
            "not_converged": not_converged, "seconds": time.perf_counter() - start,
            "nonzero": int(np.count_nonzero(np.any(model.coef_ != 0, axis=0)))}


def run_tasks(tasks: list[dict], jobs: int, quiet: bool, label: str) -> list[dict]:
    step = max(1, len(tasks) // 10)

    def progress(i: int) -> None:
        if not quiet and (i % step == 0 or i == len(tasks)):
            print(f"{label}: {i}/{len(tasks)} C grids ({time.perf_counter() - start:.1f}s)",
                  file=sys.stderr, flush=True)

    start = time.perf_counter()

    if jobs <= 1:
        out = []
        for i, t in enumerate(tasks, 1):
            out.append(fit_c_grid(t))
            progress(i)
        return out
    from joblib import Parallel, delayed
    out = []
    for i, r in enumerate(Parallel(n_jobs=jobs, return_as="generator")(delayed(fit_c_grid)(t) for t in tasks), 1):
        out.append(r)
        progress(i)
    return out


def keep_by_importance(coef: np.ndarray, eta: float) -> np.ndarray:
    """Indices of the most important neurons whose importance reaches eta x total (at least one)."""
    importance = (coef.astype(np.float64) ** 2).sum(axis=0)  # defect 3 fixed: summed over classes
    order = np.argsort(-importance, kind="stable")
    cumulative = np.cumsum(importance[order])
    count = int(np.searchsorted(cumulative, eta * cumulative[-1], side="left")) + 1
    return np.sort(order[:min(count, len(order))])


def test_scores(model, x: np.ndarray, y: np.ndarray, num_classes: int) -> dict:
    """Both metrics and the confusion matrix (rows: true class, columns: predicted, labels.json order)."""
    from sklearn.metrics import confusion_matrix
    pred = model.predict(x)
    return {"accuracy": score("accuracy", y, pred), "macro_f1": score("macro_f1", y, pred),
            "confusion": confusion_matrix(y, pred, labels=list(range(num_classes))).tolist()}


def peak_rss_mb() -> dict:
    return {"self": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "children": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)}


# ---------------------------------------------------------------- pipeline

def main(argv: list[str]) -> None:
    args = parse_args(argv)
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    data = Features(args.features)
    L = data.num_layers
    probe_blocks = [(kind, layer, pooling) for kind in args.kinds for pooling in args.poolings
                    for layer in layers_of(kind, L)]
    baseline_blocks = [("hid", L, "mean"), ("hid", L, "single")]
    needed = sorted({block_name(*b) for b in probe_blocks + baseline_blocks})
    if args.only_probe:
        needed = [args.only_probe]
    data.check_blocks(needed)
    timings["load"] = time.perf_counter() - t0

    def task(blocks: list[tuple[str, int, str]], columns: list[np.ndarray | None]) -> dict:
        names = [block_name(*b) for b in blocks]
        return {"train_paths": [str(data.path("train", n)) for n in names],
                "dev_paths": [str(data.path("dev", n)) for n in names],
                "columns": columns, "y_train": data.y["train"], "y_dev": data.y["dev"],
                "c_grid": args.c_grid, "max_iter": args.max_iter, "seed": args.seed, "metric": args.metric}

    if args.only_probe:
        r = fit_c_grid(task([parse_block(args.only_probe)], [None]))
        rows, dim = np.load(data.path("train", args.only_probe), mmap_mode="r").shape
        out = {"block": args.only_probe, "train_rows": rows, "dim": dim, "seconds": round(r["seconds"], 3),
               "seconds_per_fit": round(r["seconds"] / r["fits"], 3), "C": r["C"], "val": r["val"],
               "val_by_C": r["val_by_C"], "not_converged": r["not_converged"], "nonzero": r["nonzero"],
               "peak_rss_mb": peak_rss_mb()}
        print(json.dumps(out))
        if args.json_out:
            Path(args.json_out).write_text(json.dumps(out, indent=1) + "\n")
        return

    fits = {"total": 0, "not_converged": 0, "shared": 0}

    def count(results: list[dict]) -> None:
        for r in results:
            fits["total"] += r["fits"]
            fits["not_converged"] += r["not_converged"]

    # 1. Probes: one L1-LR per (kind, layer, pooling), C on validation.
    t = time.perf_counter()
    probe_results = run_tasks([task([b], [None]) for b in probe_blocks], args.jobs, args.quiet, "probes")
    count(probe_results)
    probes = dict(zip(probe_blocks, probe_results))
    timings["probes"] = time.perf_counter() - t

    # 2. Sparsify: kept neurons per (kind, pooling, eta, layer).
    t = time.perf_counter()
    kept = {(kind, pooling, eta, layer): keep_by_importance(probes[(kind, layer, pooling)]["model"].coef_, eta)
            for kind in args.kinds for pooling in args.poolings for eta in args.eta_grid
            for layer in layers_of(kind, L)}
    timings["sparsify"] = time.perf_counter() - t

    # 3. Aggregate progressively, k = 1..L; identical feature sets are fitted once.
    t = time.perf_counter()
    configs, unique_tasks, key_of = [], [], {}
    for kind in args.kinds:
        for pooling in args.poolings:
            for eta in args.eta_grid:
                for k in range(1, L + 1):
                    layers = aggregation_layers(kind, k)
                    columns = [kept[(kind, pooling, eta, layer)] for layer in layers]
                    key = (kind, pooling, tuple(tuple(c.tolist()) for c in columns))
                    if key not in key_of:
                        key_of[key] = len(unique_tasks)
                        unique_tasks.append(task([(kind, layer, pooling) for layer in layers], columns))
                    else:
                        fits["shared"] += len(args.c_grid)
                    configs.append({"kind": kind, "pooling": pooling, "eta": eta, "k": k, "layers": layers,
                                    "features": int(sum(len(c) for c in columns)), "fit": key_of[key]})
    agg_results = run_tasks(unique_tasks, args.jobs, args.quiet, "aggregation")
    count(agg_results)
    for cfg in configs:
        r = agg_results[cfg["fit"]]
        cfg.update({"val": r["val"], "C": r["C"], "val_by_C": r["val_by_C"], "not_converged": r["not_converged"],
                    "nonzero": r["nonzero"]})
    timings["aggregate"] = time.perf_counter() - t

    # 4. Choose on validation (ties: fewer features, then smaller k; then the earliest in grid order).
    chosen = max(configs, key=lambda c: (c["val"], -c["features"], -c["k"]))
    chosen_model = agg_results[chosen["fit"]]["model"]

    # 5. Baselines (last-layer hid mean / single; best single-layer probe), then test, once each.
    t = time.perf_counter()
    missing = [b for b in baseline_blocks if b not in probes]
    for b, r in zip(missing, run_tasks([task([b], [None]) for b in missing], args.jobs, True, "baselines")):
        probes[b] = r
        count([r])
    best_probe = max(probe_blocks, key=lambda b: probes[b]["val"])
    baselines = []
    for name, b in (("last_hid_mean", baseline_blocks[0]), ("last_hid_single", baseline_blocks[1]),
                    ("best_probe", best_probe)):
        r = probes[b]
        x_test = load_columns([str(data.path("test", block_name(*b)))], [None])
        baselines.append({"name": name, "block": block_name(*b), "C": r["C"], "val": r["val"],
                          "nonzero": r["nonzero"], "test": test_scores(r["model"], x_test, data.y["test"], len(data.classes))})
    timings["baselines"] = time.perf_counter() - t

    t = time.perf_counter()
    chosen_columns = unique_tasks[chosen["fit"]]["columns"]
    x_test = load_columns([str(data.path("test", block_name(chosen["kind"], layer, chosen["pooling"])))
                           for layer in chosen["layers"]], chosen_columns)
    chosen_test = test_scores(chosen_model, x_test, data.y["test"], len(data.classes))
    timings["test"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - t0

    neurons = [f"{block_name(chosen['kind'], layer, chosen['pooling'])}#{int(j)}"
               for layer, cols in zip(chosen["layers"], chosen_columns) for j in cols]
    weights = chosen_model.coef_
    report = {
        "tool": "stc_reference",
        "version": 1,
        "versions": {"python": sys.version.split()[0], "numpy": np.__version__,
                     "scikit_learn": __import__("sklearn").__version__},
        "settings": {"features": str(data.root), "kinds": args.kinds, "poolings": args.poolings,
                     "metric": args.metric, "c_grid": args.c_grid, "eta_grid": args.eta_grid,
                     "max_iter": args.max_iter, "seed": args.seed, "jobs": args.jobs,
                     "solver": "saga", "l1_ratio": 1.0, "standardised": False,
                     "k_layers": "k = blocks run: act layers 0..k-1, hid layers 0..k"},
        "data": {"num_layers": L, "classes": data.classes,
                 "rows": {s: int(len(data.y[s])) for s in SPLITS}},
        "probes": [{"block": block_name(*b), "kind": b[0], "layer": b[1], "pooling": b[2],
                    "dim": int(probes[b]["model"].coef_.shape[1]), "C": probes[b]["C"], "val": probes[b]["val"],
                    "val_by_C": probes[b]["val_by_C"], "nonzero": probes[b]["nonzero"],
                    "not_converged": probes[b]["not_converged"], "seconds": round(probes[b]["seconds"], 3)}
                   for b in probe_blocks],
        "kept": [{"kind": kind, "pooling": pooling, "eta": eta,
                  "per_layer": [int(len(kept[(kind, pooling, eta, layer)])) for layer in layers_of(kind, L)]}
                 for kind in args.kinds for pooling in args.poolings for eta in args.eta_grid],
        "aggregation": [{k: v for k, v in c.items() if k != "fit"} for c in configs],
        "chosen": {**{k: v for k, v in chosen.items() if k != "fit"},
                   "neurons": neurons,
                   "weights": weights.round(6).tolist(),  # [1 or classes, neurons], raw-feature scale
                   "intercept": chosen_model.intercept_.round(6).tolist(),
                   "test": chosen_test},
        "baselines": baselines,
        "fits": fits,
        "timings_s": {k: round(v, 3) for k, v in timings.items()},
        "peak_rss_mb": peak_rss_mb(),
    }
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(report, indent=1) + "\n")
    summary = {"chosen": {k: chosen[k] for k in ("kind", "pooling", "eta", "k", "features", "C", "val")},
               "test": {k: v for k, v in chosen_test.items() if k != "confusion"},
               "baselines": {b["name"]: round(b["test"][args.metric], 4) for b in baselines},
               "fits": fits, "timings_s": report["timings_s"], "peak_rss_mb": report["peak_rss_mb"]}
    print(json.dumps(summary))


def parse_block(name: str) -> tuple[str, int, str]:
    import re
    m = re.fullmatch(r"L(\d+)\.(hid|act)\.(mean|max|single)", name)
    if not m:
        sys.exit(f"--only-probe {name!r}: expected a block name L{{layer}}.{{hid|act}}.{{mean|max|single}}")
    return m.group(2), int(m.group(1)), m.group(3)


if __name__ == "__main__":
    main(sys.argv[1:])
