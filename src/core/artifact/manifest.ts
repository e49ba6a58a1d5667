// manifest.json: built from a training run, and validated field by field on load. Validation
// checks everything a consumer relies on without re-checking: the schema and version, the model
// identity, and the classifier's shapes (weights per output, intercepts, neuron names and layers
// within the early-exit point k, indices within the model's widths, finite numbers).
import { KINDS, POOLINGS, neuronName, type Kind, type Pooling } from '../neurons';
import type { StcNeuron } from '../stc';
import { ArtifactError } from './errors';
import { JsonCheck, type Json } from './json-check';
import { CLASSIFIER_SCHEMA, CLASSIFIER_VERSION, type ClassifierManifest, type ModelIdentity } from './types';

const SHA256 = /^[0-9a-f]{64}$/;
const VERSION = /^(\d+)\.(\d+)$/;

export function parseVersion(version: string): { major: number; minor: number } | undefined {
  const m = VERSION.exec(version);
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

const CURRENT = parseVersion(CLASSIFIER_VERSION) as { major: number; minor: number };

/** Outputs of a classifier over `classes` classes: one logit for two classes, else one per class. */
export function outputsFor(classes: number): number {
  return classes === 2 ? 1 : classes;
}

export function validateManifest(raw: unknown, file: string): ClassifierManifest {
  const c = new JsonCheck(file, 'invalid-manifest');
  const m = c.object(raw, 'the manifest');
  if (m.schema !== CLASSIFIER_SCHEMA) {
    throw new ArtifactError('not-a-classifier', file, `schema is ${JSON.stringify(m.schema)}, expected "${CLASSIFIER_SCHEMA}": this is not an STC classifier manifest. Open the .stc folder that STC Lens saved.`);
  }
  const version = parseVersion(c.string(m.version, 'version')) ?? c.fail('version', `is ${JSON.stringify(m.version)}, expected MAJOR.MINOR such as "${CLASSIFIER_VERSION}"`);
  if (version.major > CURRENT.major) {
    throw new ArtifactError(
      'newer-version',
      file,
      `the classifier was saved in format ${m.version as string}, newer than this STC Lens reads (${CLASSIFIER_VERSION}). Upgrade STC Lens to load it.`,
    );
  }
  c.string(m.name, 'name');
  c.string(m.createdAt, 'createdAt');
  const model = checkModel(c, c.object(m.model, 'model'));
  checkTokenizer(c, c.object(m.tokenizer, 'tokenizer'));
  const labels = c.array(m.labels, 'labels').map((l, i) => c.string(l, `labels[${i}]`));
  if (labels.length < 2) c.fail('labels', `has ${labels.length} label(s), expected at least two`);
  const repeated = labels.find((l, i) => labels.indexOf(l) !== i);
  if (repeated !== undefined) c.fail('labels', `names "${repeated}" twice; labels must be distinct`);
  const k = c.integer(m.k, 'k', 1, model.numLayers);
  checkClassifier(c, c.object(m.classifier, 'classifier'), labels.length, k, model);
  const metrics = c.object(m.metrics, 'metrics');
  c.string(metrics.metric, 'metrics.metric');
  c.finite(metrics.validation, 'metrics.validation');
  if (metrics.test !== undefined) c.object(metrics.test, 'metrics.test');
  const files = c.object(m.files, 'files');
  for (const key of ['report', 'examples'] as const) {
    if (!SHA256.test(c.string(files[key], `files.${key}`))) c.fail(`files.${key}`, 'is not a sha256 hex digest');
  }
  return m as unknown as ClassifierManifest;
}

function checkModel(c: JsonCheck, model: Json): ModelIdentity {
  c.oneOf(model.source, 'model.source', ['embedded', 'folder', 'hub'] as const);
  c.string(model.id, 'model.id');
  c.string(model.onnxFile, 'model.onnxFile');
  c.array(model.files, 'model.files').forEach((f, i) => {
    const file = c.object(f, `model.files[${i}]`);
    c.string(file.path, `model.files[${i}].path`);
    c.integer(file.bytes, `model.files[${i}].bytes`, 0);
    if (!SHA256.test(c.string(file.sha256, `model.files[${i}].sha256`))) c.fail(`model.files[${i}].sha256`, 'is not a sha256 hex digest');
  });
  if (!SHA256.test(c.string(model.sha256, 'model.sha256'))) c.fail('model.sha256', 'is not a sha256 hex digest');
  c.integer(model.numLayers, 'model.numLayers', 1);
  c.integer(model.hiddenSize, 'model.hiddenSize', 1);
  c.integer(model.intermediateSize, 'model.intermediateSize', 1);
  c.oneOf(model.decoder, 'model.decoder', [true, false]);
  return model as unknown as ModelIdentity;
}

function checkTokenizer(c: JsonCheck, tokenizer: Json): void {
  c.integer(tokenizer.maxLength, 'tokenizer.maxLength', 1);
  c.oneOf(tokenizer.truncation, 'tokenizer.truncation', ['end'] as const);
  c.oneOf(tokenizer.addSpecialTokens, 'tokenizer.addSpecialTokens', [true] as const);
}

function checkClassifier(c: JsonCheck, classifier: Json, classes: number, k: number, model: ModelIdentity): void {
  const outputs = outputsFor(classes);
  c.integer(classifier.nClasses, 'classifier.nClasses', classes, classes);
  c.integer(classifier.outputs, 'classifier.outputs', outputs, outputs);
  c.numbers(classifier.intercepts, 'classifier.intercepts', outputs, 'one per output');
  const seen = new Set<string>();
  c.array(classifier.neurons, 'classifier.neurons').forEach((value, i) => {
    const at = `classifier.neurons[${i}]`;
    const n = checkNeuron(c, c.object(value, at), at, outputs, k, model);
    if (seen.has(n.name)) c.fail(`${at}.name`, `repeats ${n.name}; each neuron appears once`);
    seen.add(n.name);
  });
}

function checkNeuron(c: JsonCheck, n: Json, at: string, outputs: number, k: number, model: ModelIdentity): StcNeuron {
  const kind: Kind = c.oneOf(n.kind, `${at}.kind`, KINDS);
  const pooling: Pooling = c.oneOf(n.pooling, `${at}.pooling`, POOLINGS);
  // k blocks run: act layers 0..k-1 (inputs of those blocks' FFNs), hid layers 0..k.
  const layer = c.integer(n.layer, `${at}.layer`, 0, kind === 'act' ? k - 1 : k);
  const width = kind === 'act' ? model.intermediateSize : model.hiddenSize;
  const index = c.integer(n.index, `${at}.index`, 0, width - 1);
  const name = neuronName({ kind, layer, pooling, index });
  if (n.name !== name) c.fail(`${at}.name`, `is ${JSON.stringify(n.name)}, expected "${name}" (L{layer}.{kind}.{pooling}#{index} of its fields)`);
  c.finite(n.mean, `${at}.mean`);
  if (c.finite(n.scale, `${at}.scale`) <= 0) c.fail(`${at}.scale`, `is ${n.scale as number}, expected a positive number`);
  c.finite(n.importance, `${at}.importance`);
  c.numbers(n.weights, `${at}.weights`, outputs, 'one per output: 1 for two labels, else one per label');
  return n as unknown as StcNeuron;
}

