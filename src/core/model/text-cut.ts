// Cutting a long text before it is tokenised, so that a 1 MB text does not cost seconds when only
// its first maxLength tokens are kept. A cut is exact only where the tokens before it cannot depend
// on what follows: right before a space that follows a letter or digit, in a tokenizer whose
// normaliser works character by character (or on runs of spaces only), whose added tokens hold no
// whitespace, and which never lets a token span such a space: its pre-tokeniser splits there, or
// (a plain BPE model) no vocabulary entry holds a space after another character. Tokenizers outside
// these rules get no cut. The caller still checks that the cut text gave more than maxLength
// tokens, and otherwise encodes the whole text (a text of control characters or one huge word).

/** The part of tokenizer.json this reads; every field may be missing. */
interface Component {
  readonly type?: string;
  readonly normalizers?: readonly Component[];
  readonly pretokenizers?: readonly Component[];
  readonly pattern?: { readonly String?: string; readonly Regex?: string };
  readonly content?: string;
  readonly split?: boolean;
  readonly use_regex?: boolean;
  readonly behavior?: string;
  readonly invert?: boolean;
}

interface TokenizerJson {
  readonly normalizer?: Component | null;
  readonly pre_tokenizer?: Component | null;
  readonly added_tokens?: readonly { readonly content?: string }[];
  readonly model?: { readonly type?: string; readonly vocab?: Record<string, number> | readonly (readonly [string, number])[]; readonly ignore_merges?: boolean; readonly fuse_unk?: boolean };
}

/** Normalisers that change each character on its own, whatever follows it. */
const LOCAL_NORMALIZERS = new Set(['BertNormalizer', 'NFC', 'NFD', 'NFKC', 'NFKD', 'Lowercase', 'StripAccents', 'Strip', 'Prepend']);
const WHITESPACE = /^[\s▁]+$/u;
/** A regex of spaces, `▁`, `\s`, anchors and quantifiers only: it matches runs of whitespace. */
const WHITESPACE_REGEX = /^(?:[ ▁|+*?]|\\[Azs]|\{\d*,?\d*\})+$/;

/** A Replace of whitespace runs by whitespace; by nothing only at the text's start or end, since
 *  elsewhere it would join the words around the run. */
function whitespaceReplace(c: Component): boolean {
  const { String: text, Regex: regex } = c.pattern ?? {};
  if (text !== undefined) return WHITESPACE.test(text) && WHITESPACE.test(c.content ?? '');
  if (regex === undefined || !WHITESPACE_REGEX.test(regex)) return false;
  return WHITESPACE.test(c.content ?? '') || regex.split('|').every((alt) => alt.startsWith('\\A') || alt.endsWith('\\z'));
}

/** The Split regex of Qwen2, Llama 3 and GPT-4 style tokenizers: a letter or digit run ends at a space. */
const SPLIT_AT_SPACE_REGEXES = new Set([
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
]);

function flatten(c: Component | null | undefined, key: 'normalizers' | 'pretokenizers'): Component[] {
  if (!c) return [];
  return c.type === 'Sequence' ? (c[key] ?? []).flatMap((m) => flatten(m, key)) : [c];
}

function localNormalizer(c: Component): boolean {
  if (c.type === 'Replace') return whitespaceReplace(c);
  return LOCAL_NORMALIZERS.has(c.type ?? '');
}

/** Pre-tokenisers that end a piece at a space following a letter or digit. */
function splitsAtSpace(c: Component): boolean {
  switch (c.type) {
    case 'BertPreTokenizer':
    case 'Whitespace':
    case 'WhitespaceSplit':
      return true;
    case 'Metaspace':
      return c.split !== false;
    case 'ByteLevel':
      return c.use_regex !== false;
    case 'Split':
      return SPLIT_AT_SPACE_REGEXES.has(c.pattern?.Regex ?? '') && c.behavior === 'Isolated' && c.invert !== true;
    default:
      return false;
  }
}

/** Pre-tokenisers that only split further or map characters one by one. */
const NEUTRAL_PRE_TOKENIZERS = new Set(['Punctuation', 'Digits', 'Metaspace', 'ByteLevel']);

function vocabEntries(json: TokenizerJson): string[] {
  const vocab = json.model?.vocab;
  if (!vocab) return [];
  // WordPiece and BPE map entry -> id; Unigram lists [entry, score].
  return Array.isArray(vocab) ? (vocab as readonly (readonly [string, number])[]).map(([entry]) => entry) : Object.keys(vocab);
}

/**
 * For a parsed tokenizer.json: a function giving the part of a text to tokenise when only its
 * first maxLength tokens are kept, or undefined where no cut is known to be exact.
 */
export function textCutter(json: TokenizerJson): ((text: string, maxLength: number) => string) | undefined {
  if ((json.added_tokens ?? []).some((t) => /\s/u.test(t.content ?? ''))) return undefined;
  const normalizers = flatten(json.normalizer, 'normalizers');
  if (!normalizers.every(localNormalizer)) return undefined;
  const preTokenizers = flatten(json.pre_tokenizer, 'pretokenizers');
  if (!preTokenizers.every((c) => splitsAtSpace(c) || NEUTRAL_PRE_TOKENIZERS.has(c.type ?? ''))) return undefined;
  const entries = vocabEntries(json);
  if (entries.length === 0) return undefined;
  const model = json.model;
  // Without a split, BPE merges pairs only into vocabulary entries, so none crosses the space if no
  // entry holds a space mark after another character; an unknown space fused with its neighbours
  // would, hence the fuse_unk condition. BertNormalizer pads CJK characters with spaces, which
  // could then merge with the space after them.
  const plainBpe =
    model?.type === 'BPE' && model.ignore_merges !== true && (model.fuse_unk !== true || entries.includes('▁')) && !normalizers.some((c) => c.type === 'BertNormalizer');
  if (!preTokenizers.some(splitsAtSpace) && !(plainBpe && !entries.some((e) => /[^\s▁Ġ][\s▁Ġ]/u.test(e)))) return undefined;
  // maxLength tokens rarely cover more characters than this; where they do, the caller sees too
  // few tokens and encodes the whole text.
  const charsPerToken = entries.reduce((longest, e) => Math.max(longest, e.length), 0) + 1;
  return (text, maxLength) => {
    const from = maxLength * charsPerToken;
    if (text.length <= from) return text;
    const space = /[\p{L}\p{N}] /gu;
    space.lastIndex = from;
    const match = space.exec(text);
    return match ? text.slice(0, match.index + match[0].length - 1) : text;
  };
}
