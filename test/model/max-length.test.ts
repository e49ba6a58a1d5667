import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MAX_LENGTH_CAP, modelMaxLength } from '../../src/core/model/max-length';

function folderWith(t: { after: (fn: () => void) => void }, config: object, tokenizerConfig?: object): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stc-maxlen-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
  if (tokenizerConfig) fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify(tokenizerConfig));
  return dir;
}

test('the tightest of the tokenizer\'s and the config\'s limits, capped', (t) => {
  assert.deepEqual(modelMaxLength(folderWith(t, { model_type: 'bert', max_position_embeddings: 512 }, { model_max_length: 512 })).maxLength, 512);
  assert.deepEqual(modelMaxLength(folderWith(t, { model_type: 'bert', max_position_embeddings: 512 }, { model_max_length: 128 })), { maxLength: 128, source: 'tokenizer_config.json model_max_length' });
  // HF writes 1e30 when the tokenizer has no limit; RoBERTa loses pad_token_id + 1 positions.
  assert.equal(modelMaxLength(folderWith(t, { model_type: 'roberta', max_position_embeddings: 514, pad_token_id: 1 }, { model_max_length: 1e30 })).maxLength, 512);
  assert.equal(modelMaxLength(folderWith(t, { model_type: 'gpt2', n_positions: 1024 })).maxLength, 1024);
  const llama = modelMaxLength(folderWith(t, { model_type: 'llama', max_position_embeddings: 4096 }));
  assert.equal(llama.maxLength, MAX_LENGTH_CAP);
  assert.match(llama.source, /max_position_embeddings = 4096, capped at 1024/);
  assert.equal(modelMaxLength(folderWith(t, { model_type: 'rwkv' })).maxLength, MAX_LENGTH_CAP);
});

test('a broken tokenizer_config.json is a clear error', (t) => {
  const dir = folderWith(t, { model_type: 'bert' });
  fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), '{ not json');
  assert.throws(() => modelMaxLength(dir), /tokenizer_config\.json is not valid JSON .*re-export or re-download/);
});
