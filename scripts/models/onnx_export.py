"""ONNX export with optimum-onnx's exporter (TorchScript based, `torch.onnx.export(dynamo=False)`),
which writes the plain MatMul/Add/LayerNormalization/Erf graphs of transformers.js hub models.

- plain graph, `model.onnx`: the base model (feature-extraction task): input_ids, attention_mask
  (+ token_type_ids for BERT, + position_ids for decoders, as the exporter defines them), output
  last_hidden_state; batch and sequence axes dynamic.
- merged decoder, `decoder_model_merged.onnx`: the causal LM exported without and with past
  key/values, fused by optimum's merge_decoders into one graph whose `If` on use_cache_branch picks
  the branch (outputs logits and present.*), as in transformers.js hub repositories such as Xenova/gpt2.
  optimum-onnx 0.1.0 no longer makes this form by itself (it exports one graph with past inputs),
  so both halves are exported here and merged with its own merge_decoders.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import onnx
from optimum.exporters.onnx import export
from optimum.exporters.tasks import TasksManager
from optimum.onnx import merge_decoders
from transformers import AutoModel, AutoModelForCausalLM, PreTrainedModel

# LayerNormalization needs 17. Decoders get optimum's default of 18 (ReduceMean takes its axes as
# an input from 18 on), so the fixtures hold both forms hub models come in.
ENCODER_OPSET = 17
DECODER_OPSET = 18


def load_for_export(checkpoint: Path, causal_lm: bool = False) -> PreTrainedModel:
    """Eager attention: the explicit MatMul/Softmax form, the same the references are computed with."""
    cls = AutoModelForCausalLM if causal_lm else AutoModel
    return cls.from_pretrained(checkpoint, attn_implementation="eager").eval()


def _export_config(model: PreTrainedModel, task: str, **behaviour: bool):
    constructor = TasksManager.get_exporter_config_constructor(
        exporter="onnx", model=model, task=task, library_name="transformers"
    )
    return constructor(model.config, task=task, **behaviour)


def _save_without_provenance(path: Path) -> None:
    """Drops the exporter's free-text doc strings (they can hold stack traces with local paths), so
    the bytes depend only on the weights and the library versions."""
    model = onnx.load(str(path))
    graphs = [model.graph]
    while graphs:
        graph = graphs.pop()
        graph.doc_string = ""
        for node in graph.node:
            node.doc_string = ""
            graphs.extend(attr.g for attr in node.attribute if attr.type == onnx.AttributeProto.GRAPH)
    model.doc_string = ""
    onnx.save(model, str(path))


def export_plain(checkpoint: Path, out_path: Path, opset: int) -> Path:
    model = load_for_export(checkpoint)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    export(model, _export_config(model, "feature-extraction"), out_path, opset=opset)
    _save_without_provenance(out_path)
    return out_path


def export_merged_decoder(checkpoint: Path, out_path: Path, opset: int) -> Path:
    model = load_for_export(checkpoint, causal_lm=True)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        without_past = Path(scratch) / "decoder_model.onnx"
        with_past = Path(scratch) / "decoder_with_past_model.onnx"
        export(model, _export_config(model, "text-generation", use_past=True, use_past_in_inputs=False),
               without_past, opset=opset)
        export(model, _export_config(model, "text-generation", use_past=True, use_past_in_inputs=True),
               with_past, opset=opset)
        merge_decoders(without_past, with_past, save_path=out_path)
    _save_without_provenance(out_path)
    return out_path
