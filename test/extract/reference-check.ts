// End-to-end check of extraction against the PyTorch reference values of a fixture model
// (scripts/models/reference.py): the tapped graph, the session, batching, padding and the store
// together must reproduce every (kind, layer, pooling) block.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { extractFeatures, type ExtractFeaturesResult } from '../../src/core/extract';
import { readBlock } from '../../src/core/extract/store';
import type { TokenEncoder } from '../../src/core/extract/types';
import { resolveModel } from '../../src/core/model/resolve';
import { allBlocks, parseBlockName } from '../../src/core/neurons';

export interface Reference {
  readonly texts: string[];
  readonly num_layers: number;
  readonly inputs: { input_ids: number[][]; attention_mask: number[][]; token_type_ids?: number[][] };
  readonly features: Record<string, number[][]>;
}

/** The reference's own token ids (padding removed), so the check isolates the graph and the runner. */
export function referenceEncoder(ref: Reference): TokenEncoder {
  const rowOf = new Map(ref.texts.map((t, i) => [t, i]));
  const real = (matrix: number[][] | undefined, row: number) => (matrix?.[row] ?? []).filter((_, t) => ref.inputs.attention_mask[row]?.[t] === 1);
  return {
    encode: (texts) => {
      const rows = texts.map((t) => rowOf.get(t) ?? -1);
      return { ids: rows.map((r) => real(ref.inputs.input_ids, r)), typeIds: ref.inputs.token_type_ids && rows.map((r) => real(ref.inputs.token_type_ids, r)) };
    },
  };
}

export interface ReferenceCheck {
  readonly result: ExtractFeaturesResult;
  /** Largest |ours - reference| per block. */
  readonly maxAbsDiff: Record<string, number>;
  /** Smallest cosine similarity of a row vector with its reference, per block. */
  readonly minCosine: Record<string, number>;
}

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? NaN;
    const y = b[i] ?? NaN;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 && nb === 0 ? 1 : dot / Math.sqrt(na * nb);
}

/** `onnxFile`: which graph of the folder (e.g. onnx/decoder_model_merged.onnx); default: resolution's choice. */
export async function checkAgainstReference(modelFolder: string, referenceFile: string, onnxFile?: string): Promise<ReferenceCheck> {
  const ref = JSON.parse(fs.readFileSync(referenceFile, 'utf8')) as Reference;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'stc-e2e-'));
  try {
    const model = await resolveModel(modelFolder, { onnxFile });
    const result = await extractFeatures({
      model,
      encoder: referenceEncoder(ref),
      texts: ref.texts,
      blocks: allBlocks(ref.num_layers),
      storeRoot: path.join(work, 'features'),
      graphCacheDir: path.join(work, 'graphs'),
      session: { provider: 'cpu' },
      // Small batches, so rows of different lengths are padded together, in several batches.
      limits: { tokenBudget: 24, maxBatchSize: 2 },
    });
    const maxAbsDiff: Record<string, number> = {};
    const minCosine: Record<string, number> = {};
    for (const [name, expected] of Object.entries(ref.features)) {
      parseBlockName(name);
      const m = readBlock(result.store, name);
      let worst = 0;
      let leastCosine = 1;
      expected.forEach((row, r) => {
        const ours = m.data.subarray(r * m.cols, (r + 1) * m.cols);
        if (ours.length !== row.length) worst = Infinity;
        row.forEach((v, c) => {
          const d = Math.abs((ours[c] ?? NaN) - v);
          worst = Number.isNaN(d) ? Infinity : Math.max(worst, d);
        });
        leastCosine = Math.min(leastCosine, cosine(ours, row));
      });
      maxAbsDiff[name] = worst;
      minCosine[name] = leastCosine;
    }
    return { result, maxAbsDiff, minCosine };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
