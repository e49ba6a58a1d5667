// The on-disk cache of rewritten models: one folder per (graph file content, tap set, rewrite
// version) holding the rewritten .onnx and a manifest, written last, that marks the entry complete.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sha256File } from '../model/hash';
import { blockName, type FeatureBlock } from '../neurons';
import type { ModelConfig } from './config';
import type { ModelProto } from './schema';
import type { TappedGraph } from './types';

/** Bump when the rewrite changes what it produces, so stale cache entries are not reused. Feature
 *  stores and early-exit graphs are keyed by it too: it stands for the features' values. */
export const REWRITE_VERSION = 3;
/** Bump when the manifest gains or changes a field, so entries written without it are rebuilt
 *  while feature stores, whose values did not change, stay valid (2: cpuBoundOps). */
const MANIFEST_VERSION = 2;
export const MANIFEST = 'tapped.json';

export interface CachedTapping extends TappedGraph {
  /** External data files, relative to the original model's folder, as the model names them. */
  externalData: string[];
}

/**
 * Keyed by the graph file's content only: external weight files are referenced by location, never
 * rewritten, so their content cannot change the rewrite (and hashing gigabytes would be slow);
 * readCached checks that the links to them still lead to the current files instead.
 */
export function cacheKey(modelFile: string, config: ModelConfig, blocks: readonly FeatureBlock[]): string {
  const identity = {
    version: REWRITE_VERSION,
    manifest: MANIFEST_VERSION,
    model: sha256File(modelFile),
    config: [config.numLayers, config.hiddenSize, config.intermediateSize, config.decoder],
    blocks: blocks.map(blockName),
  };
  return identityKey(identity);
}

/** A cache folder name from everything that determines an entry's content. */
export function identityKey(identity: unknown): string {
  return createHash('sha256').update(JSON.stringify(identity)).digest('hex').slice(0, 32);
}

export function stripCacheFields(entry: CachedTapping): TappedGraph {
  const { externalData: _, ...tapped } = entry;
  return tapped;
}

function sameFile(a: string, b: string): boolean {
  const sa = fs.statSync(a, { throwIfNoEntry: false });
  const sb = fs.statSync(b, { throwIfNoEntry: false });
  return !!sa && !!sb && sa.ino === sb.ino && sa.dev === sb.dev;
}

/** The manifest `manifest` of the cache entry in `dir`, if the entry is complete and its links to
 *  external data still lead to the model folder's files. */
export function readCachedEntry<T extends { readonly modelPath: string; readonly externalData: readonly string[] }>(dir: string, modelDir: string, manifest: string): T | undefined {
  let entry: T;
  try {
    entry = JSON.parse(fs.readFileSync(path.join(dir, manifest), 'utf8')) as T;
  } catch {
    return undefined;
  }
  if (!fs.existsSync(entry.modelPath)) return undefined;
  const dataDir = path.dirname(entry.modelPath);
  if (!entry.externalData.every((loc) => sameFile(path.join(dataDir, loc), path.join(modelDir, loc)))) return undefined;
  return entry;
}

/** The tapping cache entry in `dir`, if complete and still pointing at the model folder's data files. */
export function readCached(dir: string, modelDir: string): TappedGraph | undefined {
  const entry = readCachedEntry<CachedTapping>(dir, modelDir, MANIFEST);
  return entry && stripCacheFields(entry);
}

/** Writes `parts` to `file` through a temporary file and a rename, so readers never see half a file. */
export function writeAtomic(file: string, parts: readonly Uint8Array[]): void {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    const fd = fs.openSync(tmp, 'w');
    try {
      for (const p of parts) fs.writeSync(fd, p);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw new Error(`cannot write ${file}: ${(e as Error).message}`, { cause: e });
  }
}

/** The distinct external data locations the model's initializers point at. */
export function externalDataLocations(model: ModelProto): string[] {
  const out = new Set<string>();
  for (const t of model.graph?.initializer ?? []) {
    if (t.data_location !== 1) continue;
    const loc = (t.external_data ?? []).find((e) => e.key === 'location')?.value;
    if (loc) out.add(loc);
  }
  return [...out];
}

/**
 * Where the rewritten model goes. onnxruntime reads external data relative to the model file and
 * refuses locations that resolve outside its folder (absolute, `../`, or symbolic links leading
 * out), so a model with external data gets hard links to its data files in the cache folder; where
 * hard links fail (another file system), the rewritten model is written next to the original.
 */
export function placeRewrittenModel(modelFile: string, externalData: readonly string[], dir: string, key: string): string {
  const modelDir = path.dirname(modelFile);
  const inCache = path.join(dir, path.basename(modelFile));
  try {
    for (const loc of externalData) {
      const target = path.resolve(modelDir, loc);
      if (!fs.existsSync(target)) throw new Error(`${target}: the model's external data file is missing; it must sit next to ${modelFile}.`);
      const link = path.resolve(dir, loc);
      if (path.relative(dir, link).startsWith('..')) throw new Error(`${modelFile}: external data location "${loc}" leads outside the model folder; onnxruntime refuses such models.`);
      fs.mkdirSync(path.dirname(link), { recursive: true });
      fs.rmSync(link, { force: true });
      fs.linkSync(target, link);
    }
    return inCache;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === undefined) throw e;
    return path.join(modelDir, `${path.basename(modelFile, '.onnx')}.stc-${key.slice(0, 16)}.onnx`);
  }
}
