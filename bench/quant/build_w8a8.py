"""Build the experimental W8A8 (int8 weights, int8 activations) all-MiniLM-L6-v2 graph for the
onnxruntime CPU benchmark. See bench/quant/README.md for why each choice was made.

    .venv/bin/python bench/quant/build_w8a8.py --calibration ../shared/datasets/sst2/train.jsonl
        [--rows 1000:2000] [--smooth 0.5] [--smooth-inputs out] [--src FP32_ONNX] [--out FOLDER]

Input: the fp32 export (.cache/models/all-MiniLM-L6-v2/onnx/model.onnx). Output: an engine-ready
model folder (config and tokenizer copied from models/all-MiniLM-L6-v2/, onnx/model.onnx).

Every projection by a constant weight becomes a per-token int8 product whose output takes the
export's MatMul output name, so the export's bias Adds, attention, GELU, residual Adds and
LayerNorms stay as they were (and the engine's taps resolve as on the fp32 graph):
    q/k/v  one quantisation of x and one 1152-column product [Wq|Wk|Wv], then Split
    out    the context quantised; its SmoothQuant factors folded into V's columns and bias
    up     x / sigma quantised, W scaled by sigma
    down   the GELU output (the act tap) quantised asymmetrically, never smoothed
with quant() a per-token uint8 quantisation (symmetric: zero point 128) and weights int8 per column,
multiplied by com.microsoft.MatMulIntegerToFloat. The attention mask fill becomes -40.
"""

from __future__ import annotations

import argparse
import json
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

REPO = Path(__file__).resolve().parents[2]
SOURCE_FOLDER = REPO / "models" / "all-MiniLM-L6-v2"
DEFAULT_SRC = REPO / ".cache" / "models" / "all-MiniLM-L6-v2" / "onnx" / "model.onnx"
DEFAULT_OUT = REPO / ".cache" / "models" / "all-MiniLM-L6-v2-w8a8"
COPIED_FILES = ("config.json", "tokenizer.json", "tokenizer_config.json")
OPSET = 21  # blocked QuantizeLinear (axis + block_size): one scale per token
MS = "com.microsoft"
# A padded key gets score - 40: its softmax weight (~1e-17 of the top key) is below float32
# resolution of the sum, yet exp() stays a normal float (the export's float32-min fill produced
# denormals that made Softmax ~4x slower).
MASK_FILTER_VALUE = -40.0
SMOOTHABLE = ("qkv", "out", "up")


@dataclass(frozen=True)
class Layer:
    """Tensor and initializer names of one encoder layer of the BERT export."""

    index: int
    x: str  # layer input (residual stream)
    context: str  # attention output before the output projection
    attn_norm_out: str
    act: str  # GELU output: the act tap, input of the down projection

    def weight(self, part: str) -> str:
        return f"/encoder/layer.{self.index}/{part}/MatMul"

    def init(self, part: str, what: str) -> str:
        return f"encoder.layer.{self.index}.{part.replace('/', '.')}.{what}"


def read_layers(model: onnx.ModelProto) -> list[Layer]:
    by_name = {n.name: n for n in model.graph.node}
    layers = []
    for i in range(len({n.name.split("/")[2] for n in model.graph.node if n.name.startswith("/encoder/layer.")})):
        p = f"/encoder/layer.{i}"
        try:
            layers.append(
                Layer(
                    index=i,
                    x=by_name[f"{p}/attention/self/query/MatMul"].input[0],
                    context=by_name[f"{p}/attention/output/dense/MatMul"].input[0],
                    attn_norm_out=by_name[f"{p}/attention/output/LayerNorm/LayerNormalization"].output[0],
                    act=by_name[f"{p}/output/dense/MatMul"].input[0],
                )
            )
        except KeyError as e:
            raise SystemExit(f"node {e} not found: the source is not the optimum BERT export this tool rewrites") from e
    return layers


