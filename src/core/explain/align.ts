// Placing tokens on the original text. Tokenizers in transformers.js give no offsets, so the text is
// normalised here the way the tokenizer does it (keeping where every byte came from) and the
// tokens' bytes are walked through it in order. Rules (README.md):
// - a token covers the original characters its bytes came from, without surrounding whitespace
//   (unless it is only whitespace); part of a character's bytes covers the whole character;
// - special tokens, and tokens that cannot be found, get an empty span where they stand; an added
//   token typed in the text (a literal "[SEP]") covers it and is not special there;
// - an unknown token covers its whole word (WordPiece) or the text between its neighbours.
import { alignedBytes, ByteClass, type AlignedBytes } from './normalize';
import type { TokenizerStyle } from './style';
import { tokenBytes } from './token-bytes';
import type { TokenSpan } from './types';

/** How far ahead (bytes) a token that is not where expected is looked for: after text the aligner
 *  could not follow (a normalisation it does not know, an unknown token), the walk resumes. */
const LOOK_AHEAD = 256;
const WHITESPACE = /\s/;

class Walk {
  /** Next byte of the normalised text to place. */
  cursor = 0;
  /** Original position where the last placed token ended: where an empty span stands. */
  position = 0;
  /** Bytes in the normalised text. */
  readonly size: number;

  constructor(
    private readonly text: string,
    private readonly t: AlignedBytes,
  ) {
    this.size = t.bytes.length;
  }

  skipSpace(from: number): number {
    let p = from;
    while (p < this.size && this.t.cls[p] === ByteClass.Space) p++;
    return p;
  }

  private matchesAt(b: Uint8Array, p: number): boolean {
    if (p + b.length > this.size) return false;
    for (let i = 0; i < b.length; i++) if (this.t.bytes[p + i] !== b[i]) return false;
    return true;
  }

  /** Where `b` starts: at the cursor, after whitespace, or a little further; -1 if nowhere near. */
  find(b: Uint8Array): number {
    if (this.matchesAt(b, this.cursor)) return this.cursor;
    const s = this.skipSpace(this.cursor);
    const limit = Math.min(this.size - b.length, s + LOOK_AHEAD);
    for (let p = s; p <= limit; p++) if (this.matchesAt(b, p)) return p;
    return -1;
  }

  /** End of the character whose first byte is `s`. */
  charEnd(s: number): number {
    let e = s + 1;
    while (e < this.size && ((this.t.bytes[e] as number) & 0xc0) === 0x80) e++;
    return e;
  }

  /** End of the pre-tokenized word starting at byte `s` (BERT: punctuation and CJK stand alone). */
  wordEnd(s: number): number {
    if (this.t.cls[s] === ByteClass.Alone) return this.charEnd(s);
    let e = s;
    while (e < this.size && this.t.cls[e] === ByteClass.Other) e++;
    return e;
  }

  /** End of the run of non-whitespace starting at byte `s`. */
  runEnd(s: number): number {
    let e = s;
    while (e < this.size && this.t.cls[e] !== ByteClass.Space) e++;
    return e;
  }

  /** An empty span where the walk stands. */
  here(): { start: number; end: number } {
    return { start: this.position, end: this.position };
  }

  /** The original range of bytes [from, to), without surrounding whitespace unless that is all. */
  range(from: number, to: number): { start: number; end: number } {
    if (to <= from) return this.here();
    let start = Infinity;
    let end = -Infinity;
    for (let p = from; p < to; p++) {
      start = Math.min(start, this.t.start[p] as number);
      end = Math.max(end, this.t.end[p] as number);
    }
    let s = start;
    let e = end;
    while (s < e && WHITESPACE.test(this.text[s] as string)) s++;
    while (e > s && WHITESPACE.test(this.text[e - 1] as string)) e--;
    return s < e ? { start: s, end: e } : { start, end };
  }

  /** Places bytes [from, to) and moves past them. */
  take(from: number, to: number): { start: number; end: number } {
    const r = this.range(from, to);
    this.cursor = Math.max(this.cursor, to);
    this.position = r.end;
    return r;
  }

