"""Small tokenizers of each family's real type, trained on SST-2, saved in the Hugging Face layout
(tokenizer.json, tokenizer_config.json, special_tokens_map.json) that transformers.js reads.

- WordPiece with BERT's normalizer (lower-case, strip accents) and `##` continuations: bert, distilbert.
- Byte-level BPE (`Ġ` for a leading space), GPT-2's split regex: gpt2, roberta (with <s> </s>).
- Byte-level BPE behind Qwen2's NFC normalizer and split regex: qwen2.
- SentencePiece-style BPE: Metaspace `▁`, byte fallback to <0x00>..<0xFF>, <s> prefix: llama.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Callable

from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
from transformers import (
    BertTokenizerFast,
    DistilBertTokenizerFast,
    GPT2TokenizerFast,
    LlamaTokenizerFast,
    PreTrainedTokenizerFast,
    Qwen2TokenizerFast,
    RobertaTokenizerFast,
)

from common import read_sst2

TRAINING_LINES = 2000
# Capitals and accented letters beyond lower-cased SST-2, frequent enough to enter the 64-letter
# SentencePiece-style alphabet; rarer characters (the em dash, emoji) still fall back to bytes.
EXTRA_TRAINING_TEXTS = [
    "Café naïve façade, déjà vu and a piñata in São Paulo.",
    "Grüße aus München — über schön!",
    "Æsop’s “fables” cost 5 € or £4…",
] * 10

# Qwen2's pre-tokenizer pattern, as in Qwen/Qwen2-0.5B's tokenizer.json.
QWEN2_SPLIT_PATTERN = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)
# Characters outside the alphabet (capitals, most non-ASCII) fall back to bytes, as in Llama.
ALPHABET_SIZE = 64
BYTE_TOKENS = [f"<0x{b:02X}>" for b in range(256)]


def training_corpus() -> list[str]:
    return read_sst2(TRAINING_LINES) + EXTRA_TRAINING_TEXTS


def initial_alphabet(size: int) -> list[str]:
    """The `size` most frequent characters of the corpus (ties by code point), space as `▁`: the
    trainer's own limit_alphabet breaks ties by hash order, which changes from run to run."""
    counts = Counter("".join(training_corpus()).replace(" ", "▁"))
    return sorted(counts, key=lambda c: (-counts[c], c))[:size]


def with_canonical_ids(tok: Tokenizer, fixed: int) -> Tokenizer:
    """Numbers the vocabulary after the first `fixed` ids in code-point order. The trainers number
    it in hash order (and break WordPiece ties so), which changes from run to run; encoding does not
    depend on the numbering (BPE ranks come from the merges list, WordPiece matches longest)."""
    state = json.loads(tok.to_str())
    vocab: dict[str, int] = state["model"]["vocab"]
    by_id = sorted(vocab, key=vocab.__getitem__)
    state["model"]["vocab"] = {t: i for i, t in enumerate(by_id[:fixed] + sorted(by_id[fixed:]))}
    return Tokenizer.from_str(json.dumps(state))


def wordpiece(vocab_size: int) -> Tokenizer:
    special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]", continuing_subword_prefix="##"))
    tok.normalizer = normalizers.BertNormalizer(
        clean_text=True, handle_chinese_chars=True, strip_accents=None, lowercase=True
    )
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.train_from_iterator(
        training_corpus(),
        trainers.WordPieceTrainer(vocab_size=vocab_size, special_tokens=special, continuing_subword_prefix="##"),
    )
    tok = with_canonical_ids(tok, len(special))
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", cls), ("[SEP]", sep)]
    )
    tok.decoder = decoders.WordPiece(prefix="##")
    return tok


