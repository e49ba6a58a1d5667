// Loading refuses every damaged, tampered, inconsistent or newer-format classifier with an
// ArtifactError naming the code, the file and the field; a newer minor with unknown fields loads.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { ArtifactError, loadClassifier, saveClassifier, type SavedClassifier } from '../../src/core/artifact';
import { sha256Hex } from '../../src/core/artifact/hash';
import { inputFor, tempDir, trainSynthetic } from './classifiers';

// The saved JSON as the edits below see it (loosely typed: they write invalid values on purpose).
interface NeuronJson { name: unknown; kind: unknown; layer: number; pooling: string; index: number; scale: unknown; weights: unknown[]; note?: string }
interface ManifestJson {
  schema: string;
  version: string;
  labels: unknown[];
  k: number;
  model: { numLayers: number; sha256?: string; quantised?: boolean };
  tokenizer: { maxLength?: number };
  classifier: { neurons: NeuronJson[]; intercepts: number[]; outputs: number };
  files: { report: string; examples: string };
  calibration?: unknown;
}
interface ReportJson { version: number; data: { classes: string[] }; ensemble: { k: number } }
interface ExamplesJson { examples: { row: number; text: string; label: string }[] }

const read = <T>(file: string): T => JSON.parse(fs.readFileSync(file, 'utf8')) as T;
const neuron0 = (m: ManifestJson): NeuronJson => m.classifier.neurons[0] as NeuronJson;
const write = (file: string, value: unknown) => fs.writeFileSync(file, JSON.stringify(value));

/** Edits a file beside the manifest and records its new hash, as a careful tamperer would. */
function rewriteHashed<T>(dir: string, name: 'report' | 'examples', edit: (j: T) => void): void {
  const file = path.join(dir, `${name}.json`);
  const j = read<T>(file);
  edit(j);
  const text = JSON.stringify(j);
  fs.writeFileSync(file, text);
  const manifest = read<ManifestJson>(path.join(dir, 'manifest.json'));
  manifest.files[name] = sha256Hex(text);
  write(path.join(dir, 'manifest.json'), manifest);
}

function editManifest(dir: string, edit: (m: ManifestJson) => void): void {
  const file = path.join(dir, 'manifest.json');
  const m = read<ManifestJson>(file);
  edit(m);
  write(file, m);
}

async function refused(dir: string, code: string, file: string, message: RegExp): Promise<void> {
  await assert.rejects(loadClassifier(dir), (e: unknown) => {
    assert.ok(e instanceof ArtifactError, String(e));
    assert.equal(e.code, code, e.message);
    assert.equal(e.path, file === '' ? dir : path.join(dir, file));
    assert.match(e.message, message);
    return true;
  });
}

