// A long text is tokenised only up to a head cut before a space (model/text-cut.ts); the ids must
// be those of the whole text, cut after tokenising, on every fixture tokenizer, and the head's
// tokens a prefix of the whole text's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadTransformers } from '../../src/core/model/runtime';
import { textCutter } from '../../src/core/model/text-cut';
import { loadTokenizer } from '../../src/core/model/tokenizer';
import { referencedModels } from './reference';

const EXPLAIN_TOKENIZERS = path.resolve(__dirname, '../fixtures/explain/tokenizers');
const FOLDERS: [string, string][] = [...referencedModels(), ...fs.readdirSync(EXPLAIN_TOKENIZERS).map((name): [string, string] => [name, path.join(EXPLAIN_TOKENIZERS, name)])];

/** Pieces that stress the cut: accents, CJK, digit runs, emoji, Σ before a space, ligatures,
 *  combining marks, control characters, runs of spaces and newlines, special tokens typed in. */
const PIECES = ['the', 'film', 'naïve', 'ΟΔΟΣ', '中文字', '12345', '3.14', '😀', 'ﬁne', 'e\u0301', 'x\u0000y', 'don\'t', 'end.', '[SEP]', '<s>', '<|endoftext|>', 'Ünïcödé', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'];
const GAPS = [' ', ' ', ' ', '  ', '\n', ' \n ', '\t', ''];

/** A seeded mix of PIECES and GAPS about `chars` long. */
function text(seed: number, chars: number): string {
  let state = seed;
  const next = (n: number) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % n;
  };
  let out = '';
  while (out.length < chars) out += (PIECES[next(PIECES.length)] ?? '') + (GAPS[next(GAPS.length)] ?? '');
  return out;
}

for (const [name, folder] of FOLDERS) {
  test(`${name}: a long text's ids are its whole encoding's, cut as maxLength says`, async () => {
    const { AutoTokenizer } = await loadTransformers();
    const reference = await AutoTokenizer.from_pretrained(folder, { local_files_only: true });
    const tokenizer = await loadTokenizer(folder);
    const cutter = textCutter(JSON.parse(fs.readFileSync(path.join(folder, 'tokenizer.json'), 'utf8')) as Parameters<typeof textCutter>[0]);
    assert.ok(cutter, 'the fixture tokenizers all allow a cut');
    // The special tokens around a text, as whole-text truncation keeps them.
    const withSpecials = reference.encode('a');
    const bare = reference.encode('a', { add_special_tokens: false });
    const before = withSpecials.slice(0, withSpecials.indexOf(bare[0] ?? -1));
    const after = withSpecials.slice(before.length + bare.length);
    let cuts = 0;
    for (const seed of [1, 2, 3]) {
      const long = text(seed, 6000);
      const content = reference.encode(long, { add_special_tokens: false });
      for (let maxLength = before.length + after.length + 1; maxLength <= 120; maxLength += 7) {
        const room = maxLength - before.length - after.length;
        const expected = content.length > room ? [...before, ...content.slice(0, room), ...after] : [...before, ...content, ...after];
        const encoded = tokenizer.encode([long], maxLength);
        assert.deepEqual(encoded.ids[0], expected, `seed ${seed}, maxLength ${maxLength}`);
        assert.deepEqual(encoded.truncated, [content.length > room]);
        // The stronger property the cut rests on: every token of the head is the whole text's.
        const head: string = cutter(long, maxLength);
        if (head === long) continue;
        const headContent = reference.encode(head, { add_special_tokens: false });
        assert.deepEqual(headContent, content.slice(0, headContent.length), `seed ${seed}: the head ${JSON.stringify(head.slice(-20))} ends in the whole text's tokens`);
        cuts++;
      }
    }
    assert.ok(cuts > 20, `the texts were cut (${cuts} times)`);
  });
}

test('a head with too few tokens falls back to the whole text', async () => {
  const [, bert] = referencedModels().find(([name]) => name === 'bert') ?? [];
  assert.ok(bert);
  const tokenizer = await loadTokenizer(bert);
  // One word longer than WordPiece's 100 characters is one [UNK], whatever its length: the head
  // (the word) gives [CLS] [UNK] [SEP], fewer tokens than maxLength.
  const long = `${'x'.repeat(5000)} a good film`;
  const cutter = textCutter(JSON.parse(fs.readFileSync(path.join(bert, 'tokenizer.json'), 'utf8')) as Parameters<typeof textCutter>[0]);
  assert.equal(cutter?.(long, 4), 'x'.repeat(5000));
  const [, a] = tokenizer.encode(['a'], 4).ids[0] ?? [];
  const encoded = tokenizer.encode([long], 4);
  assert.deepEqual([encoded.ids, encoded.truncated], [[[2, 1, a, 3]], [true]]);
});

const BERT_LIKE = {
  normalizer: { type: 'BertNormalizer' },
  pre_tokenizer: { type: 'BertPreTokenizer' },
  added_tokens: [{ content: '[CLS]' }],
  model: { type: 'WordPiece', vocab: { a: 0, '##b': 1 } },
};
const SENTENCEPIECE_LIKE = {
  normalizer: { type: 'Sequence', normalizers: [{ type: 'Prepend', prepend: '▁' }, { type: 'Replace', pattern: { String: ' ' }, content: '▁' }] },
  pre_tokenizer: null,
  added_tokens: [{ content: '<s>' }],
  model: { type: 'BPE', fuse_unk: true, vocab: { '▁': 0, a: 1, '▁a': 2, '▁▁': 3 } },
};

test('a cut only where no token can reach across it', () => {
  assert.ok(textCutter(BERT_LIKE));
  assert.ok(textCutter(SENTENCEPIECE_LIKE));
  const cut = textCutter(BERT_LIKE);
  // Entries are at most 3 characters long, so maxLength 2 cuts at the first space after 2 x (3 + 1) characters.
  assert.equal(cut?.('aaaa, aaaaa aaaa aaa', 2), 'aaaa, aaaaa');
  assert.equal(cut?.('aaaa, aaaaa', 2), 'aaaa, aaaaa', 'nowhere to cut: the whole text');
  const refused = {
    'an added token with a space': { ...BERT_LIKE, added_tokens: [{ content: '[NEW LINE]' }] },
    'an unknown normaliser': { ...BERT_LIKE, normalizer: { type: 'Precompiled' } },
    'a Replace that joins words': { ...SENTENCEPIECE_LIKE, normalizer: { type: 'Replace', pattern: { Regex: ' +' }, content: '' } },
    'a Replace of letters': { ...SENTENCEPIECE_LIKE, normalizer: { type: 'Replace', pattern: { String: 'a ' }, content: '▁' } },
    'an unknown Split regex': { ...BERT_LIKE, pre_tokenizer: { type: 'Split', pattern: { Regex: '\\w+ \\w+' }, behavior: 'Isolated' } },
    'an entry spanning a space': { ...SENTENCEPIECE_LIKE, model: { ...SENTENCEPIECE_LIKE.model, vocab: { ...SENTENCEPIECE_LIKE.model.vocab, 'a▁a': 4 } } },
    'BPE that looks words up whole': { ...SENTENCEPIECE_LIKE, model: { ...SENTENCEPIECE_LIKE.model, ignore_merges: true } },
    'a Unigram model without a split': { ...SENTENCEPIECE_LIKE, model: { type: 'Unigram', vocab: [['▁', 0], ['a', -1]] as [string, number][] } },
  };
  for (const [why, json] of Object.entries(refused)) assert.equal(textCutter(json), undefined, why);
});