  /** Where `token` is typed in the original text at the cursor (whitespace skipped), else -1.
   *  Tokenizers match their added tokens in the raw text, before any normalisation. */
  typed(token: string): number {
    if (token === '') return -1;
    const s = this.skipSpace(this.cursor);
    let at = s < this.size ? (this.t.start[s] as number) : this.text.length;
    while (at < this.text.length && WHITESPACE.test(this.text[at] as string)) at++;
    return this.text.startsWith(token, at) ? at : -1;
  }

  /** Places the original range [at, end) and moves past the bytes it produced. */
  takeTyped(at: number, end: number): { start: number; end: number } {
    while (this.cursor < this.size && (this.t.start[this.cursor] as number) < end) this.cursor++;
    this.position = end;
    return { start: at, end };
  }
}

/** Tokens rarely span more than this many characters each; a longer text (a 1 MB line cut to
 *  maxLength tokens) is first aligned on a prefix this long, grown until the tokens end well inside it. */
const PREFIX_PER_TOKEN = 32;
const PREFIX_MARGIN = 1024;

export function alignTokens(text: string, tokens: readonly string[], special: readonly boolean[], style: TokenizerStyle): TokenSpan[] {
  let length = PREFIX_MARGIN * 4 + PREFIX_PER_TOKEN * tokens.length;
  for (;;) {
    if (length >= text.length) return alignOn(text, tokens, special, style);
    // Never cut a surrogate pair.
    const lastUnit = text.charCodeAt(length - 1);
    const cut = lastUnit >= 0xd800 && lastUnit <= 0xdbff ? length + 1 : length;
    const spans = alignOn(text.slice(0, cut), tokens, special, style);
    const reached = spans.reduce((m, s) => Math.max(m, s.end), 0);
    // The end of a prefix can normalise differently (trailing-space rules, a word cut in two):
    // only a result that stays well clear of it is the full text's result.
    if (reached + PREFIX_MARGIN <= cut) return spans;
    length *= 4;
  }
}

function alignOn(text: string, tokens: readonly string[], special: readonly boolean[], style: TokenizerStyle): TokenSpan[] {
  const walk = new Walk(text, alignedBytes(text, style.steps));
  const spans: TokenSpan[] = [];
  const place = (i: number, r: { start: number; end: number }, isSpecial = false) => {
    spans[i] = { token: tokens[i] as string, start: r.start, end: r.end, special: isSpecial };
  };
  // Unknown tokens outside WordPiece wait for the next placed token to know where they end; a run
  // of them shares the text between, one character each (BPE without fuse_unk gives one per
  // character, the last taking what remains (after the last token: the rest of its word). An
  // unknown whitespace character (a tab for a SentencePiece model) is covered when nothing else is.
  let pending: number[] = [];
  const settlePending = (to: number, atEnd: boolean) => {
    pending.forEach((i, k) => {
      const visible = walk.skipSpace(walk.cursor);
      const from = visible < to ? visible : walk.cursor;
      const last = k === pending.length - 1;
      const end = !last ? walk.charEnd(from) : atEnd ? Math.max(walk.charEnd(from), walk.runEnd(from)) : to;
      place(i, from < to ? walk.take(from, end) : walk.here());
    });
    pending = [];
  };

  tokens.forEach((token, i) => {
    // An added token (special or unknown) typed in the text covers what was typed; of a prefix
    // [CLS] and a typed "[CLS]" right after it, the second is the typed one.
    const prefixOfTyped = i === 0 && tokens[1] === token;
    const typedAt = !prefixOfTyped && (special[i] === true || token === style.unknownToken) ? walk.typed(token) : -1;
    if (typedAt >= 0) {
      place(i, walk.takeTyped(typedAt, typedAt + token.length));
      return;
    }
    // Before the special check: transformers.js counts the unknown token among the special ones.
    if (style.unknownToken !== undefined && token === style.unknownToken) {
      if (!style.unknownIsWord) {
        pending.push(i);
        return;
      }
      const s = walk.skipSpace(walk.cursor);
      place(i, walk.take(s, walk.wordEnd(s)));
      return;
    }
    if (special[i] === true) {
      place(i, walk.here(), true);
      return;
    }
    const b = tokenBytes(token, style);
    const at = b.length > 0 ? walk.find(b) : -1;
    if (at < 0) {
      place(i, walk.here());
      return;
    }
    if (pending.length) settlePending(at, false);
    place(i, walk.take(at, at + b.length));
  });
  if (pending.length) settlePending(walk.size, true);
  return spans;
}
