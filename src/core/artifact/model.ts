// Finding the base model a saved classifier was trained on, and refusing any other: neurons are
// positions in one model's layers, so a different file (even another precision of the same
// checkpoint) would feed the classifier meaningless values.
import * as path from 'node:path';
import { dtypeOfFileName } from '../model/dtypes';
import { resolveModel, type ModelFile, type ResolvedModel, type ResolveOptions } from '../model/resolve';
import { ArtifactError } from './errors';
import type { ModelIdentity, SavedClassifier } from './types';

export interface ClassifierModelOptions {
  /** Use this folder instead of the model recorded in the classifier (it must be the same files). */
  readonly modelFolder?: string;
  /** The hub model cache; default resolveModel's. */
  readonly cacheDir?: string;
  /** Download a recorded hub model that is not in the cache. */
  readonly allowRemote?: boolean;
}

function specOf(identity: ModelIdentity, modelFolder: string | undefined): string {
  if (modelFolder !== undefined) return path.resolve(modelFolder);
  if (identity.source === 'embedded') return 'default';
  return identity.id;
}

/** The model files that differ between what the classifier recorded and what was found. */
export function modelDifferences(expected: readonly ModelFile[], found: readonly ModelFile[]): string[] {
  const byPath = new Map(found.map((f) => [f.path, f]));
  const out: string[] = [];
  for (const e of expected) {
    const f = byPath.get(e.path);
    if (!f) out.push(`${e.path} is missing`);
    else if (f.sha256 !== e.sha256) out.push(`${e.path} has different content (${f.bytes} bytes, trained on ${e.bytes})`);
  }
  const known = new Set(expected.map((e) => e.path));
  for (const f of found) if (!known.has(f.path)) out.push(`${f.path} was not part of the trained model`);
  return out;
}

export async function resolveClassifierModel(saved: SavedClassifier, options: ClassifierModelOptions = {}): Promise<ResolvedModel> {
  const identity = saved.manifest.model;
  const spec = specOf(identity, options.modelFolder);
  const where = path.join(saved.dir, 'manifest.json');
  // The recorded file picks the precision; its dtype is what a hub download fetches.
  const resolveOptions: ResolveOptions = { onnxFile: identity.onnxFile, dtype: dtypeOfFileName(path.basename(identity.onnxFile)), cacheDir: options.cacheDir, allowRemote: options.allowRemote };
  let model: ResolvedModel;
  try {
    model = await resolveModel(spec, resolveOptions);
  } catch (e) {
    throw new ArtifactError(
      'model-not-found',
      where,
      `the classifier's base model (${identity.source} ${identity.id}, ${identity.onnxFile}) cannot be found: ${(e as Error).message} Give the folder of the model it was trained on.`,
      { cause: e },
    );
  }
  if (model.sha256 !== identity.sha256) {
    const differences = modelDifferences(identity.files, model.files);
    throw new ArtifactError(
      'model-mismatch',
      where,
      `the classifier was trained on a different model than ${model.folder}: ${differences.join('; ') || 'the file set differs'}. ` +
        `Give the folder of the model it was trained on (${identity.id}), or train the classifier again on this model.`,
    );
  }
  return model;
}
