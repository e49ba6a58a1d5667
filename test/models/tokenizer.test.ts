import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadTokenizer } from '../../src/core/model/tokenizer';
import type { TokenEncoder } from '../../src/core/extract/types';
import { readJson, readReference, realLength, referencedModels, REFERENCE_DIR, type TruncationReference } from './reference';

interface TokenizerJson {
  readonly model: { readonly vocab: Record<string, number> | [string, number][] };
  readonly added_tokens: { readonly id: number; readonly content: string; readonly special: boolean }[];
}

const truncation = readJson<TruncationReference>(path.join(REFERENCE_DIR, 'truncation.json'));

// Offline means no request at all, not merely a failed one: any fetch fails the test that made it.
const realFetch = globalThis.fetch;
const fetched: string[] = [];
before(() => {
  globalThis.fetch = (input: string | URL | Request) => {
    fetched.push(input instanceof Request ? input.url : String(input));
    return Promise.reject(new Error('network access in an offline test'));
  };
});
after(() => {
  globalThis.fetch = realFetch;
  assert.deepEqual(fetched, [], 'no tokenizer was fetched from the network');
});

for (const [name, folder] of referencedModels()) {
  test(`${name}: the transformers.js tokenizer gives the Python tokenizer's ids, offline`, async () => {
    const ref = readReference(name);
    const tokenizer = await loadTokenizer(folder);
    // The extraction engine takes this tokenizer as it is.
    const encoder: TokenEncoder = tokenizer;
    assert.equal(typeof encoder.emptyTextTokenId, 'number', 'a token to stand in for an empty text');
    const encoded = tokenizer.encode(ref.texts, 10_000);
    const lengths = ref.inputs.attention_mask.map(realLength);
    assert.deepEqual(encoded.ids, ref.inputs.input_ids.map((row, i) => row.slice(0, lengths[i])));
    assert.deepEqual(
      encoded.typeIds,
      ref.inputs.token_type_ids?.map((row, i) => row.slice(0, lengths[i])),
      'segment ids exactly when the Python tokenizer makes them',
    );
    const longest = Math.max(...lengths);
    const padded = ref.inputs.input_ids.flatMap((row, i) => row.slice(lengths[i], longest));
    assert.ok(padded.length > 0, 'the reference batch has padding');
    assert.deepEqual(new Set(padded), new Set([tokenizer.padTokenId]), 'pads with the id the reference padded with');
  });

  test(`${name}: truncation keeps the special tokens and cuts the text, as Python does`, async () => {
    const expected = truncation.input_ids[name];
    assert.ok(expected, `truncation.json has ${name}`);
    const tokenizer = await loadTokenizer(folder);
    const { ids, typeIds, truncated } = tokenizer.encode(truncation.texts, truncation.max_length);
    assert.deepEqual(ids, expected);
    typeIds?.forEach((row, i) => assert.equal(row.length, ids[i]?.length));
    const uncut = tokenizer.encode(truncation.texts, 10_000).ids;
    assert.deepEqual(truncated, uncut.map((row) => row.length > truncation.max_length), 'truncated says which texts lost tokens');
  });

  test(`${name}: token strings and special flags are tokenizer.json's, added tokens first`, async () => {
    const json = readJson<TokenizerJson>(path.join(folder, 'tokenizer.json'));
    const expected = new Map<number, { token: string; special: boolean }>();
    const vocab = json.model.vocab;
    // WordPiece and BPE map token -> id; Unigram lists [piece, score] with the id as position.
    if (Array.isArray(vocab)) vocab.forEach(([piece], id) => expected.set(id, { token: piece, special: false }));
    else for (const [piece, id] of Object.entries(vocab)) expected.set(id, { token: piece, special: false });
    for (const t of json.added_tokens) expected.set(t.id, { token: t.content, special: t.special });
    const ids = [...expected.keys(), Math.max(...expected.keys()) + 1];
    const tokenizer = await loadTokenizer(folder);
    const { tokens, special } = tokenizer.tokens(ids);
    assert.deepEqual(tokens, ids.map((id) => expected.get(id)?.token ?? `<id ${id}>`));
    assert.deepEqual(special, ids.map((id) => expected.get(id)?.special ?? false));
  });
}

test('a folder without tokenizer files is refused with the folder and what is missing', async () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'stc-tokenizer-'));
  try {
    fs.writeFileSync(path.join(empty, 'tokenizer.json'), '{}');
    await assert.rejects(loadTokenizer(empty), (e: Error) => e.message.includes(empty) && e.message.includes('tokenizer_config.json'));
  } finally {
    fs.rmSync(empty, { recursive: true, force: true });
  }
});

test('maxLength shorter than the special tokens is an error that says so', async () => {
  const [, bert] = referencedModels().find(([name]) => name === 'bert') ?? [];
  assert.ok(bert);
  const tokenizer = await loadTokenizer(bert);
  assert.deepEqual(tokenizer.encode(['a good film'], 2).ids, [[2, 3]], 'room for [CLS] and [SEP] only');
  assert.throws(() => tokenizer.encode(['a good film'], 1), /shorter than the 2 special tokens/);
  assert.throws(() => tokenizer.encode(['a good film'], 0), /whole number >= 1/);
});

test('special tokens typed in the text and unknown characters are flagged special', async () => {
  const [, bert] = referencedModels().find(([name]) => name === 'bert') ?? [];
  assert.ok(bert);
  const tokenizer = await loadTokenizer(bert);
  const [ids = []] = tokenizer.encode(['a [SEP] 😀'], 32).ids;
  assert.deepEqual(tokenizer.tokens(ids), { tokens: ['[CLS]', 'a', '[SEP]', '[UNK]', '[SEP]'], special: [true, false, true, true, true] });
});
