// Token alignment against Hugging Face's fast tokenizers (offset_mapping, from
// scripts/reference/explain_offsets.py) on every fixture tokenizer, the default model, and two
// small tokenizers of the families no fixture has (Unigram, CLIP-style BPE with `</w>`), with the
// tokens transformers.js itself produces. Where Python's offsets follow another convention than the
// aligner's documented rules (src/core/explain/README.md), the rule is asserted instead.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { alignTokens, styleOfTokenizerJson, tokenizerStyle, type TokenSpan, type TokenizerStyle } from '../../src/core/explain';
import { loadTransformers } from '../../src/core/model/runtime';

const ROOT = path.resolve(__dirname, '..', '..');

interface ReferenceCase {
  readonly text: string;
  readonly ids: number[];
  readonly tokens: string[];
  readonly special: boolean[];
  readonly offsets: [number, number][];
}

interface Reference {
  readonly models: Record<string, { folder: string; cases: ReferenceCase[] }>;
}

const reference = JSON.parse(fs.readFileSync(path.join(ROOT, 'test/fixtures/explain/offsets.json'), 'utf8')) as Reference;

/** Where transformers.js cuts differently from Python: it lower-cases the whole text at once, so a
 *  word-final capital sigma becomes ς (Python: σ). */
const KNOWN_TOKEN_DIFFERENCES = new Set(['all-MiniLM-L6-v2: ΟΔΟΣ Σίσυφος ﬀ ﬃ']);

const isSpace = (s: string) => /^\s*$/.test(s);

function trimmed(text: string, [a, b]: [number, number]): [number, number] {
  let s = a;
  let e = b;
  while (s < e && isSpace(text[s] as string)) s++;
  while (e > s && isSpace(text[e - 1] as string)) e--;
  return s < e ? [s, e] : [a, b];
}

type Deviation = 'spaceTrimmedToNothing' | 'virtualSpace' | 'collapsedSpace' | 'composed';

/** Compares one token; returns the documented rule that explains a difference, or fails. */
function check(where: string, text: string, token: string, python: [number, number], mine: TokenSpan): Deviation | undefined {
  const [a, b] = trimmed(text, python);
  if (mine.start === a && mine.end === b) return undefined;
  const got = `${where} ${JSON.stringify(token)}: aligned [${mine.start}, ${mine.end}) ${JSON.stringify(text.slice(mine.start, mine.end))}, Python [${a}, ${b}) ${JSON.stringify(text.slice(a, b))}`;
  // RoBERTa's trim_offsets leaves a whitespace-only token nothing; the aligner keeps its whitespace.
  if (a === b && mine.end === a && mine.start < mine.end && isSpace(text.slice(mine.start, mine.end))) return 'spaceTrimmedToNothing';
  // A space the tokenizer prepends (Metaspace `▁` at the start of a section) covers nothing, or the
  // whitespace that stands there; Python gives it the next character.
  const before = text.slice(mine.start, mine.end);
  if (/^[▁Ġ]+$/.test(token) && mine.end === a && isSpace(before)) return 'virtualSpace';
  // Spaces a normaliser collapsed into one are all covered by the token holding it; Python: one.
  if (isSpace(before) && isSpace(text.slice(a, b)) && mine.start <= a && mine.end >= b) return 'collapsedSpace';
  // A character composed by NFC covers every character it was composed from; Python: the first.
  const covered = text.slice(mine.start, mine.end);
  if (mine.start === a && mine.end > b && covered.normalize('NFC') !== covered) return 'composed';
  assert.fail(got);
}

async function transformersTokens(folder: string) {
  const { AutoTokenizer } = await loadTransformers();
  const tokenizer = await AutoTokenizer.from_pretrained(folder, { local_files_only: true });
  const specialIds = new Set(tokenizer.all_special_ids);
  return (text: string) => {
    // Token strings from the ids, as the runtime gives them (a Unigram model's encode().tokens holds
    // the text of an unknown piece, not <unk>).
    const { ids } = tokenizer._tokenizer.encode(text);
    return { tokens: ids.map((id) => tokenizer._tokenizer.id_to_token(id) ?? ''), special: ids.map((id) => specialIds.has(id)) };
  };
}

const EXPECTED_DEVIATIONS: Record<string, readonly Deviation[]> = {
  bert: [],
  distilbert: [],
  'all-MiniLM-L6-v2': [],
  gpt2: [],
  roberta: ['spaceTrimmedToNothing'],
  llama: ['virtualSpace'],
  stories260K: ['virtualSpace'],
  qwen2: ['composed'],
  unigram: ['collapsedSpace', 'composed', 'virtualSpace'],
  'char-bpe': [],
};

