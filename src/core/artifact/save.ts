// Saving a trained classifier: build and validate the manifest (so nothing is written that
// loading would refuse), then write the folder atomically.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { ResolvedModel } from '../model/resolve';
import type { ModelConfig } from '../onnx/config';
import type { StcReport } from '../stc';
import { writeDurable, writeFolderAtomically, type AtomicWriteHooks } from './atomic';
import { ArtifactError } from './errors';
import { examplesToSave, serialiseExamples } from './examples';
import { sha256Hex } from './hash';
import { CLASSIFIER_SUFFIX, EXAMPLES_FILE, MANIFEST_FILE, REPORT_FILE } from './layout';
import { validateManifest } from './manifest';
import { CLASSIFIER_SCHEMA, CLASSIFIER_VERSION, type ClassifierManifest, type ExampleRow, type ModelIdentity, type SavedClassifier } from './types';

export interface SaveClassifierInput {
  readonly report: StcReport;
  readonly model: ResolvedModel;
  readonly config: ModelConfig;
  /** Tokens per text the features were extracted with. */
  readonly maxLength: number;
  /** Default: the folder's name without `.stc`. */
  readonly name?: string;
  /** At least the rows cited by report.neuronStats; only those are saved. */
  readonly examples: readonly ExampleRow[];
}

export function modelIdentity(model: ResolvedModel, config: ModelConfig): ModelIdentity {
  return {
    source: model.source,
    id: model.id,
    onnxFile: path.relative(model.folder, model.onnxFile).split(path.sep).join('/'),
    files: model.files,
    sha256: model.sha256,
    numLayers: config.numLayers,
    hiddenSize: config.hiddenSize,
    intermediateSize: config.intermediateSize,
    decoder: config.decoder,
  };
}

/** A folder may be replaced only when it is a classifier (or empty): `--out ~/Documents` must not
 *  delete a user's folder. */
async function checkReplaceable(dir: string): Promise<void> {
  const info = await fs.stat(dir).catch(() => undefined);
  if (!info) return;
  if (!info.isDirectory()) throw new ArtifactError('not-a-classifier', dir, 'is a file, not a classifier folder; choose another output path.');
  const entries = await fs.readdir(dir);
  if (entries.length > 0 && !entries.includes(MANIFEST_FILE)) {
    throw new ArtifactError('not-a-classifier', dir, `exists and is not a classifier folder (no ${MANIFEST_FILE}); it is left untouched. Choose another output path, or delete the folder first.`);
  }
}

export async function saveClassifier(dir: string, input: SaveClassifierInput, hooks?: AtomicWriteHooks): Promise<SavedClassifier> {
  const target = path.resolve(dir);
  await checkReplaceable(target);
  const { report } = input;
  const examples = examplesToSave(report, input.examples, target);
  const reportJson = JSON.stringify(report);
  const examplesJson = serialiseExamples(examples);
  const manifest: ClassifierManifest = {
    schema: CLASSIFIER_SCHEMA,
    version: CLASSIFIER_VERSION,
    name: input.name ?? path.basename(target, CLASSIFIER_SUFFIX),
    createdAt: new Date().toISOString(),
    model: modelIdentity(input.model, input.config),
    tokenizer: { maxLength: input.maxLength, truncation: 'end', addSpecialTokens: true },
    labels: report.data.classes,
    k: report.ensemble.k,
    classifier: report.classifier,
    metrics: { metric: report.settings.metric, validation: report.ensemble.valScore, ...(report.test ? { test: report.test } : {}) },
    files: { report: sha256Hex(reportJson), examples: sha256Hex(examplesJson) },
  };
  const manifestJson = `${JSON.stringify(manifest, null, 2)}\n`;
  // What is written is what loading will see (JSON has no NaN or undefined).
  const saved = validateManifest(JSON.parse(manifestJson), path.join(target, MANIFEST_FILE));
  try {
    await writeFolderAtomically(
      target,
      async (tmp) => {
        await writeDurable(path.join(tmp, REPORT_FILE), reportJson);
        await writeDurable(path.join(tmp, EXAMPLES_FILE), examplesJson);
        await writeDurable(path.join(tmp, MANIFEST_FILE), manifestJson);
      },
      hooks,
    );
  } catch (e) {
    throw new ArtifactError(
      'save-failed',
      target,
      `the classifier cannot be written (${(e as Error).message}); any previous classifier there is unchanged. Check that the folder is writable and the disk has space.`,
      { cause: e },
    );
  }
  return { dir: target, manifest: saved, report: JSON.parse(reportJson) as StcReport, examples: new Map(examples.map((e) => [e.row, e])) };
}
