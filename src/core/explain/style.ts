// What the aligner needs to know about a tokenizer, read from its tokenizer.json: how the text is
// changed before tokens are cut from it (normalizer, and the pre-tokenizer's own text changes), and
// how a token string spells its piece of that text. Plain JSON data, so it can cross the worker.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** One text change, applied in order to the text before tokens are cut from it. */
export type TextStep =
  /** Hugging Face's BertNormalizer: drop control characters and turn whitespace into spaces,
   *  strip accents (NFD, then drop non-spacing marks), lower-case. */
  | { readonly kind: 'bert'; readonly cleanText: boolean; readonly stripAccents: boolean; readonly lowercase: boolean }
  | { readonly kind: 'unicode'; readonly form: 'NFC' | 'NFD' | 'NFKC' | 'NFKD' }
  | { readonly kind: 'lowercase' }
  /** Drop non-spacing marks (after an NFD step, this removes accents). */
  | { readonly kind: 'stripAccents' }
  | { readonly kind: 'strip'; readonly left: boolean; readonly right: boolean }
  /** `pattern` is a literal string, or a regular expression in the tokenizer's (Rust) syntax. */
  | { readonly kind: 'replace'; readonly pattern: string; readonly regex: boolean; readonly content: string }
  /** Adds `text` before a non-empty text (only when it does not start with it already, if `ifMissing`). */
  | { readonly kind: 'prepend'; readonly text: string; readonly ifMissing: boolean };

