#!/usr/bin/env python3
"""Convert Karpathy's stories260K (llama2.c format) into a Hugging Face Llama checkpoint and check it.

Writes config.json, generation_config.json, model.safetensors, tokenizer.json,
tokenizer_config.json and special_tokens_map.json. Same source, same bytes: re-running reproduces
every file.

    .venv/bin/python scripts/models/stories260k.py --out DIR [--source DIR]

converts, then checks (exit status 1 on any mismatch) that:
- greedy decoding reproduces llama2.c's output (`run stories260K.bin -z tok512.bin -t 0.0`, from the
  empty prompt and from "Once upon a time"), which proves the weight layout, RoPE permutation and
  norms;
- tokenizer.json gives SentencePiece's ids (and decodes like it) on SST-2 and on hand-picked strings
  with spaces, non-ASCII characters and byte fallback.

Other scripts import `convert` and `check`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import sentencepiece as spm
import torch
from safetensors.torch import save_file
from tokenizers import Regex, Tokenizer, normalizers
from transformers import (
    AutoTokenizer,
    GenerationConfig,
    LlamaConfig,
    LlamaForCausalLM,
    LlamaTokenizer,
    LlamaTokenizerFast,
)
from transformers.convert_slow_tokenizer import convert_slow_tokenizer

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SOURCE = REPO_ROOT.parent / "shared" / "models" / "stories260K"
SST2_TRAIN = REPO_ROOT.parent / "shared" / "datasets" / "sst2" / "train.jsonl"

# The only copies known to decode correctly (see SOURCE.md: another public stories260K.bin of the
# same size holds re-laid-out weights that produce gibberish).
SOURCE_SHA256 = {
    "stories260K.bin": "b0a507e7ad0f626624f17112325e66691f9076d622e1d3274d103d00299f2696",
    "tok512.model": "dfff07d929db979913f166ec94a6f5ecad4c70cfed8eb5c9cbe7e464455e46f5",
}

UNK_ID, BOS_ID, EOS_ID = 0, 1, 2
# llama2.c's run.c constants.
RMS_NORM_EPS = 1e-5
ROPE_THETA = 10000.0

# Output of llama2.c `run stories260K.bin -z tok512.bin -t 0.0` (256 steps, empty prompt),
# byte-identical to karpathy/llama2.c doc/stories260K.md.
REFERENCE_EMPTY_PROMPT = (
    "Once upon a time, there was a little girl named Lily. She loved to play outside in the park. "
    "One day, she saw a big, red ball. She wanted to play with it, but it was too high.\n"
    "Lily's mom said, \"Lily, let's go to the park.\" Lily was sad and didn't know what to do. "
    "She said, \"I want to play with your ball, but I can't find it.\"\n"
    "Lily was sad and didn't know what to do. She said, \"I'm sorry, Lily. I didn't know what to do.\"\n"
    "Lily didn't want to help her mom, so she said, \"I'm sorry, mom. I didn't know what to do.\" "
    "Her mom said, \"Don't worry, Lily. We can help you."
)
REFERENCE_EMPTY_PROMPT_STEPS = 256
# Output of the same with `-n 48 -i "Once upon a time"`.
REFERENCE_PROMPT = "Once upon a time"
REFERENCE_PROMPT_OUTPUT = (
    "Once upon a time, there was a little girl named Lily. She loved to play outside in the park. "
    "One day, she saw a big, red ball. She wanted to"
)
REFERENCE_PROMPT_STEPS = 48

# Strings beyond SST-2 (which is lower-cased ASCII) that exercise SentencePiece's whitespace
# handling, byte fallback and multi-byte characters.
TOKENIZER_PROBES = [
    "",
    "   ",
    " leading and trailing spaces  ",
    "runs   of    spaces",
    "tab\there, new\nline and a space before a newline \n",
    "spaces around  \n  a newline stay (only the text's own ends are stripped)  ",
    "Café, naïve résumé; Zoë's façade.",
    "“Curly quotes” — an em dash… and €5",
    "日本語のテキスト",
    "Grüße aus München 😀 and 👍🏽 emoji",
    "digits 12345 and 3.14159",
    "CAPITALS and MiXeD case",
]


@dataclass(frozen=True)
class Llama2cHeader:
    dim: int
    hidden_dim: int
    n_layers: int
    n_heads: int
    n_kv_heads: int
    vocab_size: int
    seq_len: int
    shared_classifier: bool

    @property
    def head_dim(self) -> int:
        return self.dim // self.n_heads

    @property
    def kv_dim(self) -> int:
        return self.head_dim * self.n_kv_heads


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def verify_source(source_dir: Path) -> None:
    for name, expected in SOURCE_SHA256.items():
        path = source_dir / name
        if not path.is_file():
            raise SystemExit(f"{path}: not found. Pass --source with the folder holding {', '.join(SOURCE_SHA256)}.")
        actual = sha256_of(path)
        if actual != expected:
            raise SystemExit(
                f"{path}: sha256 {actual} is not the known-good {expected}. "
                "Use the icppWorld/icpp_llm or karpathy/tinyllamas copy (see SOURCE.md)."
            )


def read_llama2c(path: Path) -> tuple[Llama2cHeader, dict[str, np.ndarray]]:
    """Reads a legacy (version 0) llama2.c checkpoint: 7 int32 then float32 arrays, as run.c maps them."""
    raw = path.read_bytes()
    dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len = np.frombuffer(raw, "<i4", 7).tolist()
    header = Llama2cHeader(
        dim, hidden_dim, n_layers, n_heads, n_kv_heads, abs(vocab_size), seq_len,
        # run.c: a negative vocab_size means the classifier has its own weights.
        shared_classifier=vocab_size > 0,
    )
    floats = np.frombuffer(raw, "<f4", offset=7 * 4)
    h = header
    # Row-major [out, in] like torch.nn.Linear.weight: run.c computes W (d,n) @ x (n,).
    shapes = [
        ("token_embedding", (h.vocab_size, h.dim)),
        ("rms_att", (h.n_layers, h.dim)),
        ("wq", (h.n_layers, h.dim, h.dim)),
        ("wk", (h.n_layers, h.kv_dim, h.dim)),
        ("wv", (h.n_layers, h.kv_dim, h.dim)),
        ("wo", (h.n_layers, h.dim, h.dim)),
        ("rms_ffn", (h.n_layers, h.dim)),
        ("w1", (h.n_layers, h.hidden_dim, h.dim)),
        ("w2", (h.n_layers, h.dim, h.hidden_dim)),
        ("w3", (h.n_layers, h.hidden_dim, h.dim)),
        ("rms_final", (h.dim,)),
        # Precomputed RoPE tables, unused: HF recomputes them from rope_theta.
        ("freq_cis_real", (h.seq_len, h.head_dim // 2)),
        ("freq_cis_imag", (h.seq_len, h.head_dim // 2)),
    ]
    if not header.shared_classifier:
        shapes.append(("wcls", (h.vocab_size, h.dim)))
    arrays: dict[str, np.ndarray] = {}
    offset = 0
    for name, shape in shapes:
        size = int(np.prod(shape))
        arrays[name] = floats[offset:offset + size].reshape(shape)
        offset += size
    if offset != floats.size:
        raise SystemExit(f"{path}: expected {offset} float32 values after the header, found {floats.size}.")
    return header, arrays


def rope_interleaved_to_half(weight: np.ndarray, n_heads: int) -> np.ndarray:
    """Reorders q/k projection rows from llama2.c's RoPE (rotates adjacent pairs 2i, 2i+1 of each
    head) to Hugging Face's rotate_half (rotates i with i + head_dim/2): the `permute` of
    transformers' convert_llama_weights_to_hf."""
    out_dim, in_dim = weight.shape
    return weight.reshape(n_heads, out_dim // n_heads // 2, 2, in_dim).transpose(0, 2, 1, 3).reshape(out_dim, in_dim)


def hf_state_dict(header: Llama2cHeader, w: dict[str, np.ndarray]) -> dict[str, torch.Tensor]:
    tensors = {
        "model.embed_tokens.weight": w["token_embedding"],
        "model.norm.weight": w["rms_final"],
    }
    for layer in range(header.n_layers):
        p = f"model.layers.{layer}."
        tensors[p + "input_layernorm.weight"] = w["rms_att"][layer]
        tensors[p + "self_attn.q_proj.weight"] = rope_interleaved_to_half(w["wq"][layer], header.n_heads)
        tensors[p + "self_attn.k_proj.weight"] = rope_interleaved_to_half(w["wk"][layer], header.n_kv_heads)
        tensors[p + "self_attn.v_proj.weight"] = w["wv"][layer]
        tensors[p + "self_attn.o_proj.weight"] = w["wo"][layer]
        tensors[p + "post_attention_layernorm.weight"] = w["rms_ffn"][layer]
        # run.c: w2(silu(w1 x) * w3 x).
        tensors[p + "mlp.gate_proj.weight"] = w["w1"][layer]
        tensors[p + "mlp.up_proj.weight"] = w["w3"][layer]
        tensors[p + "mlp.down_proj.weight"] = w["w2"][layer]
    if not header.shared_classifier:
        tensors["lm_head.weight"] = w["wcls"]
    return {name: torch.from_numpy(np.array(array, dtype=np.float32, order="C")) for name, array in tensors.items()}


def llama_config(header: Llama2cHeader) -> LlamaConfig:
    return LlamaConfig(
        vocab_size=header.vocab_size,
        hidden_size=header.dim,
        intermediate_size=header.hidden_dim,
        num_hidden_layers=header.n_layers,
        num_attention_heads=header.n_heads,
        num_key_value_heads=header.n_kv_heads,
        head_dim=header.head_dim,
        hidden_act="silu",
        max_position_embeddings=header.seq_len,
        rms_norm_eps=RMS_NORM_EPS,
        rope_theta=ROPE_THETA,
        tie_word_embeddings=header.shared_classifier,
        attention_bias=False,
        mlp_bias=False,
        bos_token_id=BOS_ID,
        eos_token_id=EOS_ID,
        # The original has no pad token. <unk> never occurs in encoded text (byte fallback covers
        # every character), so padding with it is unambiguous; attention masks exclude it anyway.
        pad_token_id=UNK_ID,
        torch_dtype="float32",
    )


def generation_config() -> GenerationConfig:
    # llama2.c trained on stories each introduced by BOS and never followed by EOS, so the model
    # ends a story by predicting BOS; run.c stops there. Stop on either.
    return GenerationConfig(bos_token_id=BOS_ID, eos_token_id=[EOS_ID, BOS_ID], pad_token_id=UNK_ID)


def sentencepiece_normalizer() -> normalizers.Normalizer:
    """SentencePiece's `identity` normalizer with remove_extra_whitespaces and add_dummy_prefix, which
    the Llama converter does not reproduce (Llama's own model has remove_extra_whitespaces off).

    Only U+0020 counts as whitespace there: tabs and newlines stay and fall back to bytes. `\\A` and
    `\\z` anchor to the whole text in Python (Oniguruma, where ^ and $ match at every line) and are
    rewritten to equivalent lookarounds by transformers.js."""
    return normalizers.Sequence([
        normalizers.Replace(Regex(r"\A +| +\z"), ""),
        normalizers.Replace(Regex(" {2,}"), " "),
        normalizers.Prepend("▁"),
        # transformers.js prepends to an empty (all-space) text too, where SentencePiece and Python
        # tokenizers give no token: undo it.
        normalizers.Replace(Regex(r"\A▁\z"), ""),
        normalizers.Replace(" ", "▁"),
    ])


def build_tokenizer(model_file: Path, max_length: int) -> LlamaTokenizerFast:
    slow = LlamaTokenizer(str(model_file), legacy=True)
    backend: Tokenizer = convert_slow_tokenizer(slow)
    backend.normalizer = sentencepiece_normalizer()
    return LlamaTokenizerFast(
        tokenizer_object=backend,
        unk_token="<unk>",
        bos_token="<s>",
        eos_token="</s>",
        pad_token="<unk>",
        # Llama's normalizer-based (pre-Metaspace) layout, which the converter produced.
        legacy=True,
        # llama2.c starts every sequence with BOS, as the model saw in training.
        add_bos_token=True,
        add_eos_token=False,
        clean_up_tokenization_spaces=False,
        # Right padding keeps each real token at its trained position without position_ids.
        padding_side="right",
        model_max_length=max_length,
    )


def convert(out_dir: Path, source_dir: Path = DEFAULT_SOURCE) -> Path:
    """Writes the Hugging Face checkpoint and tokenizer into out_dir and returns it."""
    verify_source(source_dir)
    header, weights = read_llama2c(source_dir / "stories260K.bin")
    out_dir.mkdir(parents=True, exist_ok=True)
    llama_config(header).to_json_file(out_dir / "config.json")
    generation_config().to_json_file(out_dir / "generation_config.json")
    save_file(hf_state_dict(header, weights), out_dir / "model.safetensors", metadata={"format": "pt"})
    build_tokenizer(source_dir / "tok512.model", header.seq_len).save_pretrained(out_dir)
    return out_dir


def greedy_text(model: LlamaForCausalLM, tokenizer: LlamaTokenizerFast, prompt: str, steps: int) -> str:
    """Greedy continuation as run.c prints it: `steps` tokens after BOS, the prompt's included."""
    ids = tokenizer(prompt, return_tensors="pt").input_ids
    output = model.generate(
        ids, attention_mask=torch.ones_like(ids), do_sample=False, max_new_tokens=steps - (ids.shape[1] - 1),
    )
    return tokenizer.decode(output[0], skip_special_tokens=True)


def first_difference(a: str, b: str) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))


