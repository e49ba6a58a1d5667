// Shared by the inference tests: a hand-made saved classifier over a fixture model, and the
// reference path it must agree with (extractFeatures, then applyClassifier on the stored blocks).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { modelIdentity, type SavedClassifier } from '../../src/core/artifact';
import { extractFeatures } from '../../src/core/extract';
import { readBlock } from '../../src/core/extract/store';
import { resolveModel, type ResolvedModel } from '../../src/core/model/resolve';
import { blockName, neuronName, parseNeuronName, type FeatureBlock } from '../../src/core/neurons';
import { readModelConfig } from '../../src/core/onnx';
import { applyClassifier, type FeatureSource, type StcClassifier, type StcNeuron } from '../../src/core/stc';
import { inMemorySavedClassifier } from '../helpers/saved-classifier';

export const ROOT = path.resolve(__dirname, '../..');
export const FIXTURES = path.join(ROOT, 'test/fixtures/models');
export const VARIANTS = path.join(ROOT, 'test/fixtures/onnx');

export function tempDir(prefix = 'stc-infer-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Texts of every kind the runtime must handle: short, long (cut at maxLength), empty, emoji. */
export const TEXTS = [
  'a fine film',
  'the plot is dull and the jokes fall flat , which is a shame because the cast tries hard to save every single scene of it',
  '',
  'not bad 😀',
  'it is ok',
];
export const MAX_LENGTH = 12;

export interface FixtureClassifier {
  readonly saved: SavedClassifier;
  readonly model: ResolvedModel;
  /** Pooled value of every classifier neuron per text, through extraction: [text][neuron]. */
  readonly reference: number[][];
  /** Class probabilities per text through applyClassifier on the extracted blocks, row-major. */
  readonly referenceProba: Float64Array;
}

/**
 * A classifier over `neuronNames` of the model in `folder`: standardisation fitted on the extracted
 * values of TEXTS (so the standardised values are of order 1) and fixed weights of both signs.
 */
export async function fixtureClassifier(folder: string, neuronNames: readonly string[], opts: { onnxFile?: string; labels?: string[]; workDir: string }): Promise<FixtureClassifier> {
  const fixture = path.basename(folder);
  const model = await resolveModel(folder, { onnxFile: opts.onnxFile });
  const config = readModelConfig(folder);
  const labels = opts.labels ?? ['negative', 'positive'];
  const outputs = labels.length === 2 ? 1 : labels.length;
  const parsed = neuronNames.map(parseNeuronName);
  const blocks = [...new Map<string, FeatureBlock>(parsed.map((n) => [blockName(n), { kind: n.kind, layer: n.layer, pooling: n.pooling }])).values()];
  const { store } = await extractFeatures({ model, texts: TEXTS, blocks, storeRoot: path.join(opts.workDir, 'store'), graphCacheDir: path.join(opts.workDir, 'graphs'), maxLength: MAX_LENGTH });
  const source: Pick<FeatureSource, 'read'> = { read: (b) => readBlock(store, blockName(b)) };
  const reference = TEXTS.map((_, row) => parsed.map((n) => {
    const m = source.read(n);
    return m.data[row * m.cols + n.index] as number;
  }));
  const neurons: StcNeuron[] = parsed.map((n, j) => {
    const column = reference.map((r) => r[j] as number);
    const mean = column.reduce((a, b) => a + b, 0) / column.length;
    const sd = Math.sqrt(column.reduce((a, b) => a + (b - mean) ** 2, 0) / column.length);
    const weights = Array.from({ length: outputs }, (_, k) => ((j + k) % 2 === 0 ? 1 : -1) * (0.5 + 0.25 * ((j + 2 * k) % 3)));
    return { name: neuronName(n), ...n, mean, scale: sd > 0 ? sd : 1, weights, importance: weights.reduce((s, w) => s + w * w, 0) };
  });
  const classifier: StcClassifier = { neurons, intercepts: Array.from({ length: outputs }, (_, k) => 0.1 * (k + 1)), outputs, nClasses: labels.length };
  const saved = inMemorySavedClassifier({
    dir: path.join(opts.workDir, `${fixture}.stc`),
    name: fixture,
    model: modelIdentity(model, config),
    classifier,
    labels,
    maxLength: MAX_LENGTH,
  });
  const { proba } = applyClassifier(classifier, source, Int32Array.from(TEXTS, (_, i) => i));
  return { saved, model, reference, referenceProba: proba };
}

/** A model folder for a graph variant of test/fixtures/onnx (config and graph only), with the
 *  tokenizer of the fixture it was made from. */
export function variantFolder(variant: string, fixture: string, workDir: string): string {
  const folder = path.join(workDir, variant);
  fs.cpSync(path.join(VARIANTS, variant), folder, { recursive: true });
  for (const f of fs.readdirSync(path.join(FIXTURES, fixture)).filter((f) => /^(tokenizer|special_tokens_map).*\.json$/.test(f))) {
    fs.copyFileSync(path.join(FIXTURES, fixture, f), path.join(folder, f));
  }
  return folder;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return Number.isNaN(m) ? Infinity : m;
}
