#!/usr/bin/env python3
"""Regenerates the embedded default model, the model fixtures and their PyTorch reference values.

    .venv/bin/python scripts/models/export_all.py

Writes, reproducibly byte for byte (one thread, fixed seeds, PYTHONHASHSEED=0):
- models/all-MiniLM-L6-v2/: config.json, tokenizer.json, tokenizer_config.json, LICENSE,
  onnx/model_quantized.onnx (W8A8 int8) and SOURCE.md (origin, export, int8-vs-fp32 table, sha256);
- .cache/models/all-MiniLM-L6-v2/onnx/model.onnx: the fp32 graph (git-ignored, for benchmarks);
- test/fixtures/models/<name>/ for bert, roberta, distilbert, gpt2, llama, qwen2 (tiny, random
  weights) and stories260K (converted by stories260k.py): config, tokenizer files, onnx/model.onnx,
  and for gpt2 and llama also onnx/decoder_model_merged.onnx;
- test/fixtures/reference/: <name>.json (PyTorch values, see reference.py), <name>.logits.json
  (merged decoders), truncation.json;
- test/fixtures/models/SOURCE.md: what all of these are, with the sha256 of every generated file.

Needs ../shared/datasets (sst2, and the calibration sets of default_model.py) and ../shared/models/stories260K next to the repository, and the
pinned tools of scripts/models/requirements.txt. Hugging Face checkpoints of the fixtures are kept
in .cache/models/ (git-ignored).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

# Python salts string hashes per process; optimum's merge_decoders names shared weights in set
# order, so the merged decoders only come out identical with a fixed seed.
if os.environ.get("PYTHONHASHSEED") != "0":
    os.environ["PYTHONHASHSEED"] = "0"
    os.execv(sys.executable, [sys.executable, *sys.argv])

import numpy as np  # noqa: E402

from common import (  # noqa: E402
    CACHE_DIR, DEFAULT_MODEL_DIR, FIXTURES_DIR, REFERENCE_DIR, REFERENCE_TEXTS, TRUNCATION_MAX_LENGTH,
    fresh_dir, make_deterministic, sha256_of, write_compact_json,
)

make_deterministic()

import stories260k  # noqa: E402
from transformers import AutoTokenizer, PretrainedConfig, PreTrainedTokenizerFast  # noqa: E402

import default_model  # noqa: E402
from fixture_models import TINY_MODELS, build_checkpoint  # noqa: E402
from notes import NOT_GENERATED, DefaultModelSummary, FixtureSummary, write_default_model_note, write_fixtures_note  # noqa: E402
from onnx_check import max_abs_diff, row_cosines, run  # noqa: E402
from onnx_export import (  # noqa: E402
    DECODER_OPSET, ENCODER_OPSET, export_merged_decoder, export_plain, load_for_export,
)
from reference import is_decoder, truncated_ids, write_logits_reference, write_reference  # noqa: E402
from w8a8 import SMOOTHING_ALPHA  # noqa: E402

FIXTURE_FILES = (
    "config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
)
# What the Node tests allow between onnxruntime and PyTorch.
TOLERANCE = 1e-4
# Issue 3's bar for the committed 8-bit default model against fp32.
MIN_INT8_TOKEN_COSINE = 0.99


def copy_fixture_files(checkpoint: Path, out_dir: Path) -> None:
    """Clears out_dir (keeping notes written by others) and copies the transformers.js files."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for path in out_dir.iterdir():
        if path.is_dir():
            shutil.rmtree(path)
        elif path.name not in NOT_GENERATED:
            path.unlink()
    for name in FIXTURE_FILES:
        if (checkpoint / name).is_file():
            shutil.copyfile(checkpoint / name, out_dir / name)


def export_fixture(
    name: str, origin: str, checkpoint: Path, merged_decoder: bool, truncation: dict[str, list[list[int]]]
) -> FixtureSummary:
    out_dir = FIXTURES_DIR / name
    copy_fixture_files(checkpoint, out_dir)
    model = load_for_export(checkpoint)
    config = model.config
    decoder = is_decoder(config.model_type)
    plain = export_plain(checkpoint, out_dir / "onnx" / "model.onnx", DECODER_OPSET if decoder else ENCODER_OPSET)
    # The tokenizer as the fixture folder holds it, which is what transformers.js will read.
    tokenizer: PreTrainedTokenizerFast = AutoTokenizer.from_pretrained(out_dir)
    truncation[name] = truncated_ids(tokenizer, REFERENCE_TEXTS, TRUNCATION_MAX_LENGTH)
    ref = write_reference(name, model, tokenizer, REFERENCE_TEXTS, REFERENCE_DIR / f"{name}.json")
    inputs = ref.inputs
    diff = max_abs_diff(run(plain, inputs, "last_hidden_state"), ref.last_hidden_state)
    if diff > TOLERANCE:
        raise SystemExit(f"{plain}: last_hidden_state differs from PyTorch by {diff:.2e}")
    summary = FixtureSummary(
        name, origin, describe(config, ref.intermediate_size, len(tokenizer)),
        graphs=["onnx/model.onnx"], checks=[f"model.onnx last_hidden_state: max abs diff {diff:.1e}"],
    )
    if merged_decoder:
        merged = export_merged_decoder(checkpoint, out_dir / "onnx" / "decoder_model_merged.onnx", DECODER_OPSET)
        expected = write_logits_reference(
            name, load_for_export(checkpoint, causal_lm=True), inputs, "onnx/decoder_model_merged.onnx",
            REFERENCE_DIR / f"{name}.logits.json",
        )
        logits = run(merged, inputs, "logits")
        last = logits[np.arange(logits.shape[0]), inputs["attention_mask"].sum(1) - 1]
        summary.graphs.append("onnx/decoder_model_merged.onnx")
        logits_diff = max_abs_diff(last, expected)
        if logits_diff > TOLERANCE:
            raise SystemExit(f"{merged}: last-token logits differ from PyTorch by {logits_diff:.2e}")
        summary.checks.append(f"decoder_model_merged.onnx last-token logits: max abs diff {logits_diff:.1e}")
    return summary