def byte_level_bpe(vocab_size: int, special: list[str], qwen2_split: bool = False) -> Tokenizer:
    tok = Tokenizer(models.BPE())
    if qwen2_split:
        tok.normalizer = normalizers.NFC()
        tok.pre_tokenizer = pre_tokenizers.Sequence([
            pre_tokenizers.Split(Regex(QWEN2_SPLIT_PATTERN), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ])
    else:
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator(
        training_corpus(),
        trainers.BpeTrainer(
            vocab_size=vocab_size, special_tokens=special, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
        ),
    )
    tok = with_canonical_ids(tok, len(special))
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    return tok


def roberta_bpe(vocab_size: int) -> Tokenizer:
    tok = byte_level_bpe(vocab_size, ["<s>", "<pad>", "</s>", "<unk>", "<mask>"])
    tok.post_processor = processors.RobertaProcessing(
        sep=("</s>", tok.token_to_id("</s>")), cls=("<s>", tok.token_to_id("<s>")),
        trim_offsets=True, add_prefix_space=False,
    )
    return tok


def sentencepiece_bpe(vocab_size: int) -> Tokenizer:
    """Laid out like Llama 2's: <unk> <s> </s>, then the 256 byte tokens, then learned pieces."""
    special = ["<unk>", "<s>", "</s>"]
    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    # Trained word by word, like SentencePiece, so that no piece spans a word boundary.
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="first", split=True)
    tok.train_from_iterator(
        training_corpus(),
        # The byte tokens enter as specials to get ids 3..258; they are turned back into plain
        # vocabulary below, so that text like "<0x41>" is not matched as an added token.
        trainers.BpeTrainer(
            vocab_size=vocab_size, special_tokens=special + BYTE_TOKENS,
            initial_alphabet=initial_alphabet(ALPHABET_SIZE), limit_alphabet=ALPHABET_SIZE,
        ),
    )
    state = json.loads(tok.to_str())
    state["added_tokens"] = [t for t in state["added_tokens"] if t["content"] in special]
    state["model"].update(byte_fallback=True, fuse_unk=True)
    # Encoding splits nowhere, as transformers' Llama converter writes it (and transformers.js's
    # Metaspace always does); the pieces are the same since none spans a word boundary.
    state["pre_tokenizer"]["split"] = False
    tok = with_canonical_ids(Tokenizer.from_str(json.dumps(state)), len(special) + len(BYTE_TOKENS))
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A", pair="<s> $A <s> $B", special_tokens=[("<s>", tok.token_to_id("<s>"))]
    )
    tok.decoder = decoders.Sequence([
        decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse(), decoders.Strip(content=" ", left=1, right=0)
    ])
    return tok


def _bert(cls: type[PreTrainedTokenizerFast]) -> Callable[[int], PreTrainedTokenizerFast]:
    def build(max_length: int) -> PreTrainedTokenizerFast:
        return cls(
            tokenizer_object=wordpiece(700), do_lower_case=True, strip_accents=None, tokenize_chinese_chars=True,
            unk_token="[UNK]", sep_token="[SEP]", pad_token="[PAD]", cls_token="[CLS]", mask_token="[MASK]",
            model_max_length=max_length,
        )
    return build


def _roberta(max_length: int) -> PreTrainedTokenizerFast:
    return RobertaTokenizerFast(
        tokenizer_object=roberta_bpe(640), add_prefix_space=False, trim_offsets=True,
        bos_token="<s>", eos_token="</s>", sep_token="</s>", cls_token="<s>", unk_token="<unk>",
        pad_token="<pad>", mask_token="<mask>", model_max_length=max_length,
    )


def _gpt2(max_length: int) -> PreTrainedTokenizerFast:
    # Like GPT-2: no pad token, no special tokens added around the text.
    return GPT2TokenizerFast(
        tokenizer_object=byte_level_bpe(600, ["<|endoftext|>"]), add_prefix_space=False,
        unk_token="<|endoftext|>", bos_token="<|endoftext|>", eos_token="<|endoftext|>", model_max_length=max_length,
    )


def _qwen2(max_length: int) -> PreTrainedTokenizerFast:
    return Qwen2TokenizerFast(
        tokenizer_object=byte_level_bpe(680, ["<|endoftext|>", "<|im_start|>", "<|im_end|>"], qwen2_split=True),
        unk_token=None, bos_token=None, eos_token="<|endoftext|>", pad_token="<|endoftext|>",
        model_max_length=max_length,
    )


def _llama(max_length: int) -> PreTrainedTokenizerFast:
    # Like Llama 2: <s> first, no pad token (transformers.js and the references pad with </s>).
    return LlamaTokenizerFast(
        tokenizer_object=sentencepiece_bpe(720), legacy=False, add_bos_token=True, add_eos_token=False,
        unk_token="<unk>", bos_token="<s>", eos_token="</s>", padding_side="right", model_max_length=max_length,
    )


TOKENIZER_BUILDERS: dict[str, Callable[[int], PreTrainedTokenizerFast]] = {
    "bert": _bert(BertTokenizerFast),
    "distilbert": _bert(DistilBertTokenizerFast),
    "roberta": _roberta,
    "gpt2": _gpt2,
    "qwen2": _qwen2,
    "llama": _llama,
}


def build_tokenizer(family: str, max_length: int, out_dir: Path) -> PreTrainedTokenizerFast:
    tokenizer = TOKENIZER_BUILDERS[family](max_length)
    tokenizer.save_pretrained(out_dir, legacy_format=False)
    return tokenizer