export interface TokenizerStyle {
  /** For reading and messages; the fields below drive the alignment. */
  readonly family: 'wordpiece' | 'byte-level-bpe' | 'sentencepiece' | 'other';
  readonly steps: readonly TextStep[];
  /** Token characters stand for bytes through GPT-2's byte-to-unicode table (`Ġ` = space). */
  readonly byteLevel: boolean;
  /** `<0xF0>`-style tokens stand for one byte of the text. */
  readonly byteFallback: boolean;
  /** Marks a token that continues a word (`##`); not part of the text. */
  readonly continuingPrefix: string;
  /** Marks a token that ends a word (`</w>`); not part of the text. */
  readonly endOfWordSuffix: string;
  readonly unknownToken?: string;
  /** The unknown token stands for a whole pre-tokenized word (WordPiece), not for the characters
   *  between its neighbours. */
  readonly unknownIsWord: boolean;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objects(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A tokenizer.json component and, for `Sequence`s, its members, flattened in order. */
function flatten(component: unknown, membersKey: string): Json[] {
  if (!isObject(component)) return [];
  if (component.type === 'Sequence') return objects(component[membersKey]).flatMap((c) => flatten(c, membersKey));
  return [component];
}

function replaceStep(n: Json): TextStep[] {
  const pattern = isObject(n.pattern) ? n.pattern : {};
  const content = text(n.content) ?? '';
  const literal = text(pattern.String);
  if (literal !== undefined) return [{ kind: 'replace', pattern: literal, regex: false, content }];
  const regex = text(pattern.Regex);
  return regex !== undefined ? [{ kind: 'replace', pattern: regex, regex: true, content }] : [];
}

function normalizerSteps(n: Json): TextStep[] {
  switch (n.type) {
    case 'BertNormalizer': {
      const lowercase = n.lowercase !== false;
      // Hugging Face: strip_accents unset (null) follows lowercase.
      const stripAccents = typeof n.strip_accents === 'boolean' ? n.strip_accents : lowercase;
      return [{ kind: 'bert', cleanText: n.clean_text !== false, stripAccents, lowercase }];
    }
    case 'NFC':
    case 'NFD':
    case 'NFKC':
    case 'NFKD':
      return [{ kind: 'unicode', form: n.type }];
    // SentencePiece's compiled character map: what transformers.js runs in its place (drop control
    // characters, whitespace to space, NFKC).
    case 'Precompiled':
      return [
        { kind: 'replace', pattern: '[\\u0001-\\u0008\\u000B\\u000E-\\u001F\\u007F\\u008F\\u009F]', regex: true, content: '' },
        { kind: 'replace', pattern: '[\\u0009\\u000A\\u000C\\u000D\\u00A0\\u1680\\u2000-\\u200F\\u2028\\u2029\\u202F\\u205F\\u2581\\u3000\\uFEFF\\uFFFD]', regex: true, content: ' ' },
        { kind: 'unicode', form: 'NFKC' },
      ];
    case 'Lowercase':
      return [{ kind: 'lowercase' }];
    case 'StripAccents':
      return [{ kind: 'stripAccents' }];
    case 'Strip':
      return [{ kind: 'strip', left: n.strip_left !== false, right: n.strip_right !== false }];
    case 'Replace':
      return replaceStep(n);
    case 'Prepend': {
      const prepend = text(n.prepend);
      return prepend ? [{ kind: 'prepend', text: prepend, ifMissing: false }] : [];
    }
    default:
      return [];
  }
}

/** Pre-tokenizers mostly only cut the text; these two also change it. */
function preTokenizerSteps(p: Json): TextStep[] {
  if (p.type === 'ByteLevel') return p.add_prefix_space === true ? [{ kind: 'prepend', text: ' ', ifMissing: true }] : [];
  if (p.type === 'Metaspace') {
    const replacement = text(p.replacement) ?? text(p.str_rep) ?? '▁';
    const scheme = text(p.prepend_scheme) ?? (p.add_prefix_space === false ? 'never' : 'always');
    const prepend: TextStep[] = scheme === 'never' ? [] : [{ kind: 'prepend', text: replacement, ifMissing: true }];
    return [{ kind: 'replace', pattern: ' ', regex: false, content: replacement }, ...prepend];
  }
  return [];
}

function unknownTokenOf(model: Json): string | undefined {
  const named = text(model.unk_token);
  if (named !== undefined) return named;
  // Unigram names its unknown token by position in the vocabulary.
  if (model.type === 'Unigram' && typeof model.unk_id === 'number' && Array.isArray(model.vocab)) {
    const entry: unknown = model.vocab[model.unk_id];
    return Array.isArray(entry) ? text(entry[0]) : undefined;
  }
  return undefined;
}

/** The style of a parsed tokenizer.json; unknown components are ignored (alignment then degrades
 *  to unplaced tokens, never to an error). */
export function styleOfTokenizerJson(json: unknown): TokenizerStyle {
  const root = isObject(json) ? json : {};
  const model = isObject(root.model) ? root.model : {};
  const preTokenizers = flatten(root.pre_tokenizer, 'pretokenizers');
  const decoders = flatten(root.decoder, 'decoders');
  const steps = [...flatten(root.normalizer, 'normalizers').flatMap(normalizerSteps), ...preTokenizers.flatMap(preTokenizerSteps)];
  const byteLevel = [...preTokenizers, ...decoders].some((c) => c.type === 'ByteLevel');
  const byteFallback = model.byte_fallback === true || decoders.some((d) => d.type === 'ByteFallback');
  const wordPiece = model.type === 'WordPiece';
  const metaspace = preTokenizers.some((p) => p.type === 'Metaspace') || decoders.some((d) => d.type === 'Metaspace' || (d.type === 'Replace' && isObject(d.pattern) && d.pattern.String === '▁'));
  const unknownToken = unknownTokenOf(model);
  return {
    ...(unknownToken !== undefined ? { unknownToken } : {}),
    family: wordPiece ? 'wordpiece' : byteLevel ? 'byte-level-bpe' : metaspace || model.type === 'Unigram' ? 'sentencepiece' : 'other',
    steps,
    byteLevel,
    byteFallback,
    continuingPrefix: text(model.continuing_subword_prefix) ?? (wordPiece ? '##' : ''),
    endOfWordSuffix: text(model.end_of_word_suffix) ?? '',
    unknownIsWord: wordPiece,
  };
}

/** Reads `<modelFolder>/tokenizer.json`. */
export function tokenizerStyle(modelFolder: string): TokenizerStyle {
  const file = path.join(path.resolve(modelFolder), 'tokenizer.json');
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`Cannot read ${file}: ${e instanceof Error ? e.message : String(e)}. Token positions need the model's tokenizer.json (re-export the model if it is missing or damaged).`, { cause: e });
  }
  return styleOfTokenizerJson(json);
}
