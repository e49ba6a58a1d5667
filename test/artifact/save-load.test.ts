// Saving and loading a classifier: the round trip, what the folder holds, and atomic replacement.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { ArtifactError, CLASSIFIER_VERSION, loadClassifier, saveClassifier } from '../../src/core/artifact';
import { writeFolderAtomically } from '../../src/core/artifact/atomic';
import { sha256Hex } from '../../src/core/artifact/hash';
import { citedRows } from '../../src/core/artifact/examples';
import { inputFor, tempDir, trainSynthetic } from './classifiers';

const isCode = (code: string) => (e: unknown) => e instanceof ArtifactError && e.code === code;

describe('round trip', async () => {
  const binary = await trainSynthetic(2);
  const multi = await trainSynthetic(3);

  for (const [what, trained] of [['two labels', binary], ['three labels', multi]] as const) {
    test(`${what}: load gives back exactly what save returned`, async (t) => {
      const dir = path.join(tempDir(t), 'sentiment.stc');
      const saved = await saveClassifier(dir, await inputFor(trained));
      const loaded = await loadClassifier(dir);
      assert.deepEqual(loaded, saved);
      assert.deepEqual(loaded.report, trained.report);
      assert.deepEqual(loaded.manifest.classifier, trained.report.classifier);
      assert.equal(loaded.manifest.classifier.outputs, what === 'two labels' ? 1 : 3);
    });
  }

  test('the manifest records the model, tokenizer, labels, k and metrics; only cited examples are kept', async (t) => {
    const dir = path.join(tempDir(t), 'sentiment.stc');
    const input = await inputFor(binary);
    const { manifest, examples } = await saveClassifier(dir, input);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['examples.json', 'manifest.json', 'report.json']);
    assert.equal(manifest.name, 'sentiment');
    assert.equal(manifest.version, CLASSIFIER_VERSION);
    assert.deepEqual(
      { ...manifest.model, files: manifest.model.files.length },
      { source: 'folder', id: input.model.id, onnxFile: 'onnx/model.onnx', files: input.model.files.length, sha256: input.model.sha256, numLayers: 3, hiddenSize: 32, intermediateSize: 64, decoder: false },
    );
    assert.deepEqual(manifest.tokenizer, { maxLength: 64, truncation: 'end', addSpecialTokens: true });
    assert.deepEqual(manifest.labels, binary.report.data.classes);
    assert.equal(manifest.k, binary.report.ensemble.k);
    assert.deepEqual(manifest.metrics, { metric: binary.report.settings.metric, validation: binary.report.ensemble.valScore, test: binary.report.test });
    assert.equal(manifest.files.report, sha256Hex(fs.readFileSync(path.join(dir, 'report.json'))));
    const cited = citedRows(binary.report);
    assert.ok(cited.length > 0 && cited.length < binary.examples.length);
    assert.deepEqual([...examples.keys()], cited);
    assert.deepEqual(examples.get(cited[0] as number), binary.examples[cited[0] as number]);
  });

  test('a name given is recorded', async (t) => {
    const saved = await saveClassifier(path.join(tempDir(t), 'x.stc'), await inputFor(binary, { name: 'Movie reviews' }));
    assert.equal(saved.manifest.name, 'Movie reviews');
  });

  test('examples without a cited row are refused before anything is written', async (t) => {
    const dir = path.join(tempDir(t), 'x.stc');
    const row = citedRows(binary.report)[0];
    await assert.rejects(saveClassifier(dir, await inputFor(binary, { examples: binary.examples.filter((e) => e.row !== row) })), (e: unknown) => isCode('invalid-examples')(e) && new RegExp(`row\\(s\\) ${row}\\b`).test((e as Error).message));
    assert.equal(fs.existsSync(dir), false);
  });
});

