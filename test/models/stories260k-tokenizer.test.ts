// The stories260K fixture's tokenizer.json, read by transformers.js, must give the ids of the
// SentencePiece model it was converted from (tok512.model), which the pretrained weights expect.
// The expected ids below are SentencePiece's own (`sp.encode(text)`, BOS prepended), so a conversion
// that drifts from SentencePiece fails here even if Python and JavaScript agree with each other.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadTransformers } from '../../src/core/model/runtime';

const FIXTURE = path.resolve(__dirname, '../fixtures/models/stories260K');

interface Case {
  why: string;
  text: string;
  ids: number[];
  /** SentencePiece's decode of the ids: the text with its spaces normalised. */
  decoded: string;
}

const CASES: Case[] = [
  { why: 'llama2.c prompt', text: 'Once upon a time', ids: [1, 403, 407, 261, 378], decoded: 'Once upon a time' },
  {
    why: 'SST-2 sentence',
    text: 'a stirring , funny and finally transporting re-imagining of beauty and the beast and 1930s horror films',
    ids: [
      1, 261, 349, 315, 420, 299, 410, 432, 272, 379, 416, 422, 269, 272, 271, 388, 422, 259, 420, 303, 419, 427,
      304, 413, 299, 410, 276, 464, 288, 412, 428, 271, 299, 373, 329, 412, 323, 422, 269, 265, 329, 412, 356, 269,
      410, 475, 483, 472, 477, 419, 270, 304, 420, 304, 272, 290, 423, 419,
    ],
    decoded: 'a stirring , funny and finally transporting re-imagining of beauty and the beast and 1930s horror films',
  },
  {
    why: 'leading, trailing and repeated spaces are removed',
    text: '  runs   of    spaces ',
    ids: [1, 352, 379, 419, 373, 262, 427, 412, 331, 419],
    decoded: 'runs of spaces',
  },
  { why: 'only spaces give no token', text: '   ', ids: [1], decoded: '' },
  {
    why: 'non-ASCII letters and an emoji fall back to UTF-8 bytes',
    text: 'Grüße aus München 😀',
    ids: [1, 410, 463, 420, 198, 191, 198, 162, 411, 261, 425, 419, 392, 198, 191, 416, 429, 260, 416, 410, 243, 162, 155, 131],
    decoded: 'Grüße aus München 😀',
  },
  { why: 'CJK bytes', text: '日本語', ids: [1, 410, 233, 154, 168, 233, 159, 175, 235, 173, 161], decoded: '日本語' },
  {
    why: 'tab and newline are not spaces to SentencePiece',
    text: 'tab\there, new\nline',
    ids: [1, 259, 412, 430, 12, 260, 276, 432, 404, 424, 13, 421, 271, 411],
    decoded: 'tab\there, new\nline',
  },
];

test('stories260K tokenizer.json matches SentencePiece in transformers.js', async (t) => {
  const { AutoTokenizer } = await loadTransformers();
  const tokenizer = await AutoTokenizer.from_pretrained(FIXTURE);

  for (const c of CASES) {
    await t.test(c.why, () => {
      const ids = tokenizer.encode(c.text);
      assert.deepEqual(ids, c.ids);
      assert.equal(tokenizer.decode(ids, { skip_special_tokens: true }), c.decoded);
    });
  }
});

test('stories260K tokenizer declares the special tokens the checkpoint uses', async () => {
  const { AutoTokenizer } = await loadTransformers();
  const tokenizer = await AutoTokenizer.from_pretrained(FIXTURE);
  assert.deepEqual(
    { unk: tokenizer.unk_token_id, bos: tokenizer.bos_token_id, eos: tokenizer.eos_token_id, pad: tokenizer.pad_token_id },
    { unk: 0, bos: 1, eos: 2, pad: 0 },
  );
});
