"""Makes an fp32 model folder from the committed W8A8 default model, for GPU checks on machines
that cannot receive the 90 MB fp32 export (a device whose upload is capped) but have Python with
onnx and numpy.

Each com.microsoft MatMulIntegerToFloat product (int8 weights Wq with one scale per output column ws,
as scripts/models/w8a8.py writes them) becomes a plain MatMul of the QuantizeLinear's float input by
the dequantized weight W[k, n] = Wq[k, n] * ws[n], plus its bias when it has one. Where the product
ran on per-token codes and a Sub took the zero point's share off after (the FFN down projection), the
MatMul takes the Sub's place. The activation quantization nodes are left without consumers and
dropped. The result computes the model's function with float activations and standard ONNX operators
only, so it exercises the fp32 path of an execution provider. Its features differ from the real fp32
export's by the weights' quantisation error.

    python bench/gpu/dequantize.py <W8A8 model folder> <output folder>

The output folder gets the input's config and tokenizer files and onnx/model.onnx.
"""

import shutil
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import helper, numpy_helper


def reachable(nodes: list[onnx.NodeProto], outputs: list[str]) -> list[onnx.NodeProto]:
    """The nodes the graph outputs depend on, in their original order."""
    producer = {o: n for n in nodes for o in n.output}
    needed: set[int] = set()
    stack = [producer[o] for o in outputs if o in producer]
    while stack:
        node = stack.pop()
        if id(node) in needed:
            continue
        needed.add(id(node))
        stack.extend(producer[i] for i in node.input if i in producer)
    return [n for n in nodes if id(n) in needed]


def main(src: Path, dst: Path) -> None:
    model = onnx.load(str(src / "onnx" / "model_quantized.onnx"))
    graph = model.graph
    inits = {i.name: i for i in graph.initializer}
    producer = {o: n for n in graph.node for o in n.output}
    consumers: dict[str, list[onnx.NodeProto]] = {}
    for n in graph.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)

    replacements: dict[int, list[onnx.NodeProto]] = {}
    for node in graph.node:
        if node.op_type != "MatMulIntegerToFloat":
            continue
        quantize = producer.get(node.input[0])
        if quantize is None or quantize.op_type != "QuantizeLinear":
            raise SystemExit(f"{node.name}: its input does not come from a QuantizeLinear")
        if len(node.input) > 5 and node.input[5]:
            raise SystemExit(f"{node.name}: weight zero points are not handled")
        w = numpy_helper.to_array(inits[node.input[1]]).astype(np.float32) * numpy_helper.to_array(inits[node.input[3]]).astype(np.float32)[None, :]
        name = node.input[1] + "_fp32"
        graph.initializer.append(numpy_helper.from_array(np.ascontiguousarray(w), name))
        bias = node.input[6] if len(node.input) > 6 and node.input[6] else None
        users = consumers.get(node.output[0], [])
        corrected = users[0] if len(users) == 1 and users[0].op_type == "Sub" and not bias else None
        # The node whose output the MatMul's result stands for: the zero-point correction, or itself.
        target = corrected or node
        out = target.output[0]
        product = out + "_unbiased" if bias else out
        new = [helper.make_node("MatMul", [quantize.input[0], name], [product], name=node.name + "_fp32")]
        if bias:
            new.append(helper.make_node("Add", [product, bias], [out], name=node.name + "_bias"))
        replacements[id(target)] = new
        if corrected:
            replacements[id(node)] = []

    nodes: list[onnx.NodeProto] = []
    for n in graph.node:
        nodes.extend(replacements.get(id(n), [n]))
    nodes = reachable(nodes, [o.name for o in graph.output])
    used = {i for n in nodes for i in n.input}
    kept = [i for i in graph.initializer if i.name in used]
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
    products = sum(1 for r in replacements.values() if r)
    print(f"{products} MatMulIntegerToFloat products dequantized into {dst / 'onnx' / 'model.onnx'}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(Path(sys.argv[1]), Path(sys.argv[2]))
