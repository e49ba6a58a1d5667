"""Tiny random-weight models of each family the extraction engine must tap.

Hidden size 32 and 4 heads everywhere; the FFN width differs per family and from every other
dimension (hidden 32, positions 100, vocabularies 600..720) so a weight's shape says what it is.
Llama and Qwen2 use grouped-query attention (2 key/value heads for 4 query heads) and gated FFNs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import torch
from transformers import (
    BertConfig,
    BertModel,
    DistilBertConfig,
    DistilBertModel,
    GPT2Config,
    GPT2LMHeadModel,
    LlamaConfig,
    LlamaForCausalLM,
    PretrainedConfig,
    PreTrainedModel,
    PreTrainedTokenizerFast,
    Qwen2Config,
    Qwen2ForCausalLM,
    RobertaConfig,
    RobertaModel,
)

from fixture_tokenizers import build_tokenizer

SEED = 20240607
HIDDEN = 32
HEADS = 4
POSITIONS = 100
# Ten times the usual 0.02, so activations are of order 1 and a tolerance of 1e-4 means something.
INIT_STD = 0.2


@dataclass(frozen=True)
class TinyModel:
    name: str
    num_layers: int
    intermediate: int
    # Decoders are saved with their LM head, as hub checkpoints are, so that the generation form
    # (past key/values, logits) can be exported from the same weights.
    model_class: type[PreTrainedModel]
    make_config: Callable[["TinyModel", PreTrainedTokenizerFast], PretrainedConfig]

    @property
    def merged_decoder(self) -> bool:
        """Also exported in transformers.js's merged decoder form (past key/values, logits)."""
        return self.name in ("gpt2", "llama")


def _bert(spec: TinyModel, tok: PreTrainedTokenizerFast) -> PretrainedConfig:
    return BertConfig(
        vocab_size=len(tok), initializer_range=INIT_STD, hidden_size=HIDDEN, num_hidden_layers=spec.num_layers, num_attention_heads=HEADS,
        intermediate_size=spec.intermediate, max_position_embeddings=POSITIONS, type_vocab_size=2,
        pad_token_id=tok.pad_token_id,
    )


def _roberta(spec: TinyModel, tok: PreTrainedTokenizerFast) -> PretrainedConfig:
    # RoBERTa numbers positions from pad_token_id + 1, hence the 2 extra rows (as in roberta-base's 514).
    return RobertaConfig(
        vocab_size=len(tok), initializer_range=INIT_STD, hidden_size=HIDDEN, num_hidden_layers=spec.num_layers, num_attention_heads=HEADS,
        intermediate_size=spec.intermediate, max_position_embeddings=POSITIONS + 2, type_vocab_size=1,
        pad_token_id=tok.pad_token_id, bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id,
    )


def _distilbert(spec: TinyModel, tok: PreTrainedTokenizerFast) -> PretrainedConfig:
    return DistilBertConfig(
        vocab_size=len(tok), initializer_range=INIT_STD, dim=HIDDEN, n_layers=spec.num_layers, n_heads=HEADS, hidden_dim=spec.intermediate,
        max_position_embeddings=POSITIONS, pad_token_id=tok.pad_token_id,
    )


def _gpt2(spec: TinyModel, tok: PreTrainedTokenizerFast) -> PretrainedConfig:
    return GPT2Config(
        vocab_size=len(tok), initializer_range=INIT_STD, n_embd=HIDDEN, n_layer=spec.num_layers, n_head=HEADS, n_inner=spec.intermediate,
        n_positions=POSITIONS, bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id,
    )


def _llama(spec: TinyModel, tok: PreTrainedTokenizerFast) -> PretrainedConfig:
    # Separate LM head, like Llama 2.
    return LlamaConfig(
        vocab_size=len(tok), initializer_range=INIT_STD, hidden_size=HIDDEN, num_hidden_layers=spec.num_layers, num_attention_heads=HEADS,
        num_key_value_heads=HEADS // 2, intermediate_size=spec.intermediate, max_position_embeddings=POSITIONS,
        tie_word_embeddings=False, bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id,
    )


def _qwen2(spec: TinyModel, tok: PreTrainedTokenizerFast) -> PretrainedConfig:
    # Tied LM head and q/k/v biases, like Qwen2-0.5B.
    return Qwen2Config(
        vocab_size=len(tok), initializer_range=INIT_STD, hidden_size=HIDDEN, num_hidden_layers=spec.num_layers, num_attention_heads=HEADS,
        num_key_value_heads=HEADS // 2, intermediate_size=spec.intermediate, max_position_embeddings=POSITIONS,
        tie_word_embeddings=True, use_sliding_window=False, bos_token_id=None, eos_token_id=tok.eos_token_id,
        pad_token_id=tok.pad_token_id,
    )


TINY_MODELS = [
    TinyModel("bert", 3, 64, BertModel, _bert),
    TinyModel("roberta", 2, 48, RobertaModel, _roberta),
    TinyModel("distilbert", 2, 72, DistilBertModel, _distilbert),
    # GPT-2's default FFN width, 4 x hidden.
    TinyModel("gpt2", 2, 4 * HIDDEN, GPT2LMHeadModel, _gpt2),
    TinyModel("llama", 2, 88, LlamaForCausalLM, _llama),
    TinyModel("qwen2", 2, 56, Qwen2ForCausalLM, _qwen2),
]


def build_checkpoint(spec: TinyModel, out_dir: Path) -> Path:
    """Writes a Hugging Face checkpoint (weights from a fixed seed) and its tokenizer into out_dir."""
    tokenizer = build_tokenizer(spec.name, POSITIONS, out_dir)
    torch.manual_seed(SEED)
    model = spec.model_class(spec.make_config(spec, tokenizer))
    model.save_pretrained(out_dir)
    return out_dir
