"""Reference token offsets for the explanation aligner's tests (test/explain/align.test.ts).

Run once, commit the output; not a runtime dependency. Versions: scripts/models/requirements.txt
(transformers 4.57.6, tokenizers 0.22.2), Python 3.11.

    .venv/bin/python scripts/reference/explain_offsets.py   # writes test/fixtures/explain/offsets.json

For every fixture tokenizer and the embedded default model, and every text below, records what
Hugging Face's fast (Rust) tokenizer gives: token strings, special-token mask, and offset_mapping.
Python offsets count code points; they are converted here to UTF-16 code units (JavaScript string
indices), which is what the aligner returns.
"""

import json
from pathlib import Path

import tokenizers
import transformers
from tokenizers import CharBPETokenizer, SentencePieceUnigramTokenizer, normalizers
from transformers import AutoTokenizer, PreTrainedTokenizerFast

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "test" / "fixtures" / "explain" / "offsets.json"
# Two more families no fixture model has, trained here on a few sentences: a SentencePiece Unigram
# (NFKC, Metaspace prepending always, unknown token by id) and a CLIP-style BPE (`</w>` word suffix,
# BERT normaliser without lower-casing, unknown token). Training is not deterministic (the Rust
# trainers' hash maps), so they are trained only when their folder is missing, then kept.
SYNTHETIC = ROOT / "test" / "fixtures" / "explain" / "tokenizers"
MODELS = {
    **{name: ROOT / "test" / "fixtures" / "models" / name for name in ["bert", "distilbert", "roberta", "gpt2", "llama", "qwen2", "stories260K"]},
    "all-MiniLM-L6-v2": ROOT / "models" / "all-MiniLM-L6-v2",
    "unigram": SYNTHETIC / "unigram",
    "char-bpe": SYNTHETIC / "char-bpe",
}
CORPUS = [
    "the movie was great and i loved it",
    "a fine film with a dull plot, which is a shame",
    "Café crème brûlée, naïve façade",
    "hello world: this is a test of the tokenizer!",
] * 20

TEXTS = [
    "",
    "Hello world",
    "The movie was great, I loved it!",
    "Café crème brûlée — naïve façade",
    "Cafe\u0301 decomposed, e\u0301\u0301 stacked",
    "I love it 😀👍🏽 and 👨‍👩‍👧‍👦 family 🇫🇷",
    "😀😀😀",
    "我爱自然语言处理 and 日本語テキスト",
    "한국어 텍스트",
    "مرحبا بالعالم hello 123",
    "नमस्ते दुनिया",
    "ภาษาไทย",
    "tabs\tand\nnewlines\r\n  multiple   spaces  ",
    "   leading and trailing   ",
    "a" * 130 + " supercalifragilisticexpialidocious antidisestablishmentarianism",
    "\u0001\u0002 control \u200b zero width \ufffd replacement \u00ad soft hyphen \u007f",
    "İstanbul ß ẞ ﬁ ligature ｆｕｌｌ width ①",
    "Don't stop—it's 100% great!!! (really) #1 @user",
    "ℌ𝔢𝔩𝔩𝔬 math letters",
    "Z̷͉a̶l̸g̵o̴ text",
    "x😀y wörd😀",
    "literal [SEP] [UNK] <s> </s> <|endoftext|> markers",
    "ΟΔΟΣ Σίσυφος ﬀ ﬃ",
    "\u1100\u1161\u11a8 jamo, a\u0302\u0323 marks out of order",
    "\u00a0nbsp\u3000ideographic\u2028line\ufeffbom",
    "'s 're 'll DON'T Ünïcödé 123456789 3.14",
]


def utf16_index(text):
    """Code point index -> UTF-16 index, for every position 0..len(text)."""
    out, pos = [0], 0
    for ch in text:
        pos += 2 if ord(ch) > 0xFFFF else 1
        out.append(pos)
    return out


def reference(folder, text):
    tok = AutoTokenizer.from_pretrained(str(folder))
    enc = tok(text, add_special_tokens=True, return_offsets_mapping=True, return_special_tokens_mask=True)
    to16 = utf16_index(text)
    return {
        "text": text,
        "ids": enc["input_ids"],
        "tokens": tok.convert_ids_to_tokens(enc["input_ids"]),
        "special": [bool(s) for s in enc["special_tokens_mask"]],
        "offsets": [[to16[a], to16[b]] for a, b in enc["offset_mapping"]],
    }


def compact_json(value, depth=0):
    """Indented down to the cases, one case per line: readable diffs, a small file."""
    if depth >= 4 or not isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    pad, inner = " " * depth, " " * (depth + 1)
    if isinstance(value, dict):
        items = [f"{inner}{json.dumps(k, ensure_ascii=False)}: {compact_json(v, depth + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}" + ("\n" if depth == 0 else "")
    items = [f"{inner}{compact_json(v, depth + 1)}" for v in value]
    return "[\n" + ",\n".join(items) + f"\n{pad}]"


def train_synthetic():
    if all((MODELS[name] / "tokenizer.json").exists() for name in ["unigram", "char-bpe"]):
        return
    unigram = SentencePieceUnigramTokenizer()
    unigram.train_from_iterator(CORPUS, vocab_size=90, special_tokens=["<unk>", "<s>", "</s>"], unk_token="<unk>", show_progress=False)
    # Its default normaliser starts with Nmt, which transformers.js does not implement.
    unigram.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Replace(tokenizers.Regex(" {2,}"), " ")])
    PreTrainedTokenizerFast(tokenizer_object=unigram._tokenizer, unk_token="<unk>", bos_token="<s>", eos_token="</s>").save_pretrained(str(MODELS["unigram"]))
    char_bpe = CharBPETokenizer(unk_token="<unk>")
    char_bpe.train_from_iterator(CORPUS, vocab_size=140, special_tokens=["<unk>"], show_progress=False)
    PreTrainedTokenizerFast(tokenizer_object=char_bpe._tokenizer, unk_token="<unk>").save_pretrained(str(MODELS["char-bpe"]))


def main():
    train_synthetic()
    out = {
        "generator": "scripts/reference/explain_offsets.py",
        "versions": {"transformers": transformers.__version__, "tokenizers": tokenizers.__version__},
        "models": {
            name: {"folder": str(folder.relative_to(ROOT)), "cases": [reference(folder, t) for t in TEXTS]}
            for name, folder in MODELS.items()
        },
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(compact_json(out))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
