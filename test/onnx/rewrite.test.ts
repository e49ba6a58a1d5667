// How the rewritten model is written: appended to the original bytes (so fields this code does not
// know survive), flattened only for merged decoders, cached by content and tap set, and placed so
// onnxruntime finds external weights.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import protobuf from 'protobufjs';
import { readModelConfig, tapModel } from '../../src/core/onnx';
import { FIXTURES, VARIANTS, readReference, runTapped, tempCacheDir } from './helpers';

const cacheDir = tempCacheDir();
const scratch = tempCacheDir();
after(() => {
  fs.rmSync(cacheDir, { recursive: true, force: true });
  fs.rmSync(scratch, { recursive: true, force: true });
});

const hid1 = { kind: 'hid', layer: 1, pooling: 'mean' } as const;

/** A ModelProto record this code's schema does not know (field 14, metadata_props), plus an
 *  unknown field number: both must reach onnxruntime untouched. */
function unknownFields(): Uint8Array {
  const w = protobuf.Writer.create();
  w.uint32((14 << 3) | 2).fork().uint32((1 << 3) | 2).string('stc-test').uint32((2 << 3) | 2).string('kept').ldelim();
  w.uint32((999 << 3) | 0).uint32(42);
  return w.finish();
}

function copyFixture(name: string, graph: string, extra?: Uint8Array): { folder: string; modelFile: string } {
  const folder = fs.mkdtempSync(path.join(scratch, `${name}-`));
  fs.mkdirSync(path.join(folder, 'onnx'));
  fs.copyFileSync(path.join(FIXTURES, name, 'config.json'), path.join(folder, 'config.json'));
  const bytes = fs.readFileSync(path.join(FIXTURES, name, 'onnx', graph));
  const modelFile = path.join(folder, 'onnx', graph);
  fs.writeFileSync(modelFile, extra ? Buffer.concat([bytes, extra]) : bytes);
  return { folder, modelFile };
}

test('the rewritten model is the original bytes with the pooling appended; unknown fields survive', async () => {
  const extra = unknownFields();
  const { folder, modelFile } = copyFixture('bert', 'model.onnx', extra);
  const original = fs.readFileSync(modelFile);
  const tapped = await tapModel({ modelFile, config: readModelConfig(folder), blocks: [hid1], cacheDir });
  const rewritten = fs.readFileSync(tapped.modelPath);
  assert.ok(rewritten.length > original.length);
  assert.equal(Buffer.compare(rewritten.subarray(0, original.length), original), 0);
  const got = await runTapped(tapped, (readReference('bert') as NonNullable<ReturnType<typeof readReference>>).inputs);
  assert.equal(got.size, 1);
});

test('a merged decoder is flattened, keeping every top-level record but the graph as it was', async () => {
  const extra = unknownFields();
  const { folder, modelFile } = copyFixture('llama', 'decoder_model_merged.onnx', extra);
  const tapped = await tapModel({ modelFile, config: readModelConfig(folder), blocks: [hid1], cacheDir });
  const rewritten = fs.readFileSync(tapped.modelPath);
  assert.ok(rewritten.indexOf(Buffer.from(extra)) >= 0, 'the unknown fields are gone');
  assert.ok(tapped.inputs.some((i) => i.role === 'use_cache_branch'));
  assert.ok(tapped.inputs.some((i) => i.role === 'past_key_values'));
});