describe('loading a bad classifier', async () => {
  const binary = await trainSynthetic(2);
  const multi = await trainSynthetic(3);
  let counter = 0;

  async function fresh(t: Parameters<typeof tempDir>[0], trained = binary): Promise<{ dir: string; saved: SavedClassifier }> {
    const dir = path.join(tempDir(t), `c${counter++}.stc`);
    return { dir, saved: await saveClassifier(dir, await inputFor(trained)) };
  }

  test('a missing folder, or a file instead of a folder', async (t) => {
    const root = tempDir(t);
    await refused(path.join(root, 'nowhere.stc'), 'missing-folder', '', /no such classifier folder.*Check the path/);
    fs.writeFileSync(path.join(root, 'file.stc'), '');
    await refused(path.join(root, 'file.stc'), 'not-a-classifier', '', /is a file/);
  });

  for (const file of ['manifest.json', 'report.json', 'examples.json']) {
    test(`a missing ${file}`, async (t) => {
      const { dir } = await fresh(t);
      fs.rmSync(path.join(dir, file));
      await refused(dir, 'missing-file', file, /missing.*restore it from a copy, or train it again/);
    });
  }

  test('a truncated manifest is invalid JSON', async (t) => {
    const { dir } = await fresh(t);
    const file = path.join(dir, 'manifest.json');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').slice(0, 200));
    await refused(dir, 'invalid-json', 'manifest.json', /not valid JSON.*truncated or damaged/);
  });

  for (const file of ['report.json', 'examples.json']) {
    test(`a truncated or tampered ${file} fails its hash`, async (t) => {
      const { dir } = await fresh(t);
      const full = path.join(dir, file);
      const text = fs.readFileSync(full, 'utf8');
      fs.writeFileSync(full, text.slice(0, text.length - 10));
      await refused(dir, 'hash-mismatch', file, /does not match the sha256 recorded in manifest\.json/);
      fs.writeFileSync(full, text.replace('text of row', 'TEXT OF ROW').replace('"valScore":', '"valScore": '));
      await refused(dir, 'hash-mismatch', file, /changed, truncated or damaged/);
    });
  }

  test('another schema is not a classifier', async (t) => {
    const { dir } = await fresh(t);
    editManifest(dir, (m) => (m.schema = 'stc-report'));
    await refused(dir, 'not-a-classifier', 'manifest.json', /not an STC classifier manifest/);
  });

  test('a newer major version is refused with a message to upgrade', async (t) => {
    const { dir } = await fresh(t);
    editManifest(dir, (m) => {
      m.version = '2.0';
      (m as { classifier: unknown }).classifier = 'in a format this version does not know';
    });
    await refused(dir, 'newer-version', 'manifest.json', /format 2\.0, newer than this STC Lens reads \(1\.0\)\. Upgrade STC Lens/);
  });

  test('a newer minor version with unknown fields loads, the unknown fields ignored', async (t) => {
    const { dir, saved } = await fresh(t);
    editManifest(dir, (m) => {
      m.version = '1.7';
      m.calibration = { temperature: 1.3 };
      m.model.quantised = false;
      neuron0(m).note = 'added by 1.7';
    });
    const loaded = await loadClassifier(dir);
    assert.equal(loaded.manifest.version, '1.7');
    assert.deepEqual(loaded.report, saved.report);
    assert.deepEqual(loaded.manifest.labels, saved.manifest.labels);
  });

  const manifestCases: [string, (m: ManifestJson) => void, RegExp][] = [
    ['an unparseable version', (m) => (m.version = 'one'), /version is "one", expected MAJOR\.MINOR/],
    ['a weight too many', (m) => neuron0(m).weights.push(0.5), /classifier\.neurons\[0\]\.weights has 2 values, expected 1/],
    ['a non-finite weight (NaN saved as null)', (m) => (neuron0(m).weights[0] = null), /classifier\.neurons\[0\]\.weights\[0\] is null, expected a finite number/],
    ['outputs for two labels other than 1', (m) => (m.classifier.outputs = 2), /classifier\.outputs is 2, expected a whole number in 1\.\.1/],
    ['an intercept too many', (m) => m.classifier.intercepts.push(0), /classifier\.intercepts has 2 values, expected 1/],
    ['repeated labels', (m) => (m.labels = [m.labels[0], m.labels[0]]), /labels names "class0" twice/],
    ['k beyond the model', (m) => (m.k = m.model.numLayers + 1), /k is 4, expected a whole number in 1\.\.3/],
    ['k of 0', (m) => (m.k = 0), /k is 0/],
    ['a neuron name that does not match its fields', (m) => (neuron0(m).name = 'L0.hid.mean#0'), /classifier\.neurons\[0\]\.name is "L0\.hid\.mean#0", expected "L\d\.(hid|act)\.\w+#\d+"/],
    ['a malformed neuron name', (m) => (neuron0(m).name = 'layer1 neuron3'), /classifier\.neurons\[0\]\.name is "layer1 neuron3"/],
    ['an index beyond the layer width', (m) => Object.assign(neuron0(m), { index: 999 }), /classifier\.neurons\[0\]\.index is 999, expected a whole number in 0\.\.(31|63)/],
    ['an unknown kind', (m) => (neuron0(m).kind = 'mlp'), /classifier\.neurons\[0\]\.kind is "mlp", expected "hid" or "act"/],
    ['a zero scale', (m) => (neuron0(m).scale = 0), /classifier\.neurons\[0\]\.scale is 0, expected a positive number/],
    ['a missing model hash', (m) => delete m.model.sha256, /model\.sha256 is missing, expected a string/],
    ['a file hash that is not a digest', (m) => (m.files.report = 'abc'), /files\.report is not a sha256 hex digest/],
    ['a missing tokenizer length', (m) => delete m.tokenizer.maxLength, /tokenizer\.maxLength is missing/],
  ];
  for (const [what, edit, message] of manifestCases) {
    test(`manifest: ${what}`, async (t) => {
      const { dir } = await fresh(t);
      editManifest(dir, edit);
      await refused(dir, 'invalid-manifest', 'manifest.json', new RegExp(`${message.source}.*restore the classifier from a copy, or train it again`));
    });
  }

  test('manifest: neuron layers must be within k (act 0..k-1, hid 0..k)', async (t) => {
    const { dir, saved } = await fresh(t);
    const k = saved.manifest.k;
    for (const [kind, layer] of [['act', k], ['hid', k + 1]] as const) {
      editManifest(dir, (m) => Object.assign(neuron0(m), { kind, layer, name: `L${layer}.${kind}.${neuron0(m).pooling}#${neuron0(m).index}` }));
      await refused(dir, 'invalid-manifest', 'manifest.json', new RegExp(`classifier\\.neurons\\[0\\]\\.layer is ${layer}, expected a whole number in 0\\.\\.${kind === 'act' ? k - 1 : k}`));
    }
  });

  test('manifest: three labels need one weight and one intercept per label', async (t) => {
    const { dir } = await fresh(t, multi);
    editManifest(dir, (m) => neuron0(m).weights.pop());
    await refused(dir, 'invalid-manifest', 'manifest.json', /classifier\.neurons\[0\]\.weights has 2 values, expected 3 \(one per output/);
  });

  test('a report written before the refit (no finalFit, no settings.refit) loads as a train-only fit', async (t) => {
    const { dir, saved } = await fresh(t);
    rewriteHashed<Record<string, unknown>>(dir, 'report', (r) => {
      delete r.finalFit;
      delete (r.settings as Record<string, unknown>).refit;
    });
    const { report } = await loadClassifier(dir);
    assert.equal(report.settings.refit, false);
    assert.deepEqual(report.finalFit, { on: 'train', rows: saved.report.data.rows.train, support: saved.report.chosen.support, converged: saved.report.chosen.converged });
  });

  test('a version 1 report (no ensemble) loads as the single chosen configuration', async (t) => {
    const { dir } = await fresh(t);
    rewriteHashed<Record<string, unknown>>(dir, 'report', (r) => {
      const chosen = r.chosen as Record<string, unknown>;
      chosen.k = (r.ensemble as { k: number }).k;
      delete r.ensemble;
      delete (r.settings as Record<string, unknown>).ensemble;
      r.version = 1;
    });
    const { report } = await loadClassifier(dir);
    assert.equal(report.settings.ensemble, 1);
    assert.deepEqual(report.ensemble, { members: [report.chosen], k: report.chosen.k, valScore: report.chosen.valScore });
  });

  test('a manifest classifier that differs from the report (edited weights)', async (t) => {
    const { dir } = await fresh(t);
    editManifest(dir, (m) => (neuron0(m).weights[0] = (neuron0(m).weights[0] as number) + 1));
    await refused(dir, 'invalid-report', 'report.json', /classifier differs from the classifier in manifest\.json/);
  });

  test('a report with other labels, another k, or a newer version', async (t) => {
    const { dir } = await fresh(t);
    rewriteHashed<ReportJson>(dir, 'report', (r) => (r.data.classes = ['neg', 'pos']));
    await refused(dir, 'invalid-report', 'report.json', /data\.classes is \["neg","pos"\], but manifest\.json has the labels \["class0","class1"\]/);
    rewriteHashed<ReportJson>(dir, 'report', (r) => {
      r.data.classes = ['class0', 'class1'];
      r.ensemble.k += 1;
    });
    await refused(dir, 'invalid-report', 'report.json', /ensemble\.k is \d, but manifest\.json has k = \d/);
    rewriteHashed<ReportJson>(dir, 'report', (r) => (r.version = 3));
    await refused(dir, 'newer-version', 'report.json', /Upgrade STC Lens/);
  });

  test('examples without a cited row, or with an unknown label', async (t) => {
    const { dir, saved } = await fresh(t);
    const first = [...saved.examples.keys()][0] as number;
    rewriteHashed<ExamplesJson>(dir, 'examples', (j) => (j.examples = j.examples.slice(1)));
    await refused(dir, 'invalid-examples', 'examples.json', new RegExp(`examples lacks row\\(s\\) ${first}\\b`));
    rewriteHashed<ExamplesJson>(dir, 'examples', (j) => (j.examples = [{ row: first, text: 'x', label: 'maybe' }]));
    await refused(dir, 'invalid-examples', 'examples.json', /examples\[0\]\.label is "maybe", expected "class0" or "class1"/);
  });
});
