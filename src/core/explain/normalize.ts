// The text as the tokenizer's model sees it (after normalizer and pre-tokenizer changes), as UTF-8
// bytes, each byte knowing which characters of the original text it came from. Tokens are then
// found byte by byte in it, whatever their family spells them with.
import type { TextStep } from './style';

/** One code point of the changing text and the original UTF-16 range it came from (empty for
 *  characters the steps added). */
interface Unit {
  readonly cp: number;
  readonly start: number;
  readonly end: number;
}

/** Byte classes the aligner needs: whitespace (never inside WordPiece tokens) and characters that
 *  are a word of their own for BERT's pre-tokenizer (punctuation, CJK ideographs). */
export const ByteClass = { Other: 0, Space: 1, Alone: 2 } as const;

export interface AlignedBytes {
  readonly bytes: Uint8Array;
  /** Original UTF-16 range of each byte's character. */
  readonly start: Int32Array;
  readonly end: Int32Array;
  readonly cls: Uint8Array;
}

const REPLACEMENT = 0xfffd;
/** Most input characters a single normalised character is traced back to. */
const MAX_TRACE = 16;
const WHITESPACE = /^\s$/u;
const NON_SPACING_MARK = /^\p{Mn}$/u;
const OTHER = /^\p{C}$/u;
const PUNCTUATION = /^\p{P}$/u;

function unitsOf(text: string): Unit[] {
  const units: Unit[] = [];
  let at = 0;
  for (const ch of text) {
    units.push({ cp: ch.codePointAt(0) ?? REPLACEMENT, start: at, end: at + ch.length });
    at += ch.length;
  }
  return units;
}

function charOf(cp: number): string {
  return String.fromCodePoint(cp);
}

function codePoints(s: string): number[] {
  return Array.from(s, (ch) => ch.codePointAt(0) ?? REPLACEMENT);
}

/** Each unit becomes the code points of `change(its character)`, all from the unit's range. */
function perCharacter(units: readonly Unit[], change: (ch: string) => string): Unit[] {
  return units.flatMap((u) => codePoints(change(charOf(u.cp))).map((cp) => ({ cp, start: u.start, end: u.end })));
}

/** Unicode normalisation of the whole text, then each output character is traced to the fewest
 *  input characters that normalise to it (so a composed "é" covers both "e" and its accent, and a
 *  decomposed one gives both parts the precomposed character's range). */
function unicodeForm(units: readonly Unit[], form: 'NFC' | 'NFD' | 'NFKC' | 'NFKD'): Unit[] {
  const input = units.map((u) => charOf(u.cp));
  const output = input.join('').normalize(form);
  const out: Unit[] = [];
  let p = 0;
  let q = 0;
  while (p < units.length && q < output.length) {
    let run = 0;
    let piece = '';
    for (let k = 1; k <= Math.min(MAX_TRACE, units.length - p); k++) {
      const candidate = input.slice(p, p + k).join('').normalize(form);
      if (candidate.length > 0 && output.startsWith(candidate, q)) {
        run = k;
        piece = candidate;
        break;
      }
      // A character that normalises to nothing (rare) is dropped.
      if (k === 1 && candidate.length === 0) {
        run = 1;
        break;
      }
    }
    if (run === 0) {
      // Cannot be traced (should not happen): give the next output character this input character.
      run = 1;
      piece = String.fromCodePoint(output.codePointAt(q) ?? REPLACEMENT);
    }
    const first = units[p] as Unit;
    const last = units[p + run - 1] as Unit;
    for (const cp of codePoints(piece)) out.push({ cp, start: first.start, end: last.end });
    p += run;
    q += piece.length;
  }
  return out;
}

const CAPITAL_SIGMA = 0x3a3;

/** Lower-cases as JavaScript does on the whole text (what transformers.js runs): character by
 *  character, except capital sigma, whose lower case (σ or final ς) depends on its neighbours. */
function lowercase(units: readonly Unit[]): Unit[] {
  const around = (from: number, to: number) => units.slice(Math.max(0, from), to).map((u) => charOf(u.cp)).join('');
  return units.flatMap((u, i) => {
    let lower = charOf(u.cp).toLowerCase();
    if (u.cp === CAPITAL_SIGMA) {
      const before = around(i - 8, i);
      lower = String.fromCodePoint((before + 'Σ' + around(i + 1, i + 9)).toLowerCase().codePointAt(before.toLowerCase().length) ?? 0x3c3);
    }
    return codePoints(lower).map((cp) => ({ cp, start: u.start, end: u.end }));
  });
}

function bertNormalize(units: readonly Unit[], step: Extract<TextStep, { kind: 'bert' }>): Unit[] {
  let out = [...units];
  if (step.cleanText) {
    // Hugging Face drops NUL, U+FFFD and every "other" (C*) character except \t \n \r, which are
    // whitespace; all whitespace becomes a plain space.
    out = out
      .filter((u) => {
        const ch = charOf(u.cp);
        return u.cp !== 0 && u.cp !== REPLACEMENT && (WHITESPACE.test(ch) || !OTHER.test(ch));
      })
      .map((u) => (WHITESPACE.test(charOf(u.cp)) ? { ...u, cp: 0x20 } : u));
  }
  if (step.stripAccents) out = perCharacter(out, (ch) => ch.normalize('NFD').replace(/\p{Mn}/gu, ''));
  if (step.lowercase) out = lowercase(out);
  return out;
}

