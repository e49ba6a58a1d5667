// resolveClassifierModel: the recorded base model is found (embedded, folder, or a folder given)
// and any other model is refused, naming the files that differ.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { ArtifactError, loadClassifier, resolveClassifierModel, saveClassifier } from '../../src/core/artifact';
import { resolveModel } from '../../src/core/model/resolve';
import { readModelConfig } from '../../src/core/onnx';
import { BERT, inputFor, tempDir, trainSynthetic } from './classifiers';

const DISTILBERT = path.join(__dirname, '../fixtures/models/distilbert');
const isCode = (code: string, message: RegExp) => (e: unknown) => e instanceof ArtifactError && e.code === code && message.test(e.message);

describe('the base model of a saved classifier', async () => {
  const trained = await trainSynthetic(2);

  test('the recorded folder is found, and a copy of it elsewhere is accepted', async (t) => {
    const root = tempDir(t);
    const saved = await saveClassifier(path.join(root, 'c.stc'), await inputFor(trained));
    const model = await resolveClassifierModel(saved);
    assert.equal(model.folder, BERT);
    assert.equal(model.sha256, saved.manifest.model.sha256);
    const copy = path.join(root, 'bert-copy');
    fs.cpSync(BERT, copy, { recursive: true });
    assert.equal((await resolveClassifierModel(saved, { modelFolder: copy })).folder, copy);
  });

  test('a model folder with one changed file is refused, naming the file', async (t) => {
    const root = tempDir(t);
    const saved = await saveClassifier(path.join(root, 'c.stc'), await inputFor(trained));
    const copy = path.join(root, 'bert-edited');
    fs.cpSync(BERT, copy, { recursive: true });
    fs.appendFileSync(path.join(copy, 'tokenizer_config.json'), '\n');
    await assert.rejects(resolveClassifierModel(saved, { modelFolder: copy }), isCode('model-mismatch', /trained on a different model than .*bert-edited: tokenizer_config\.json has different content.*train the classifier again/));
  });

  test('another model is refused', async (t) => {
    const saved = await saveClassifier(path.join(tempDir(t), 'c.stc'), await inputFor(trained));
    await assert.rejects(resolveClassifierModel(saved, { modelFolder: DISTILBERT }), isCode('model-mismatch', /onnx\/model\.onnx has different content/));
  });

  test('a recorded folder that no longer exists says so and what to do', async (t) => {
    const root = tempDir(t);
    const copy = path.join(root, 'bert-moved');
    fs.cpSync(BERT, copy, { recursive: true });
    const saved = await saveClassifier(path.join(root, 'c.stc'), await inputFor(trained, { model: await resolveModel(copy) }));
    fs.rmSync(copy, { recursive: true });
    await assert.rejects(resolveClassifierModel(await loadClassifier(saved.dir)), isCode('model-not-found', /base model \(folder .*bert-moved, onnx\/model\.onnx\) cannot be found: .*does not exist.*Give the folder of the model it was trained on/));
  });

  const embedded = path.join(__dirname, '../../models/all-MiniLM-L6-v2');
  test('the embedded default model is found without a path', { skip: !fs.existsSync(path.join(embedded, 'onnx')) && 'embedded model not present' }, async (t) => {
    const model = await resolveModel('default');
    // The synthetic neurons fit inside MiniLM's widths (6 blocks, 384, 1536).
    const saved = await saveClassifier(path.join(tempDir(t), 'c.stc'), await inputFor(trained, { model, config: readModelConfig(model.folder) }));
    assert.equal(saved.manifest.model.source, 'embedded');
    assert.equal((await resolveClassifierModel(saved)).sha256, model.sha256);
    // The recorded ONNX file (the precision) is part of the identity: a folder without it is refused.
    await assert.rejects(resolveClassifierModel(saved, { modelFolder: BERT }), isCode('model-not-found', new RegExp(`bert has no ${saved.manifest.model.onnxFile}`)));
  });

  test('a hub model missing from the cache with downloads off', async (t) => {
    const root = tempDir(t);
    const saved = await saveClassifier(path.join(root, 'c.stc'), await inputFor(trained, { model: { ...(await resolveModel(BERT)), source: 'hub', id: 'someone/tiny-bert' } }));
    await assert.rejects(resolveClassifierModel(saved, { cacheDir: path.join(root, 'cache') }), isCode('model-not-found', /hub someone\/tiny-bert.*not in the model cache.*downloads are off/));
    fs.cpSync(BERT, path.join(root, 'cache', 'someone', 'tiny-bert'), { recursive: true });
    assert.equal((await resolveClassifierModel(saved, { cacheDir: path.join(root, 'cache') })).source, 'hub');
  });
});
