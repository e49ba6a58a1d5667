"""Paths, determinism settings and file helpers shared by the export scripts."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any, Iterable

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED = REPO_ROOT.parent / "shared"
SST2_TRAIN = SHARED / "datasets" / "sst2" / "train.jsonl"

DEFAULT_MODEL_DIR = REPO_ROOT / "models" / "all-MiniLM-L6-v2"
FIXTURES_DIR = REPO_ROOT / "test" / "fixtures" / "models"
REFERENCE_DIR = REPO_ROOT / "test" / "fixtures" / "reference"
# Git-ignored: Hugging Face checkpoints of the fixtures, the fp32 default model, scratch exports.
CACHE_DIR = REPO_ROOT / ".cache" / "models"

EXPORT_COMMAND = ".venv/bin/python scripts/models/export_all.py"

# The fixed, right-padded batch every reference file is computed on: different lengths, accents,
# an em dash and an emoji (byte fallback / [UNK] / multi-byte BPE), special tokens at both ends.
REFERENCE_TEXTS = [
    "a stirring , funny and finally transporting re-imagining of beauty and the beast and 1930s horror films",
    "the acting is bad .",
    "Café naïve — déjà vu 😀 !",
    "it 's a charming and often affecting journey .",
    "no .",
]
# Small enough that every reference text is cut, so the kept special tokens show.
TRUNCATION_MAX_LENGTH = 6


def make_deterministic() -> None:
    """One thread everywhere: float sums then come out in the same order on every run."""
    os.environ["TOKENIZERS_PARALLELISM"] = "false"
    os.environ["RAYON_NUM_THREADS"] = "1"
    import torch

    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)


def read_sst2(limit: int) -> list[str]:
    if not SST2_TRAIN.is_file():
        raise SystemExit(f"{SST2_TRAIN}: not found. The export needs the shared SST-2 dataset next to the repository.")
    texts = []
    with SST2_TRAIN.open(encoding="utf-8") as lines:
        for line in lines:
            if len(texts) == limit:
                break
            texts.append(json.loads(line)["text"])
    return texts


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def fresh_dir(path: Path) -> Path:
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def _format(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return _format(value.tolist())
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_format(v) for v in value) + "]"
    if isinstance(value, (bool, str)) or value is None:
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        if not np.isfinite(value):
            raise ValueError(f"non-finite value {value} cannot be written to JSON")
        return "%.8g" % value
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def write_compact_json(path: Path, entries: Iterable[tuple[str, Any]]) -> None:
    """A JSON object with one top-level key per line and floats as %.8g (float32 round-trips to
    about 1e-7 relative), which keeps reference files small and diffs readable."""
    lines = []
    for key, value in entries:
        if isinstance(value, dict):
            inner = ",\n".join(f"  {json.dumps(k)}: {_format(v)}" for k, v in value.items())
            lines.append(f"{json.dumps(key)}: {{\n{inner}\n}}")
        else:
            lines.append(f"{json.dumps(key)}: {_format(value)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")
