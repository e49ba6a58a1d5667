// Shared by the onnx tests: fixture paths, reference values, feeding and running a tapped graph.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as Ort from 'onnxruntime-node';
import { loadOrt } from '../../src/core/model/runtime';
import { blockName } from '../../src/core/neurons';
import type { GraphInput, TappedGraph } from '../../src/core/onnx';

export const ROOT = path.resolve(__dirname, '../..');
export const FIXTURES = path.join(ROOT, 'test/fixtures/models');
export const REFERENCES = path.join(ROOT, 'test/fixtures/reference');
export const VARIANTS = path.join(ROOT, 'test/fixtures/onnx');

export interface Reference {
  num_layers: number;
  hidden_size: number;
  intermediate_size: number;
  single_token: 'first' | 'last';
  inputs: Record<string, number[][]>;
  features: Record<string, number[][]>;
}

export function readReference(name: string): Reference | undefined {
  const file = path.join(REFERENCES, `${name}.json`);
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Reference) : undefined;
}

export function tempCacheDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'stc-onnx-test-'));
}

function intTensor(ort: typeof Ort, dtype: string, rows: number[][]): Ort.Tensor {
  const dims = [rows.length, rows[0]?.length ?? 0];
  const flat = rows.flat();
  if (dtype === 'int32') return new ort.Tensor('int32', Int32Array.from(flat), dims);
  return new ort.Tensor('int64', BigInt64Array.from(flat.map((v) => BigInt(v))), dims);
}

/** Feeds for a tapped graph: token inputs from the reference batch, an empty past, no cache branch. */
export function feeds(ort: typeof Ort, inputs: readonly GraphInput[], batch: Record<string, number[][]>): Record<string, Ort.Tensor> {
  const ids = batch.input_ids as number[][];
  const out: Record<string, Ort.Tensor> = {};
  for (const input of inputs) {
    switch (input.role) {
      case 'input_ids':
      case 'attention_mask':
      case 'token_type_ids':
      case 'position_ids': {
        const fallback = input.role === 'position_ids' ? ids.map((r) => r.map((_, j) => j)) : input.role === 'attention_mask' ? ids.map((r) => r.map(() => 1)) : ids.map((r) => r.map(() => 0));
        out[input.name] = intTensor(ort, input.dtype, batch[input.role] ?? fallback);
        break;
      }
      case 'past_key_values': {
        const dims = input.shape.map((d, i) => (i === 0 ? ids.length : typeof d === 'number' ? d : 0));
        out[input.name] = input.dtype === 'float16' ? new ort.Tensor('float16', new Uint16Array(0), dims) : new ort.Tensor('float32', new Float32Array(0), dims);
        break;
      }
      case 'use_cache_branch':
        out[input.name] = new ort.Tensor('bool', [false], [1]);
        break;
    }
  }
  return out;
}

/** Runs the tapped graph on the batch; returns each block's [batch][dim] rows by block name. */
export async function runTapped(tapped: TappedGraph, batch: Record<string, number[][]>): Promise<Map<string, number[][]>> {
  const ort = await loadOrt();
  const session = await ort.InferenceSession.create(tapped.modelPath);
  try {
    const results = await session.run(feeds(ort, tapped.inputs, batch), tapped.outputs.map((o) => o.name));
    const out = new Map<string, number[][]>();
    for (const o of tapped.outputs) {
      const t = results[o.name] as Ort.Tensor;
      const data = t.data as Float32Array;
      if (t.type !== 'float32' || t.dims.length !== 2 || t.dims[1] !== o.dim) throw new Error(`${o.name}: got ${t.type} [${t.dims.join(', ')}], expected float32 [batch, ${o.dim}]`);
      const rows: number[][] = [];
      for (let b = 0; b < (t.dims[0] as number); b++) rows.push(Array.from(data.subarray(b * o.dim, (b + 1) * o.dim)));
      out.set(blockName(o.block), rows);
    }
    return out;
  } finally {
    await session.release();
  }
}

export function maxAbsDiff(a: number[][], b: number[][]): number {
  let m = 0;
  a.forEach((row, i) => row.forEach((v, j) => (m = Math.max(m, Math.abs(v - (b[i]?.[j] ?? Number.NaN))))));
  return Number.isNaN(m) ? Infinity : m;
}

/** Cosine similarity of each row pair. */
export function rowCosines(a: number[][], b: number[][]): number[] {
  return a.map((row, i) => {
    const other = b[i] ?? [];
    let dot = 0;
    let na = 0;
    let nb = 0;
    row.forEach((v, j) => {
      const w = other[j] ?? 0;
      dot += v * w;
      na += v * v;
      nb += w * w;
    });
    return dot / Math.sqrt(na * nb);
  });
}