for (const [name, model] of Object.entries(reference.models)) {
  test(`${name}: tokens placed as Hugging Face's offset_mapping places them`, async () => {
    const folder = path.join(ROOT, model.folder);
    const style = tokenizerStyle(folder);
    const encode = await transformersTokens(folder);
    const deviations = new Set<Deviation>();
    for (const c of model.cases) {
      const { tokens, special } = encode(c.text);
      const spans = alignTokens(c.text, tokens, special, style);
      assert.equal(spans.length, tokens.length);
      if (tokens.join('\u0000') !== c.tokens.join('\u0000')) {
        assert.ok(KNOWN_TOKEN_DIFFERENCES.has(`${name}: ${c.text}`), `${name}: transformers.js and Python cut ${JSON.stringify(c.text)} differently`);
        spans.forEach((s, k) => assert.ok(special[k] === true || s.start < s.end, `${name} ${JSON.stringify(c.text)} token ${k} ${s.token} not placed`));
        continue;
      }
      spans.forEach((s, k) => {
        const where = `${name} ${JSON.stringify(c.text.slice(0, 30))} token ${k}`;
        assert.equal(s.token, tokens[k]);
        if (c.special[k] === true) {
          assert.ok(s.special && s.start === s.end, `${where}: a special token gets an empty span`);
          return;
        }
        assert.equal(s.special, false, `${where}: typed in the text, so not special here`);
        const deviation = check(where, c.text, s.token, c.offsets[k] as [number, number], s);
        if (deviation) deviations.add(deviation);
      });
    }
    assert.deepEqual([...deviations].sort(), [...(EXPECTED_DEVIATIONS[name] ?? [])].sort());
  });
}

const FIXTURE_FAMILIES: Record<string, TokenizerStyle['family']> = {
  bert: 'wordpiece',
  distilbert: 'wordpiece',
  'all-MiniLM-L6-v2': 'wordpiece',
  gpt2: 'byte-level-bpe',
  roberta: 'byte-level-bpe',
  qwen2: 'byte-level-bpe',
  llama: 'sentencepiece',
  stories260K: 'sentencepiece',
  unigram: 'sentencepiece',
  'char-bpe': 'other',
};

test('tokenizerStyle reads each family from tokenizer.json', () => {
  for (const [name, model] of Object.entries(reference.models)) {
    const style = tokenizerStyle(path.join(ROOT, model.folder));
    assert.equal(style.family, FIXTURE_FAMILIES[name], name);
    assert.equal(style.unknownIsWord, style.family === 'wordpiece', name);
    assert.equal(style.byteFallback, name === 'llama' || name === 'stories260K', name);
    assert.deepEqual(JSON.parse(JSON.stringify(style)) as unknown, style, `${name}: the style is plain JSON`);
  }
  assert.throws(() => tokenizerStyle(path.join(ROOT, 'test')), /tokenizer\.json/);
});

const BERT_LIKE = styleOfTokenizerJson({
  model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##' },
  normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
  pre_tokenizer: { type: 'BertPreTokenizer' },
});

test('WordPiece: accents and case are matched through the normaliser', () => {
  const text = 'Café CRÈME';
  const spans = alignTokens(text, ['[CLS]', 'cafe', 'cr', '##em', '##e', '[SEP]'], [true, false, false, false, false, true], BERT_LIKE);
  assert.deepEqual(
    spans.map((s) => [s.token, text.slice(s.start, s.end), s.start, s.end]),
    [
      ['[CLS]', '', 0, 0],
      ['cafe', 'Café', 0, 4],
      ['cr', 'CR', 5, 7],
      ['##em', 'ÈM', 7, 9],
      ['##e', 'E', 9, 10],
      ['[SEP]', '', 10, 10],
    ],
  );
});

test('an unplaceable token gets an empty span where the walk stands, and the walk goes on', () => {
  const text = 'good movie';
  const spans = alignTokens(text, ['good', 'zzz', 'movie'], [false, false, false], BERT_LIKE);
  assert.deepEqual(
    spans.map((s) => [s.start, s.end]),
    [
      [0, 4],
      [4, 4],
      [5, 10],
    ],
  );
});

test('an unknown token of a BPE tokenizer covers the text between its neighbours', () => {
  const style = styleOfTokenizerJson({ model: { type: 'BPE', unk_token: '<unk>' } });
  const text = 'ab☃☃cd';
  const spans = alignTokens(text, ['ab', '<unk>', 'cd'], [false, true, false], style);
  assert.deepEqual(
    spans.map((s) => [text.slice(s.start, s.end), s.special]),
    [
      ['ab', false],
      ['☃☃', false],
      ['cd', false],
    ],
  );
});

test('a Precompiled (SentencePiece) normaliser is followed as transformers.js runs it', () => {
  const style = styleOfTokenizerJson({
    model: { type: 'Unigram', unk_id: 0, vocab: [['<unk>', 0]] },
    normalizer: { type: 'Precompiled', precompiled_charsmap: '' },
    pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always' },
  });
  assert.equal(style.family, 'sentencepiece');
  assert.equal(style.unknownToken, '<unk>');
  const text = 'ｆｕｌｌ\twidth\u0007 ☃ ok';
  const spans = alignTokens(text, ['▁full', '▁width', '▁', '<unk>', '▁ok'], [false, false, false, false, false], style);
  assert.deepEqual(
    spans.map((s) => text.slice(s.start, s.end)),
    ['ｆｕｌｌ', 'width', ' ', '☃', 'ok'],
  );
});

