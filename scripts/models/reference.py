"""PyTorch reference values that the ONNX side (tokenizer, graph, extraction engine) is judged by.

For a fixed right-padded batch: the token ids, last_hidden_state, and for every layer
- `hid` (l = 0..L): Hugging Face `output_hidden_states` (0 = embedding output; for pre-LN models
  the last entry has the final norm applied),
- `act` (l = 0..L-1): the input of block l's FFN down projection, caught by a forward pre-hook,
each pooled over real tokens (padding excluded, special tokens included): `mean`, `max`, and
`single` (the first token for encoders, the last real token for decoders).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from transformers import PreTrainedModel, PreTrainedTokenizerFast

from common import write_compact_json

# The module whose input is the FFN's intermediate activation (act(W_in x), or act(gate) * up).
DOWN_PROJECTION = {
    "bert": "encoder.layer.{}.output.dense",
    "roberta": "encoder.layer.{}.output.dense",
    "distilbert": "transformer.layer.{}.ffn.lin2",
    "gpt2": "h.{}.mlp.c_proj",
    "llama": "layers.{}.mlp.down_proj",
    "qwen2": "layers.{}.mlp.down_proj",
}
DECODER_TYPES = {"gpt2", "llama", "qwen2"}
POOLINGS = ("mean", "max", "single")


@dataclass(frozen=True)
class ReferenceBatch:
    """What the ONNX graphs are then checked against."""
    inputs: dict[str, np.ndarray]
    last_hidden_state: np.ndarray
    intermediate_size: int


def is_decoder(model_type: str) -> bool:
    return model_type in DECODER_TYPES


def encode_batch(tokenizer: PreTrainedTokenizerFast, texts: list[str]) -> dict[str, torch.Tensor]:
    """Right-padded, with the pad token transformers.js would use (the EOS token when there is none)."""
    tokenizer.padding_side = "right"
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return dict(tokenizer(texts, padding=True, return_tensors="pt"))


def pool(x: torch.Tensor, mask: torch.Tensor, single_token: str) -> dict[str, np.ndarray]:
    real = mask.bool().unsqueeze(-1)
    x64 = x.double()
    mean = (x64 * real).sum(1) / real.sum(1)
    peak = x64.masked_fill(~real, float("-inf")).amax(1)
    rows = torch.arange(x.shape[0])
    position = torch.zeros_like(rows) if single_token == "first" else mask.sum(1) - 1
    single = x64[rows, position]
    return {"mean": mean.float().numpy(), "max": peak.float().numpy(), "single": single.float().numpy()}


def run_with_taps(model: PreTrainedModel, inputs: dict[str, torch.Tensor]) -> tuple[Any, list[torch.Tensor]]:
    model_type = model.config.model_type
    num_layers = model.config.num_hidden_layers
    captured: dict[int, torch.Tensor] = {}

    def catch(layer: int):
        def hook(_module: torch.nn.Module, args: tuple[torch.Tensor, ...]) -> None:
            captured[layer] = args[0].detach()
        return hook

    handles = [
        model.get_submodule(DOWN_PROJECTION[model_type].format(layer)).register_forward_pre_hook(catch(layer))
        for layer in range(num_layers)
    ]
    try:
        with torch.no_grad():
            output = model(**inputs, output_hidden_states=True)
    finally:
        for handle in handles:
            handle.remove()
    return output, [captured[layer] for layer in range(num_layers)]


def write_reference(
    name: str, model: PreTrainedModel, tokenizer: PreTrainedTokenizerFast, texts: list[str], out_path: Path
) -> ReferenceBatch:
    """Writes test/fixtures/reference/<name>.json."""
    model_type = model.config.model_type
    decoder = is_decoder(model_type)
    single_token = "last" if decoder else "first"
    inputs = encode_batch(tokenizer, texts)
    output, acts = run_with_taps(model, inputs)
    hidden = output.hidden_states
    num_layers = len(acts)
    if len(hidden) != num_layers + 1:
        raise SystemExit(f"{name}: {len(hidden)} hidden states for {num_layers} layers")
    mask = inputs["attention_mask"]
    features: dict[str, np.ndarray] = {}
    for kind, tensors in (("hid", hidden), ("act", acts)):
        for layer, tensor in enumerate(tensors):
            for pooling, values in pool(tensor, mask, single_token).items():
                features[f"L{layer}.{kind}.{pooling}"] = values
    write_compact_json(out_path, [
        ("model", name),
        ("model_type", model_type),
        ("decoder", decoder),
        ("single_token", single_token),
        ("num_layers", num_layers),
        ("hidden_size", hidden[0].shape[-1]),
        ("intermediate_size", acts[0].shape[-1]),
        ("texts", texts),
        ("inputs", {key: value.numpy() for key, value in inputs.items()}),
        ("last_hidden_state", output.last_hidden_state.float().numpy()),
        ("features", features),
    ])
    return ReferenceBatch(
        {key: value.numpy() for key, value in inputs.items()}, output.last_hidden_state.numpy(), acts[0].shape[-1]
    )


def write_logits_reference(
    name: str, causal_lm: PreTrainedModel, inputs: dict[str, np.ndarray], graph: str, out_path: Path
) -> np.ndarray:
    """The logits at each text's last real token, which the merged decoder graph (it outputs logits,
    not last_hidden_state) is checked against."""
    mask = torch.from_numpy(inputs["attention_mask"])
    with torch.no_grad():
        logits = causal_lm(input_ids=torch.from_numpy(inputs["input_ids"]), attention_mask=mask).logits
    last = logits[torch.arange(logits.shape[0]), mask.sum(1) - 1].float().numpy()
    write_compact_json(out_path, [("model", name), ("graph", graph), ("last_token_logits", last)])
    return last


def truncated_ids(tokenizer: PreTrainedTokenizerFast, texts: list[str], max_length: int) -> list[list[int]]:
    """Python's truncation keeps the special tokens and cuts the text, which the Node tokenizer must match."""
    return tokenizer(texts, truncation=True, max_length=max_length)["input_ids"]
