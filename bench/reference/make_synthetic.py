#!/usr/bin/env python3
"""Writes a synthetic feature directory in the feature store's .npy export layout, with planted signal.

For developing and smoke-testing stc_reference.py without a real extraction:

  DIR/meta.json                    {"num_layers": L, "synthetic": true, "planted": [neuron names], ...}
  DIR/labels.json                  ["class0", "class1", ...]
  DIR/{train,dev,test}/labels.npy  int64 class indices
  DIR/{train,dev,test}/L{layer}.{kind}.{pooling}.npy   float32 [rows, dim]

Every neuron is Gaussian noise except `--informative` neurons per block in the layers from
`--first-signal-layer` on, whose mean depends on the class, more strongly in deeper layers. One
`hid` dimension per block is scaled by 100 to mimic the residual stream's huge dimensions (the reason
raw-feature saga converges badly).

Usage:
  .venv/bin/python bench/reference/make_synthetic.py --out /tmp/syn [--layers 6] [--hid-dim 16]
      [--act-dim 32] [--classes 2] [--train 600 --dev 150 --test 150] [--informative 2] [--seed 0]
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

KINDS = ("hid", "act")
POOLINGS = ("mean", "max", "single")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", required=True)
    p.add_argument("--layers", type=int, default=6, help="transformer blocks L (hid has L+1 layers, act L)")
    p.add_argument("--hid-dim", type=int, default=16)
    p.add_argument("--act-dim", type=int, default=32)
    p.add_argument("--classes", type=int, default=2)
    p.add_argument("--train", type=int, default=600)
    p.add_argument("--dev", type=int, default=150)
    p.add_argument("--test", type=int, default=150)
    p.add_argument("--informative", type=int, default=2, help="planted neurons per block with signal")
    p.add_argument("--first-signal-layer", type=int, default=2)
    p.add_argument("--strength", type=float, default=0.6, help="class mean shift of a planted neuron in the last layer")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()

    rng = np.random.default_rng(args.seed)
    out = Path(args.out)
    L = args.layers
    dims = {"hid": args.hid_dim, "act": args.act_dim}
    # Fixed per block: which neurons carry signal, and each class's direction on them.
    plan = {}
    planted = []
    for kind in KINDS:
        for layer in range(L + 1 if kind == "hid" else L):
            for pooling in POOLINGS:
                neurons = rng.choice(dims[kind], size=args.informative, replace=False)
                codes = rng.choice([-1.0, 1.0], size=(args.classes, args.informative))
                has_signal = layer >= args.first_signal_layer
                plan[(kind, layer, pooling)] = (neurons, codes, has_signal)
                if has_signal:
                    planted += [f"L{layer}.{kind}.{pooling}#{int(j)}" for j in sorted(neurons)]

    for split, rows in (("train", args.train), ("dev", args.dev), ("test", args.test)):
        folder = out / split
        folder.mkdir(parents=True, exist_ok=True)
        y = rng.integers(0, args.classes, size=rows).astype(np.int64)
        np.save(folder / "labels.npy", y)
        for (kind, layer, pooling), (neurons, codes, has_signal) in plan.items():
            x = rng.standard_normal((rows, dims[kind])).astype(np.float32)
            if has_signal:
                x[:, neurons] += args.strength * (layer + 1) / L * codes[y]
            if kind == "hid":
                huge = next(j for j in range(dims[kind]) if j not in neurons)
                x[:, huge] *= 100.0  # a huge, uninformative residual dimension
            np.save(folder / f"L{layer}.{kind}.{pooling}.npy", x)

    (out / "labels.json").write_text(json.dumps([f"class{c}" for c in range(args.classes)]) + "\n")
    (out / "meta.json").write_text(json.dumps({
        "num_layers": L, "synthetic": True, "seed": args.seed, "dims": dims, "planted": planted,
    }, indent=1) + "\n")
    print(f"wrote {out}: L={L}, dims {dims}, {args.classes} classes, {len(planted)} planted neurons")


if __name__ == "__main__":
    main()
