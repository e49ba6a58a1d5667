// Small trained classifiers for the artifact tests: trainStc on synthetic features, saved against
// the fixture BERT (3 blocks, hidden 32, FFN 64), so the base-model checks run on real files.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ExampleRow, SaveClassifierInput } from '../../src/core/artifact';
import { resolveModel, type ResolvedModel } from '../../src/core/model/resolve';
import { readModelConfig } from '../../src/core/onnx';
import { trainStc, type StcReport } from '../../src/core/stc';
import { syntheticInput } from '../stc/synthetic';

export const BERT = path.join(__dirname, '../fixtures/models/bert');

export function tempDir(t: { after: (fn: () => void) => void }, prefix = 'stc-artifact-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface Trained {
  readonly report: StcReport;
  readonly examples: ExampleRow[];
}

/** `classes` 2 gives a one-output (sigmoid) classifier, 3 a softmax one. */
export async function trainSynthetic(classes: 2 | 3): Promise<Trained> {
  const input = syntheticInput({
    numLayers: 3,
    hidDim: 8,
    actDim: 12,
    rows: { train: 90, dev: 45, test: 45 },
    classWeights: classes === 2 ? [1, 1] : [1, 1, 1],
    plants: [
      { block: 'L1.act.mean', index: 3, klass: 1, strength: 2 },
      { block: 'L2.hid.max', index: 5, klass: classes - 1, strength: 2 },
    ],
  });
  const report = await trainStc(input, { threads: 1, space: 'paper', etaGrid: [0.1, 0.5] });
  const examples = Array.from(input.y, (k, row) => ({ row, text: `text of row ${row} ✓`, label: input.classes[k] as string }));
  return { report, examples };
}

let bert: ResolvedModel | undefined;

export async function inputFor(trained: Trained, overrides: Partial<SaveClassifierInput> = {}): Promise<SaveClassifierInput> {
  bert ??= await resolveModel(BERT);
  return { report: trained.report, model: bert, config: readModelConfig(BERT), maxLength: 64, examples: trained.examples, ...overrides };
}