class Builder:
    """New nodes and initializers, named under one prefix per layer."""

    def __init__(self) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[onnx.TensorProto] = []

    def const(self, name: str, value: np.ndarray) -> str:
        self.inits.append(numpy_helper.from_array(value, name))
        return name

    def node(self, op: str, inputs: list[str], output: str, domain: str = "", **attrs: object) -> str:
        self.nodes.append(helper.make_node(op, inputs, [output], name=output, domain=domain, **attrs))
        return output


def per_column_int8(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    scale = np.maximum(np.abs(w).max(axis=0), 1e-12) / 127.0
    return np.clip(np.rint(w / scale), -127, 127).astype(np.int8), scale.astype(np.float32)


def quantize_symmetric(b: Builder, x: str, k: int, p: str) -> tuple[str, str]:
    """Per-token uint8, zero point 128, scale max|x| / 127 over the token's k values only, so that
    padding and batchmates never change a token's result."""
    hi = b.node("ReduceMax", [x, "w8a8/axes"], f"{p}/max", keepdims=1)
    lo = b.node("ReduceMin", [x, "w8a8/axes"], f"{p}/min", keepdims=1)
    amax = b.node("Max", [hi, b.node("Neg", [lo], f"{p}/negmin"), "w8a8/tiny"], f"{p}/amax")
    scale = b.node("Mul", [amax, "w8a8/inv127"], f"{p}/scale")
    # A blocked QuantizeLinear wants a zero point of the scale's shape.
    zp = b.node("Expand", ["w8a8/zp128", b.node("Shape", [scale], f"{p}/scale_shape")], f"{p}/zp")
    q = b.node("QuantizeLinear", [x, scale, zp], f"{p}/q", axis=-1, block_size=k)
    return q, scale


def quantize_asymmetric(b: Builder, x: str, k: int, p: str) -> tuple[str, str, str]:
    """Per-token uint8 on [min(x, 0), max(x, 0)] with a per-token zero point: GELU outputs lie in
    [-0.17, max], so a symmetric range would waste half the codes. Returns (q, scale, zp * scale)."""
    hi = b.node("Max", [b.node("ReduceMax", [x, "w8a8/axes"], f"{p}/max", keepdims=1), "w8a8/zero"], f"{p}/hi")
    lo = b.node("Min", [b.node("ReduceMin", [x, "w8a8/axes"], f"{p}/min", keepdims=1), "w8a8/zero"], f"{p}/lo")
    span = b.node("Max", [b.node("Sub", [hi, lo], f"{p}/range"), "w8a8/tiny"], f"{p}/range_safe")
    scale = b.node("Mul", [span, "w8a8/inv255"], f"{p}/scale")
    zpf = b.node("Round", [b.node("Neg", [b.node("Div", [lo, scale], f"{p}/lo_q")], f"{p}/neg_lo_q")], f"{p}/zpf")
    zp = b.node("Cast", [zpf], f"{p}/zp", to=TensorProto.UINT8)
    q = b.node("QuantizeLinear", [x, scale, zp], f"{p}/q", axis=-1, block_size=k)
    return q, scale, b.node("Mul", [zpf, scale], f"{p}/zp_scaled")


def int8_product(b: Builder, q: str, scale: str, w: np.ndarray, p: str, zp128: bool = True) -> str:
    """q @ W in int8 with float output. The bias is never fused here: the kernel would multiply it by
    the per-token scale as well."""
    wq, ws = per_column_int8(w)
    inputs = [q, b.const(f"{p}/Wq", wq), scale, b.const(f"{p}/ws", ws)] + (["w8a8/zp128_scalar"] if zp128 else [])
    return b.node("MatMulIntegerToFloat", inputs, f"{p}/product", domain=MS)


def smoothing_divisor(b: Builder, x: str, sigma: np.ndarray | None, p: str) -> str:
    return x if sigma is None else b.node("Mul", [x, b.const(f"{p}/inv_sigma", (1.0 / sigma).astype(np.float32))], f"{p}/smoothed")


def product_name(layer: Layer, part: str) -> str:
    """The export's MatMul output: a rewritten product takes its name, so the export's bias Adds,
    attention, GELU, residual Adds and LayerNorms read it unchanged."""
    return f"/encoder/layer.{layer.index}/{part}/MatMul_output_0"


def rewrite_layer(b: Builder, layer: Layer, w: dict[str, np.ndarray], sigma: dict[str, np.ndarray]) -> None:
    p = f"/w8a8/layer.{layer.index}"
    d = w[layer.weight("attention/self/query")].shape[0]
    qkv_parts = [f"attention/self/{s}" for s in ("query", "key", "value")]
    wqkv = np.concatenate([w[layer.weight(s)] for s in qkv_parts], axis=1)
    wo = w[layer.weight("attention/output/dense")]
    if "qkv" in sigma:
        wqkv = wqkv * sigma["qkv"][:, None]
    if "out" in sigma:
        # The context is linear in V per channel, so dividing V's columns and bias by sigma smooths
        # the output projection's input with no Mul in the graph.
        wqkv[:, 2 * d :] /= sigma["out"][None, :]
        value_bias = layer.init("attention/self/value", "bias")
        b.const(value_bias, (w[value_bias] / sigma["out"]).astype(np.float32))
        wo = wo * sigma["out"][:, None]

    # One quantisation and one 1152-column product instead of three.
    q, s = quantize_symmetric(b, smoothing_divisor(b, layer.x, sigma.get("qkv"), f"{p}/qkv"), d, f"{p}/qkv/act")
    qkv = int8_product(b, q, s, wqkv, f"{p}/qkv")
    b.nodes.append(
        helper.make_node("Split", [qkv, b.const(f"{p}/qkv/split", np.array([d, d, d], np.int64))], [product_name(layer, s) for s in qkv_parts], name=f"{p}/qkv/split", axis=-1)
    )
    q, s = quantize_symmetric(b, layer.context, d, f"{p}/out/act")
    b.nodes.append(helper.make_node("Identity", [int8_product(b, q, s, wo, f"{p}/out")], [product_name(layer, "attention/output/dense")], name=f"{p}/out/as_export"))

    wup = w[layer.weight("intermediate/dense")] * (sigma["up"][:, None] if "up" in sigma else 1.0)
    q, s = quantize_symmetric(b, smoothing_divisor(b, layer.attn_norm_out, sigma.get("up"), f"{p}/up"), d, f"{p}/up/act")
    b.nodes.append(helper.make_node("Identity", [int8_product(b, q, s, wup, f"{p}/up")], [product_name(layer, "intermediate/dense")], name=f"{p}/up/as_export"))

    # Never smoothed: a Mul here would move the act tap off the raw GELU output.
    wdown = w[layer.weight("output/dense")]
    q, s, zp_scaled = quantize_asymmetric(b, layer.act, wdown.shape[0], f"{p}/down/act")
    product = int8_product(b, q, s, wdown, f"{p}/down", zp128=False)
    wq, ws = per_column_int8(wdown)
    # x ~ scale * (q - zp): the product ran on q alone, so scale * zp * colsum(W) comes off per token.
    colsum = b.const(f"{p}/down/colsum", (ws * wq.astype(np.float32).sum(axis=0)).astype(np.float32))
    b.nodes.append(helper.make_node("Sub", [product, b.node("Mul", [zp_scaled, colsum], f"{p}/down/zp_term")], [product_name(layer, "output/dense")], name=f"{p}/down/corrected"))


def soften_attention_mask(model: onnx.ModelProto) -> None:
    """Replace the export's additive mask value (float32 min) by MASK_FILTER_VALUE."""
    fills = [n for n in model.graph.node if n.op_type == "Constant" and n.attribute[0].name == "value" and n.attribute[0].t.data_type == TensorProto.FLOAT]
    fills = [n for n in fills if numpy_helper.to_array(n.attribute[0].t).size == 1 and numpy_helper.to_array(n.attribute[0].t).item() <= np.finfo(np.float32).min / 2]
    if len(fills) != 1:
        raise SystemExit(f"expected one float32-min attention mask constant in the export, found {len(fills)}")
    fills[0].attribute[0].t.CopyFrom(numpy_helper.from_array(np.array(MASK_FILTER_VALUE, np.float32)))


def replaced_nodes(model: onnx.ModelProto, layers: list[Layer]) -> set[str]:
    """Export MatMuls whose outputs the rewrite now produces."""
    parts = ("attention/self/query", "attention/self/key", "attention/self/value", "attention/output/dense", "intermediate/dense", "output/dense")
    return {layer.weight(part) for layer in layers for part in parts}


def prune_and_sort(nodes: list[onnx.NodeProto], outputs: Iterable[str], available: set[str]) -> list[onnx.NodeProto]:
    producer = {o: n for n in nodes for o in n.output}
    order: list[onnx.NodeProto] = []
    seen: set[str] = set()

    def visit(tensor: str) -> None:
        node = producer.get(tensor)
        if node is None or node.name in seen:
            return
        seen.add(node.name)
        for i in node.input:
            if i and i not in available:
                visit(i)
        order.append(node)

    for o in outputs:
        visit(o)
    return order


def build(src: Path, sigma: list[dict[str, np.ndarray]]) -> onnx.ModelProto:
    model = onnx.load(str(src))
    layers = read_layers(model)
    soften_attention_mask(model)
    weights = {i.name: numpy_helper.to_array(i).astype(np.float32) for i in model.graph.initializer}
    for n in model.graph.node:  # address projection weights by node name
        if n.op_type == "MatMul" and n.input[1] in weights:
            weights[n.name] = weights[n.input[1]]

    b = Builder()
    b.const("w8a8/axes", np.array([-1], np.int64))
    b.const("w8a8/inv127", np.array(1.0 / 127.0, np.float32))
    b.const("w8a8/inv255", np.array(1.0 / 255.0, np.float32))
    b.const("w8a8/zero", np.array(0.0, np.float32))
    b.const("w8a8/tiny", np.array(1e-30, np.float32))
    b.const("w8a8/zp128", np.array([128], np.uint8))
    b.const("w8a8/zp128_scalar", np.array(128, np.uint8))
    for layer, s in zip(layers, sigma):
        rewrite_layer(b, layer, weights, s)

    dropped = replaced_nodes(model, layers)
    # A rewritten initializer (the smoothed V bias) replaces the export's.
    rewritten = {i.name for i in b.inits}
    kept_inits = [i for i in model.graph.initializer if i.name not in rewritten]
    del model.graph.initializer[:]
    model.graph.initializer.extend(kept_inits)
    kept = [n for n in model.graph.node if n.name not in dropped]
    available = {i.name for i in model.graph.input}
    nodes = prune_and_sort(kept + b.nodes, [o.name for o in model.graph.output], available | {i.name for i in b.inits} | {i.name for i in model.graph.initializer})
    used = {i for n in nodes for i in n.input}
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    inits = [i for i in list(model.graph.initializer) + b.inits if i.name in used]
    del model.graph.initializer[:]
    model.graph.initializer.extend(inits)
    del model.graph.value_info[:]
    for op in model.opset_import:
        if op.domain in ("", "ai.onnx"):
            op.version = OPSET
    model.opset_import.append(helper.make_opsetid(MS, 1))
    onnx.checker.check_model(model)
    return model


def calibration_texts(path: Path, rows: range) -> list[str]:
    if not path.is_file():
        raise SystemExit(f"--calibration {path}: no such file (expected a JSONL file with a \"text\" field per row, e.g. /work/shared/datasets/sst2/train.jsonl)")
    lines = path.read_text(encoding="utf-8").splitlines()
    if rows.stop > len(lines):
        raise SystemExit(f"--calibration {path}: has {len(lines)} rows, --rows asks for {rows.start}..{rows.stop - 1}")
    return [json.loads(lines[i])["text"] for i in rows]


def activation_absmax(src: Path, tensors: list[str], texts: list[str]) -> dict[str, np.ndarray]:
    """Per-channel max |x| over the real (unpadded) tokens of `texts`, from the fp32 export."""
    import onnxruntime as ort
    from tokenizers import Tokenizer

    model = onnx.load(str(src))
    for t in tensors:
        model.graph.output.append(helper.make_tensor_value_info(t, TensorProto.FLOAT, None))
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    tokenizer = Tokenizer.from_file(str(SOURCE_FOLDER / "tokenizer.json"))
    tokenizer.enable_truncation(512)
    tokenizer.enable_padding()
    amax = {t: np.zeros(0, np.float32) for t in tensors}
    for start in range(0, len(texts), 64):
        enc = tokenizer.encode_batch(texts[start : start + 64])
        ids = np.array([e.ids for e in enc], np.int64)
        mask = np.array([e.attention_mask for e in enc], np.int64)
        values = session.run(tensors, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})
        for t, v in zip(tensors, values):
            m = np.abs(v[mask.astype(bool)]).max(axis=0)
            amax[t] = m if amax[t].size == 0 else np.maximum(amax[t], m)
    return amax