test('the cache returns the same file for the same model and taps, a new one otherwise', async () => {
  const { folder, modelFile } = copyFixture('gpt2', 'model.onnx');
  const config = readModelConfig(folder);
  const dir = tempCacheDir();
  const first = await tapModel({ modelFile, config, blocks: [hid1], cacheDir: dir });
  const mtime = fs.statSync(first.modelPath).mtimeMs;
  const again = await tapModel({ modelFile, config, blocks: [hid1], cacheDir: dir });
  assert.deepEqual(again, first);
  assert.equal(fs.statSync(again.modelPath).mtimeMs, mtime);
  const act0 = { kind: 'act', layer: 0, pooling: 'max' } as const;
  const other = await tapModel({ modelFile, config, blocks: [hid1, act0], cacheDir: dir });
  assert.notEqual(other.modelPath, first.modelPath);
  // The same set in another order, repeated: the same entry, outputs in the fixed block order.
  const reordered = await tapModel({ modelFile, config, blocks: [act0, hid1, act0], cacheDir: dir });
  assert.deepEqual(reordered, other);
  assert.deepEqual(reordered.outputs.map((o) => o.name), ['stc/L1.hid.mean', 'stc/L0.act.max']);
  // Same path, new content: a new entry.
  fs.appendFileSync(modelFile, unknownFields());
  const changed = await tapModel({ modelFile, config, blocks: [hid1], cacheDir: dir });
  assert.notEqual(changed.modelPath, first.modelPath);
  assert.deepEqual(fs.readdirSync(dir).flatMap((d) => fs.readdirSync(path.join(dir, d))).filter((f) => f.endsWith('.tmp')), []);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('external weights: linked into the cache, relinked when the data file is replaced', async () => {
  const folder = fs.mkdtempSync(path.join(scratch, 'external-'));
  fs.cpSync(path.join(VARIANTS, 'roberta-external'), folder, { recursive: true });
  const modelFile = path.join(folder, 'onnx', 'model.onnx');
  const dataFile = path.join(folder, 'onnx', 'model.onnx_data');
  const config = readModelConfig(folder);
  const reference = readReference('roberta') as NonNullable<ReturnType<typeof readReference>>;
  const first = await tapModel({ modelFile, config, blocks: [hid1], cacheDir });
  const link = path.join(path.dirname(first.modelPath), 'model.onnx_data');
  assert.equal(fs.statSync(link).ino, fs.statSync(dataFile).ino);
  const before = await runTapped(first, reference.inputs);

  // A new download replaces the data file (new inode): the cached link must not keep the old one.
  const replacement = `${dataFile}.new`;
  fs.copyFileSync(dataFile, replacement);
  fs.renameSync(replacement, dataFile);
  const second = await tapModel({ modelFile, config, blocks: [hid1], cacheDir });
  assert.equal(fs.statSync(path.join(path.dirname(second.modelPath), 'model.onnx_data')).ino, fs.statSync(dataFile).ino);
  assert.deepEqual(await runTapped(second, reference.inputs), before);
});

// /dev/shm is a separate (tmpfs) file system on Linux: hard links from there to the model fail.
const otherDisk = fs.existsSync('/dev/shm') && fs.statSync('/dev/shm').dev !== fs.statSync(scratch).dev ? '/dev/shm' : undefined;

test('external weights with the cache on another disk: the rewritten graph goes next to the original', { skip: !otherDisk && 'no second file system' }, async () => {
  const folder = fs.mkdtempSync(path.join(scratch, 'external-'));
  fs.cpSync(path.join(VARIANTS, 'roberta-external'), folder, { recursive: true });
  const modelFile = path.join(folder, 'onnx', 'model.onnx');
  const farCache = fs.mkdtempSync(path.join(otherDisk as string, 'stc-onnx-test-'));
  try {
    const tapped = await tapModel({ modelFile, config: readModelConfig(folder), blocks: [hid1], cacheDir: farCache });
    assert.equal(path.dirname(tapped.modelPath), path.dirname(modelFile));
    assert.match(path.basename(tapped.modelPath), /^model\.stc-[0-9a-f]{16}\.onnx$/);
    const got = await runTapped(tapped, (readReference('roberta') as NonNullable<ReturnType<typeof readReference>>).inputs);
    assert.equal(got.size, 1);
    const again = await tapModel({ modelFile, config: readModelConfig(folder), blocks: [hid1], cacheDir: farCache });
    assert.equal(again.modelPath, tapped.modelPath);
  } finally {
    fs.rmSync(farCache, { recursive: true, force: true });
  }
});