describe('atomic replacement', async () => {
  const first = await trainSynthetic(2);
  const second = await trainSynthetic(3);
  const listing = (dir: string) => fs.readdirSync(path.dirname(dir)).sort();

  test('saving over a classifier replaces it and leaves no temporary folders', async (t) => {
    const dir = path.join(tempDir(t), 'c.stc');
    await saveClassifier(dir, await inputFor(first));
    const replaced = await saveClassifier(dir, await inputFor(second));
    assert.deepEqual(await loadClassifier(dir), replaced);
    assert.deepEqual(listing(dir), ['c.stc']);
  });

  for (const failing of [1, 2] as const) {
    test(`a failure at rename ${failing} (${failing === 1 ? 'old aside' : 'new into place'}) keeps the previous classifier intact`, async (t) => {
      const dir = path.join(tempDir(t), 'c.stc');
      const before = await saveClassifier(dir, await inputFor(first));
      let calls = 0;
      const rename = async (from: string, to: string) => {
        if (++calls === failing) throw new Error('simulated disk failure');
        await fs.promises.rename(from, to);
      };
      await assert.rejects(saveClassifier(dir, await inputFor(second), { rename }), (e: unknown) => isCode('save-failed')(e) && /simulated disk failure.*previous classifier there is unchanged/.test((e as Error).message));
      assert.deepEqual(await loadClassifier(dir), before);
      assert.deepEqual(listing(dir), ['c.stc']);
    });
  }

  test('a failure while the files are written leaves the old folder and removes the partial one', async (t) => {
    const dir = path.join(tempDir(t), 'c.stc');
    const before = await saveClassifier(dir, await inputFor(first));
    const fill = async (tmp: string) => {
      await fs.promises.writeFile(path.join(tmp, 'report.json'), '{"half": ');
      throw new Error('simulated crash mid-write');
    };
    await assert.rejects(writeFolderAtomically(dir, fill), /simulated crash/);
    assert.deepEqual(await loadClassifier(dir), before);
    assert.deepEqual(listing(dir), ['c.stc']);
  });

  test('the next save removes what a writer that died mid-write left, but not a live writer\'s folder', async (t) => {
    const dir = path.join(tempDir(t), 'c.stc');
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    const orphan = path.join(path.dirname(dir), `.c.stc.tmp-${dead}-0000`);
    const live = path.join(path.dirname(dir), `.c.stc.tmp-${process.pid}-1111`);
    for (const d of [orphan, live]) fs.mkdirSync(d);
    fs.writeFileSync(path.join(orphan, 'report.json'), '{"half": ');
    await saveClassifier(dir, await inputFor(first));
    assert.deepEqual(listing(dir), ['.c.stc.tmp-' + String(process.pid) + '-1111', 'c.stc']);
  });

  test('a crash between the two renames loses nothing, and loading says where the previous classifier is', async (t) => {
    const dir = path.join(tempDir(t), 'c.stc');
    const before = await saveClassifier(dir, await inputFor(first));
    const aside = path.join(path.dirname(dir), '.c.stc.old-1-abcd');
    fs.renameSync(dir, aside); // what the first rename does before the process dies
    await assert.rejects(loadClassifier(dir), (e: unknown) => isCode('missing-folder')(e) && (e as Error).message.includes(aside));
    fs.renameSync(aside, dir);
    assert.deepEqual(await loadClassifier(dir), before);
  });

  test('a folder that is not a classifier is never replaced', async (t) => {
    const root = tempDir(t);
    const dir = path.join(root, 'documents');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'thesis.txt'), 'precious');
    await assert.rejects(saveClassifier(dir, await inputFor(first)), (e: unknown) => isCode('not-a-classifier')(e) && /left untouched/.test((e as Error).message));
    assert.deepEqual(fs.readdirSync(dir), ['thesis.txt']);
    const file = path.join(root, 'file.stc');
    fs.writeFileSync(file, 'x');
    await assert.rejects(saveClassifier(file, await inputFor(first)), isCode('not-a-classifier'));
    assert.equal(fs.readFileSync(file, 'utf8'), 'x');
    assert.deepEqual(fs.readdirSync(root).sort(), ['documents', 'file.stc']);
  });
});