/** Rust regex syntax to JavaScript: the anchors that differ. Unknown syntax makes the step a no-op. */
function toRegExp(pattern: string): RegExp | undefined {
  try {
    return new RegExp(pattern.replace(/\\A/g, '^').replace(/\\z/g, '$').replace(/\\Z/g, '(?=\\n?$)'), 'gu');
  } catch {
    return undefined;
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function replace(units: readonly Unit[], step: Extract<TextStep, { kind: 'replace' }>): Unit[] {
  const re = step.regex ? toRegExp(step.pattern) : new RegExp(escapeRegExp(step.pattern), 'gu');
  if (!re || step.pattern === '') return [...units];
  const joined = units.map((u) => charOf(u.cp)).join('');
  // UTF-16 index in `joined` -> unit index, for both ends of each match.
  const unitAt = new Int32Array(joined.length + 1);
  let offset = 0;
  units.forEach((u, i) => {
    const len = u.cp > 0xffff ? 2 : 1;
    for (let k = 0; k < len; k++) unitAt[offset + k] = i;
    offset += len;
  });
  unitAt[joined.length] = units.length;
  const content = codePoints(step.content);
  const out: Unit[] = [];
  let next = 0;
  for (const m of joined.matchAll(re)) {
    const from = unitAt[m.index] ?? units.length;
    const to = unitAt[m.index + m[0].length] ?? units.length;
    if (from === to && m[0].length > 0) continue;
    for (let k = next; k < from; k++) out.push(units[k] as Unit);
    const first = units[from];
    const last = units[to - 1];
    // An empty match inserts at its position; a match's replacement covers what it replaced.
    const at = first?.start ?? units[units.length - 1]?.end ?? 0;
    const start = to > from && first ? first.start : at;
    const end = to > from && last ? last.end : at;
    for (const cp of content) out.push({ cp, start, end });
    next = to;
  }
  for (let k = next; k < units.length; k++) out.push(units[k] as Unit);
  return out;
}

function prepend(units: readonly Unit[], step: Extract<TextStep, { kind: 'prepend' }>): Unit[] {
  const first = units[0];
  if (!first) return [];
  const added = codePoints(step.text);
  if (step.ifMissing && added.every((cp, i) => units[i]?.cp === cp)) return [...units];
  return [...added.map((cp) => ({ cp, start: first.start, end: first.start })), ...units];
}

function strip(units: readonly Unit[], left: boolean, right: boolean): Unit[] {
  const space = (u: Unit | undefined) => u !== undefined && WHITESPACE.test(charOf(u.cp));
  let from = 0;
  let to = units.length;
  if (left) while (from < to && space(units[from])) from++;
  if (right) while (to > from && space(units[to - 1])) to--;
  return units.slice(from, to);
}

function applyStep(units: readonly Unit[], step: TextStep): Unit[] {
  switch (step.kind) {
    case 'bert':
      return bertNormalize(units, step);
    case 'unicode':
      return unicodeForm(units, step.form);
    case 'lowercase':
      return lowercase(units);
    case 'stripAccents':
      return units.filter((u) => !NON_SPACING_MARK.test(charOf(u.cp)));
    case 'strip':
      return strip(units, step.left, step.right);
    case 'replace':
      return replace(units, step);
    case 'prepend':
      return prepend(units, step);
  }
}

/** BERT's punctuation: ASCII symbols as well as Unicode P*; CJK ideographs also stand alone. */
function standsAlone(cp: number): boolean {
  if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) return true;
  if (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b820 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  ) {
    return true;
  }
  return PUNCTUATION.test(charOf(cp));
}

const encoder = new TextEncoder();

export function alignedBytes(text: string, steps: readonly TextStep[]): AlignedBytes {
  const units = steps.reduce<Unit[]>((acc, step) => applyStep(acc, step), unitsOf(text));
  const pieces = units.map((u) => encoder.encode(charOf(u.cp)));
  const total = pieces.reduce((n, b) => n + b.length, 0);
  const bytes = new Uint8Array(total);
  const start = new Int32Array(total);
  const end = new Int32Array(total);
  const cls = new Uint8Array(total);
  let at = 0;
  units.forEach((u, i) => {
    const piece = pieces[i] as Uint8Array;
    const c = WHITESPACE.test(charOf(u.cp)) ? ByteClass.Space : standsAlone(u.cp) ? ByteClass.Alone : ByteClass.Other;
    bytes.set(piece, at);
    start.fill(u.start, at, at + piece.length);
    end.fill(u.end, at, at + piece.length);
    cls.fill(c, at, at + piece.length);
    at += piece.length;
  });
  return { bytes, start, end, cls };
}