def check_decoding(out_dir: Path) -> list[str]:
    model = LlamaForCausalLM.from_pretrained(out_dir).eval()
    tokenizer = AutoTokenizer.from_pretrained(out_dir)
    problems = []
    cases = [
        ("", REFERENCE_EMPTY_PROMPT_STEPS, REFERENCE_EMPTY_PROMPT),
        (REFERENCE_PROMPT, REFERENCE_PROMPT_STEPS, REFERENCE_PROMPT_OUTPUT),
    ]
    with torch.no_grad():
        for prompt, steps, expected in cases:
            text = greedy_text(model, tokenizer, prompt, steps)
            status = "matches" if text == expected else "DIFFERS"
            print(f"greedy decoding, prompt {prompt!r}, {steps} steps: {status} llama2.c ({len(text)} chars)")
            print("  " + text.replace("\n", "\n  "))
            if text != expected:
                at = first_difference(text, expected)
                problems.append(f"prompt {prompt!r}: first difference at character {at}: "
                                f"got {text[at:at + 40]!r}, llama2.c {expected[at:at + 40]!r}")
    return problems


def check_tokenizer(out_dir: Path, source_dir: Path) -> list[str]:
    sp = spm.SentencePieceProcessor(model_file=str(source_dir / "tok512.model"))
    tokenizer = AutoTokenizer.from_pretrained(out_dir)
    with SST2_TRAIN.open(encoding="utf-8") as lines:
        sst2 = [json.loads(line)["text"] for line in lines]
    texts = sst2 + TOKENIZER_PROBES
    problems = []
    encoded = tokenizer(texts).input_ids
    for text, ids in zip(texts, encoded):
        expected = [BOS_ID] + sp.encode(text)
        if ids != expected:
            problems.append(f"encode {text!r}: tokenizer.json {ids}, SentencePiece {expected}")
        elif tokenizer.decode(ids, skip_special_tokens=True) != sp.decode(expected):
            problems.append(f"decode {text!r}: tokenizer.json {tokenizer.decode(ids, skip_special_tokens=True)!r}, "
                            f"SentencePiece {sp.decode(expected)!r}")
    print(f"tokenizer.json vs SentencePiece: {len(texts) - len(problems)}/{len(texts)} texts encode and decode alike "
          f"({len(sst2)} SST-2 train sentences, {len(TOKENIZER_PROBES)} probes)")
    return problems


def check(out_dir: Path, source_dir: Path = DEFAULT_SOURCE) -> list[str]:
    """Problems found in a converted folder (empty when it decodes and tokenizes like the original)."""
    return check_decoding(out_dir) + check_tokenizer(out_dir, source_dir)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True, help="folder to write the Hugging Face checkpoint into")
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE,
                        help=f"folder with stories260K.bin and tok512.model (default {DEFAULT_SOURCE})")
    args = parser.parse_args()
    out_dir = convert(args.out, args.source)
    for path in sorted(out_dir.iterdir()):
        print(f"{sha256_of(path)}  {path.name}")
    problems = check(out_dir, args.source)
    for problem in problems:
        print("MISMATCH " + problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
