"""Graph variants of a fixture model, for the tap finder's tests (test/onnx/).

Each variant is the same network as the fixture's onnx/model.onnx, rewritten the way real
transformers.js / ONNX Runtime users get their models, so its features must match the fixture's
PyTorch reference values (exactly for float rewrites, by cosine for quantized ones):

  fused     onnxruntime.transformers optimizer: SkipLayerNormalization, (Bias|Fast)Gelu, Attention,
            SkipSimplifiedLayerNormalization... (what "optimized" hub exports contain)
  int8      onnxruntime.quantization.quantize_dynamic: DynamicQuantizeLinear -> MatMulInteger
            (what transformers.js model_quantized.onnx files are)
  q4        MatMulNBits 4-bit weights (model_q4.onnx)
  q4qdq     the same 4-bit weights as DequantizeLinear -> MatMul (QDQ format)
  qdq       onnxruntime.quantization.quantize_static, QDQ format: int8 weights behind
            DequantizeLinear and QuantizeLinear -> DequantizeLinear pairs on activations,
            calibrated on random token ids
  fp16      float16 weights and activations (model_fp16.onnx), inputs/outputs unchanged
  opset14   re-export at opset 14, where LayerNorm/RMSNorm are decomposed into ReduceMean/Pow/Sqrt
  external  weights in model.onnx_data next to model.onnx
  merged    decoders only: optimum's decoder_model_merged layout, the network inside an If node on
            use_cache_branch (optimum.onnx.merge_decoders). Current optimum exports one decoder
            with past inputs and no longer a separate no-cache decoder with present outputs, so
            that one export fills both branches.

Usage:
  .venv/bin/python scripts/onnx/make_variants.py --committed
      regenerates every variant under test/fixtures/onnx/ from test/fixtures/models/ (and the
      Hugging Face checkpoints in .cache/models/fixtures/ that scripts/models/export_all.py keeps)
  .venv/bin/python scripts/onnx/make_variants.py --fixture FOLDER [--checkpoint HF_FOLDER] \\
      --variants fused,int8 --out PREFIX
      FOLDER is a fixture model folder (config.json, onnx/model.onnx); HF_FOLDER the checkpoint it
      was exported from (needed for opset14 and merged). Each variant is written to
      PREFIX-VARIANT/ with the fixture's config.json, as PREFIX-VARIANT/onnx/model.onnx.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import onnx

VENV_BIN = Path(sys.executable).parent


def optimizer_type(model_type: str) -> str:
    if model_type in ("bert", "roberta", "distilbert", "xlm-roberta"):
        return "bert"
    if model_type == "gpt2":
        return "gpt2"
    # Decoders with RoPE, GQA and RMSNorm (Llama, Qwen2) go through the same fusions as Qwen3.
    return "qwen3"


def fused(src: Path, dst: Path, config: dict) -> None:
    from onnxruntime.transformers.optimizer import optimize_model

    hidden = config.get("hidden_size") or config.get("n_embd") or config.get("dim")
    heads = config.get("num_attention_heads") or config.get("n_head") or config.get("n_heads")
    model = optimize_model(str(src), model_type=optimizer_type(config["model_type"]), num_heads=heads, hidden_size=hidden, opt_level=1)
    model.save_model_to_file(str(dst))
    print("  ops:", sorted({n.op_type for n in model.model.graph.node}))


def int8(src: Path, dst: Path, config: dict) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8)


def _nbits(src: Path, dst: Path, qdq: bool) -> None:
    from onnxruntime.quantization import QuantFormat
    from onnxruntime.quantization.matmul_nbits_quantizer import DefaultWeightOnlyQuantConfig, MatMulNBitsQuantizer

    logging.getLogger("onnxruntime.quantization.matmul_nbits_quantizer").setLevel(logging.WARNING)
    fmt = QuantFormat.QDQ if qdq else QuantFormat.QOperator
    cfg = DefaultWeightOnlyQuantConfig(block_size=16, is_symmetric=True, quant_format=fmt)
    quantizer = MatMulNBitsQuantizer(onnx.load(str(src)), algo_config=cfg)
    quantizer.process()
    quantizer.model.save_model_to_file(str(dst), use_external_data_format=False)


def q4(src: Path, dst: Path, config: dict) -> None:
    _nbits(src, dst, qdq=False)


def q4qdq(src: Path, dst: Path, config: dict) -> None:
    _nbits(src, dst, qdq=True)


def qdq(src: Path, dst: Path, config: dict) -> None:
    import numpy as np
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static

    model = onnx.load(str(src))
    rng = np.random.default_rng(0)
    ids = rng.integers(3, config["vocab_size"], size=(8, 16))
    values = {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids), "position_ids": np.tile(np.arange(16), (8, 1))}

    class RandomTokens(CalibrationDataReader):
        """One calibration batch: random ids, full mask, positions 0..n-1."""

        def __init__(self) -> None:
            self.batches = [{i.name: values[i.name].astype(np.int64) for i in model.graph.input}]

        def get_next(self):
            return self.batches.pop() if self.batches else None

    quantize_static(str(src), str(dst), RandomTokens(), quant_format=QuantFormat.QDQ, activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8)


def fp16(src: Path, dst: Path, config: dict) -> None:
    from onnxruntime.transformers.float16 import convert_float_to_float16

    model = convert_float_to_float16(onnx.load(str(src)), keep_io_types=True)
    onnx.save(model, str(dst))


def external(src: Path, dst: Path, config: dict) -> None:
    model = onnx.load(str(src))
    onnx.save(model, str(dst), save_as_external_data=True, all_tensors_to_one_file=True, location="model.onnx_data", size_threshold=0)


def _optimum_export(checkpoint: Path, task: str, opset: int | None, out: Path) -> Path:
    cmd = [str(VENV_BIN / "optimum-cli"), "export", "onnx", "--model", str(checkpoint), "--task", task, str(out)]
    if opset:
        cmd += ["--opset", str(opset)]
    subprocess.run(cmd, check=True, capture_output=True)
    return out / "model.onnx"


def task_of(config: dict) -> str:
    archs = config.get("architectures") or []
    return "text-generation" if any(a.endswith(("CausalLM", "LMHeadModel")) for a in archs) else "feature-extraction"


def opset14(checkpoint: Path, dst: Path, config: dict) -> None:
    task = task_of(config)
    task = task + "-with-past" if task == "text-generation" else task
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(_optimum_export(checkpoint, task, 14, Path(tmp)), dst)


def merged(checkpoint: Path, dst: Path, config: dict) -> None:
    from optimum.onnx import merge_decoders

    with tempfile.TemporaryDirectory() as tmp:
        decoder = _optimum_export(checkpoint, "text-generation-with-past", None, Path(tmp))
        merge_decoders(str(decoder), str(decoder), save_path=str(dst))


FROM_ONNX = {"fused": fused, "int8": int8, "q4": q4, "q4qdq": q4qdq, "qdq": qdq, "fp16": fp16, "external": external}
FROM_CHECKPOINT = {"opset14": opset14, "merged": merged}


REPO = Path(__file__).resolve().parents[2]
# What test/fixtures/onnx/ holds (test/onnx/variants.test.ts has a case for each), kept under ~2 MB.
COMMITTED = {
    "bert": ["fused", "int8", "fp16"],
    "gpt2": ["fused"],
    "llama": ["fused", "q4", "q4qdq"],
    "distilbert": ["opset14", "qdq"],
    "roberta": ["external"],
}


def make(fixture: Path, checkpoint: Path | None, variants: list[str], prefix: Path) -> None:
    config = json.loads((fixture / "config.json").read_text())
    src = fixture / "onnx" / "model.onnx"
    for variant in variants:
        out = Path(f"{prefix}-{variant}")
        if out.exists():
            shutil.rmtree(out)
        (out / "onnx").mkdir(parents=True)
        shutil.copy(fixture / "config.json", out / "config.json")
        print(f"{out}: {variant}")
        if variant in FROM_ONNX:
            FROM_ONNX[variant](src, out / "onnx" / "model.onnx", config)
        elif variant in FROM_CHECKPOINT:
            if not checkpoint:
                raise SystemExit(f"variant {variant} needs --checkpoint")
            FROM_CHECKPOINT[variant](checkpoint, out / "onnx" / "model.onnx", config)
        else:
            raise SystemExit(f"unknown variant {variant}; known: {', '.join([*FROM_ONNX, *FROM_CHECKPOINT])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--committed", action="store_true", help="regenerate test/fixtures/onnx/")
    parser.add_argument("--fixture", type=Path)
    parser.add_argument("--checkpoint", type=Path)
    parser.add_argument("--variants")
    parser.add_argument("--out", type=Path, help="prefix: PREFIX-VARIANT/ folders are written")
    args = parser.parse_args()
    if args.committed:
        for name, variants in COMMITTED.items():
            checkpoint = REPO / ".cache" / "models" / "fixtures" / name
            make(REPO / "test" / "fixtures" / "models" / name, checkpoint, variants, REPO / "test" / "fixtures" / "onnx" / name)
    elif args.fixture and args.variants and args.out:
        make(args.fixture, args.checkpoint, args.variants.split(","), args.out)
    else:
        parser.error("give --committed, or --fixture, --variants and --out")


if __name__ == "__main__":
    main()