def describe(config: PretrainedConfig, ffn: int, vocab: int) -> str:
    parts = [
        config.model_type,
        f"{config.num_hidden_layers} layers",
        f"hidden {config.hidden_size}",
        f"{config.num_attention_heads} heads",
    ]
    kv_heads = getattr(config, "num_key_value_heads", None)
    if kv_heads and kv_heads != config.num_attention_heads:
        parts.append(f"{kv_heads} KV heads")
    parts += [f"FFN {ffn}", f"vocab {vocab}"]
    return ", ".join(parts)


def export_stories260k(truncation: dict[str, list[list[int]]]) -> FixtureSummary:
    checkpoint = stories260k.convert(CACHE_DIR / "stories260K-hf")
    problems = stories260k.check(checkpoint)
    if problems:
        raise SystemExit("stories260K conversion check failed:\n" + "\n".join(problems))
    return export_fixture("stories260K", "llama2.c stories260K (MIT), converted", checkpoint, False, truncation)


def export_default(truncation: dict[str, list[list[int]]]) -> DefaultModelSummary:
    name = default_model.NAME
    checkpoint = default_model.export_default_model()
    tokenizer = AutoTokenizer.from_pretrained(DEFAULT_MODEL_DIR)
    truncation[name] = truncated_ids(tokenizer, REFERENCE_TEXTS, TRUNCATION_MAX_LENGTH)
    ref = write_reference(name, load_for_export(checkpoint), tokenizer, REFERENCE_TEXTS, REFERENCE_DIR / f"{name}.json")
    inputs = ref.inputs
    expected = ref.last_hidden_state
    real = inputs["attention_mask"].astype(bool)
    fp32_diff = max_abs_diff(run(default_model.FP32_GRAPH, inputs, "last_hidden_state")[real], expected[real])
    int8 = run(default_model.INT8_GRAPH, inputs, "last_hidden_state")
    a, b = expected[real], int8[real]
    cosine = row_cosines(a, b)
    if cosine.min() < MIN_INT8_TOKEN_COSINE:
        raise SystemExit(f"{default_model.INT8_GRAPH}: a token's cosine with fp32 is {cosine.min():.4f}")
    weights = real[..., None]
    pooled_cosine = row_cosines((expected * weights).sum(1), (int8 * weights).sum(1))
    with tempfile.TemporaryDirectory() as scratch:
        quality = default_model.quantization_quality(Path(scratch))
    return DefaultModelSummary(
        package=default_model.PACKAGE,
        package_version=default_model.package_version(),
        upstream=default_model.UPSTREAM,
        source_files=[(n, sha256_of(checkpoint / n)) for n in ("model.safetensors", *default_model.MODEL_FILES)],
        fp32_graph=default_model.FP32_GRAPH,
        smoothing_alpha=SMOOTHING_ALPHA,
        calibration=default_model.CALIBRATION,
        checks=[
            f"fp32 graph vs PyTorch, last_hidden_state of real tokens: max abs diff {fp32_diff:.1e}",
            f"8-bit graph vs PyTorch fp32, last_hidden_state of real tokens: cosine min {cosine.min():.5f},"
            f" mean {cosine.mean():.5f}; max abs diff {np.abs(a - b).max():.3f}",
            f"8-bit graph vs PyTorch fp32, last_hidden_state mean-pooled per text: cosine min {pooled_cosine.min():.5f}",
        ],
        quality=quality,
        quality_sentences=default_model.QUALITY_SENTENCES,
        quality_batch=default_model.QUALITY_BATCH,
    )


def main() -> int:
    fresh_dir(REFERENCE_DIR)
    truncation: dict[str, list[list[int]]] = {}
    fixtures = []
    for spec in TINY_MODELS:
        print(f"fixture {spec.name}", flush=True)
        checkpoint = build_checkpoint(spec, fresh_dir(CACHE_DIR / "fixtures" / spec.name))
        fixtures.append(export_fixture(spec.name, "random weights", checkpoint, spec.merged_decoder, truncation))
    print("fixture stories260K", flush=True)
    fixtures.append(export_stories260k(truncation))
    print(f"default model {default_model.NAME}", flush=True)
    summary = export_default(truncation)
    write_compact_json(REFERENCE_DIR / "truncation.json", [
        ("max_length", TRUNCATION_MAX_LENGTH), ("texts", REFERENCE_TEXTS), ("input_ids", truncation),
    ])
    write_default_model_note(DEFAULT_MODEL_DIR / "SOURCE.md", summary)
    write_fixtures_note(FIXTURES_DIR / "SOURCE.md", fixtures, REFERENCE_DIR)
    for fixture in fixtures:
        print(f"{fixture.name}: {'; '.join(fixture.checks)}")
    print(f"{default_model.NAME}: {'; '.join(summary.checks)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