def smoothing_factors(src: Path, texts: list[str], alpha: float, inputs: set[str]) -> list[dict[str, np.ndarray]]:
    """SmoothQuant: sigma_j = max|X_j|^alpha / max|W_j|^(1-alpha) per input channel j, moving
    activation outliers into the (per-column quantised) weights."""
    model = onnx.load(str(src))
    layers = read_layers(model)
    weights = {n.name: numpy_helper.to_array(i) for n in model.graph.node for i in model.graph.initializer if n.op_type == "MatMul" and n.input[1] == i.name}
    tensor_of = {"qkv": lambda l: l.x, "out": lambda l: l.context, "up": lambda l: l.attn_norm_out}
    parts_of = {"qkv": ("attention/self/query", "attention/self/key", "attention/self/value"), "out": ("attention/output/dense",), "up": ("intermediate/dense",)}
    amax = activation_absmax(src, sorted({tensor_of[i](l) for l in layers for i in inputs}), texts)
    factors = []
    for layer in layers:
        f = {}
        for i in inputs:
            wmax = np.max([np.abs(weights[layer.weight(p)]).max(axis=1) for p in parts_of[i]], axis=0)
            xmax = amax[tensor_of[i](layer)]
            f[i] = (np.power(np.maximum(xmax, 1e-5), alpha) / np.power(np.maximum(wmax, 1e-5), 1 - alpha)).astype(np.float32)
        factors.append(f)
    return factors


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--calibration", type=Path, required=True, help="JSONL with a text field; SmoothQuant statistics come from --rows of it")
    ap.add_argument("--rows", default="1000:2000", help="calibration rows from:to (keep them off the evaluation rows)")
    ap.add_argument("--smooth", type=float, default=0.5, help="SmoothQuant alpha")
    ap.add_argument("--smooth-inputs", default="qkv,out,up", help=f"comma list of projection inputs to smooth, of {','.join(SMOOTHABLE)}; '' for none")
    ap.add_argument("--src", type=Path, default=DEFAULT_SRC, help="fp32 ONNX export")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="model folder to write")
    a = ap.parse_args()
    inputs = {s for s in a.smooth_inputs.split(",") if s}
    if not inputs <= set(SMOOTHABLE):
        raise SystemExit(f"--smooth-inputs {a.smooth_inputs}: choose from {','.join(SMOOTHABLE)}")
    if not a.src.is_file():
        raise SystemExit(f"--src {a.src}: no such file (export the fp32 model first, see scripts/models/)")
    lo, hi = (int(v) for v in a.rows.split(":"))
    texts = calibration_texts(a.calibration, range(lo, hi))
    sigma = smoothing_factors(a.src, texts, a.smooth, inputs) if inputs else [{} for _ in read_layers(onnx.load(str(a.src)))]
    model = build(a.src, sigma)
    (a.out / "onnx").mkdir(parents=True, exist_ok=True)
    for name in COPIED_FILES:
        shutil.copyfile(SOURCE_FOLDER / name, a.out / name)
    onnx.save(model, str(a.out / "onnx" / "model.onnx"))
    print(f"{a.out / 'onnx' / 'model.onnx'}: {(a.out / 'onnx' / 'model.onnx').stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
