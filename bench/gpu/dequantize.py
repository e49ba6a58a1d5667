"""Makes an fp32 model folder from the committed weight-only int8 one, for GPU checks on machines
that cannot receive the 90 MB fp32 export (a device whose upload is capped) but have Python with
onnx and numpy.

Every com.microsoft MatMulNBits node (8-bit, blockwise scales, no zero points, as
scripts/models/export_all.py writes them) becomes a plain MatMul with the dequantized weight
W[k, n] = (q[n, k // block, k % block] - 2^(bits-1)) * scale[n, k // block], the operator's
documented semantics. The result computes the int8 model's function in fp32 with standard ONNX
operators only: the same graph shape as an fp32 export, so it exercises the fp32 path of an
execution provider. Its features differ from the real fp32 export's by the quantisation error.

    python bench/gpu/dequantize.py <int8 model folder> <output folder>

The output folder gets the input's config and tokenizer files and onnx/model.onnx.
"""

import shutil
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import helper, numpy_helper


def dequantize(q: np.ndarray, scales: np.ndarray, k: int, bits: int, block: int) -> np.ndarray:
    if bits != 8:
        raise SystemExit(f"only 8-bit MatMulNBits is handled here, found bits={bits}")
    n, blocks, _ = q.shape
    centred = q.astype(np.float32) - float(1 << (bits - 1))
    w = centred * scales.reshape(n, blocks, 1).astype(np.float32)
    return np.ascontiguousarray(w.reshape(n, blocks * block)[:, :k].T)


def main(src: Path, dst: Path) -> None:
    model = onnx.load(str(src / "onnx" / "model_quantized.onnx"))
    graph = model.graph
    inits = {i.name: i for i in graph.initializer}
    nodes = []
    replaced = 0
    for node in graph.node:
        if node.op_type != "MatMulNBits":
            nodes.append(node)
            continue
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        if len(node.input) > 3 and node.input[3]:
            raise SystemExit(f"{node.name}: zero points are not handled")
        q = numpy_helper.to_array(inits[node.input[1]])
        scales = numpy_helper.to_array(inits[node.input[2]])
        w = dequantize(q, scales, attrs["K"], attrs["bits"], attrs["block_size"])
        name = node.input[1] + "_fp32"
        graph.initializer.append(numpy_helper.from_array(w, name))
        # MatMulNBits' optional bias (input 5) becomes an Add after the MatMul.
        bias = node.input[5] if len(node.input) > 5 and node.input[5] else None
        product = [node.output[0] + "_unbiased"] if bias else list(node.output)
        nodes.append(helper.make_node("MatMul", [node.input[0], name], product, name=node.name))
        if bias:
            nodes.append(helper.make_node("Add", [product[0], bias], list(node.output), name=node.name + "_bias"))
        replaced += 1
    used = {i for n in nodes for i in n.input}
    kept = [i for i in graph.initializer if i.name in used or i.name in {o.name for o in graph.output}]
    del graph.node[:]
    graph.node.extend(nodes)
    del graph.initializer[:]
    graph.initializer.extend(kept)
    (dst / "onnx").mkdir(parents=True, exist_ok=True)
    for f in src.iterdir():
        if f.is_file():
            shutil.copy(f, dst / f.name)
    onnx.checker.check_model(model)
    onnx.save(model, str(dst / "onnx" / "model.onnx"))
    print(f"{replaced} MatMulNBits nodes dequantized into {dst / 'onnx' / 'model.onnx'}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(Path(sys.argv[1]), Path(sys.argv[2]))