/** Deterministic generator (no Math.random in tests). */
function* lcg(seed: number): Generator<number> {
  let x = seed;
  for (;;) {
    x = (x * 1103515245 + 12345) % 2147483648;
    yield x;
  }
}

function invariants(text: string, spans: readonly TokenSpan[]): void {
  let last = 0;
  for (const s of spans) {
    assert.ok(Number.isInteger(s.start) && Number.isInteger(s.end), 'integer offsets');
    assert.ok(s.start >= 0 && s.start <= s.end && s.end <= text.length, `span [${s.start}, ${s.end}) within ${text.length}`);
    if (s.start < s.end) {
      assert.ok(s.start >= last - 2, 'placed tokens move forward (a character may be shared by its byte tokens)');
      last = Math.max(last, s.start);
    }
  }
}

test('hostile text never throws: lone surrogates, binary, random tokens, every family', async () => {
  const rng = lcg(7);
  const next = (n: number) => (rng.next().value as number) % n;
  const styles = Object.values(reference.models).map((m) => tokenizerStyle(path.join(ROOT, m.folder)));
  const alphabet = ['a', 'é', 'e\u0301', ' ', '\t', '\n', '\ud800', '\udfff', '😀', '\u200d', '我', '\u0000', '\u00ad', 'Σ', '[SEP]', '<s>', '##', 'Ġ', '▁', '<0xF0>', '\\A', '$'];
  for (let round = 0; round < 200; round++) {
    const text = Array.from({ length: next(30) }, () => alphabet[next(alphabet.length)]).join('');
    const tokens = Array.from({ length: next(12) }, () => alphabet[next(alphabet.length)] as string);
    const special = tokens.map(() => next(4) === 0);
    for (const style of styles) invariants(text, alignTokens(text, tokens, special, style));
  }
  // Real tokens of binary-looking text, through each fixture tokenizer.
  const binary = String.fromCharCode(...Array.from({ length: 300 }, (_, i) => (i * 37) % 0xffff));
  for (const m of Object.values(reference.models)) {
    const folder = path.join(ROOT, m.folder);
    const encode = await transformersTokens(folder);
    const { tokens, special } = encode(binary);
    invariants(binary, alignTokens(binary, tokens, special, tokenizerStyle(folder)));
  }
});

test('random hostile texts through every fixture tokenizer: every token placed, every visible character covered', async () => {
  const rng = lcg(12345);
  const next = (n: number) => (rng.next().value as number) % n;
  const pieces = ['a', 'The', ' ', '  ', '\t', '\n', '\r\n', 'é', 'e\u0301', 'É', 'ß', 'İ', 'Σ', '😀', '👍🏽', '👨‍👩‍👧', '🇫🇷', '我', '日本', '한', '\u1100\u1161', 'ا', 'न्', 'ไ',
    '\u0000', '\u0007', '\u00ad', '\u200b', '\ufeff', '\u00a0', '\u3000', 'ﬁ', '①', 'ｆ', '\ud800', '[SEP]', '<s>', '</s>', '[UNK]', '<|endoftext|>', '##', 'Ġ', '▁',
    '<0x41>', "'s", '!!!', '—', '(', '123', 'a'.repeat(120), 'x😀y'];
  const texts = Array.from({ length: 150 }, () => Array.from({ length: 1 + next(8) }, () => pieces[next(pieces.length)]).join(next(2) ? ' ' : ''));
  for (const [name, m] of Object.entries(reference.models)) {
    const folder = path.join(ROOT, m.folder);
    const encode = await transformersTokens(folder);
    const style = tokenizerStyle(folder);
    for (const text of texts) {
      const { tokens, special } = encode(text);
      const spans = alignTokens(text, tokens, special, style);
      invariants(text, spans);
      spans.forEach((s, k) => assert.ok(special[k] === true || s.start < s.end || s.token === '▁', `${name} ${JSON.stringify(text)}: token ${k} ${s.token} not placed`));
      const covered = new Set(spans.flatMap((s) => Array.from({ length: s.end - s.start }, (_, i) => s.start + i)));
      // Whitespace, controls, format characters and accents may be dropped by a normaliser.
      for (let i = 0; i < text.length; i++) {
        if (!/[\s\p{Cc}\p{Cf}\p{Cs}\p{Mn}]/u.test(text[i] as string)) assert.ok(covered.has(i), `${name} ${JSON.stringify(text)}: character ${i} uncovered`);
      }
    }
  }
});

test('a 1 MB line with a truncated token list is aligned', async () => {
  const folder = path.join(ROOT, 'models/all-MiniLM-L6-v2');
  const encode = await transformersTokens(folder);
  const text = 'Café au lait, s’il vous plaît! 😀 '.repeat(30_000);
  const { tokens, special } = encode(text.slice(0, 2000));
  const kept = [...tokens.slice(0, 127), '[SEP]'];
  const spans = alignTokens(text, kept, [...special.slice(0, 127), true], tokenizerStyle(folder));
  invariants(text, spans);
  assert.ok(spans.slice(1, -1).every((s) => s.start < s.end));
  assert.equal(text.slice(spans[1]?.start, spans[1]?.end), 'Café');
});
