// The PyTorch reference values written by scripts/models/export_all.py, and the model folders they
// belong to: every fixture under test/fixtures/models and the embedded default model.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { loadOrt } from '../../src/core/model/runtime';

const ROOT = path.resolve(__dirname, '../..');
export const FIXTURES_DIR = path.join(ROOT, 'test/fixtures/models');
export const REFERENCE_DIR = path.join(ROOT, 'test/fixtures/reference');
export const DEFAULT_MODEL_NAME = 'all-MiniLM-L6-v2';
export const DEFAULT_MODEL_DIR = path.join(ROOT, 'models', DEFAULT_MODEL_NAME);

export interface ReferenceInputs {
  readonly input_ids: number[][];
  readonly attention_mask: number[][];
  readonly token_type_ids?: number[][];
}

export interface Reference {
  readonly model: string;
  readonly model_type: string;
  readonly decoder: boolean;
  readonly single_token: 'first' | 'last';
  readonly num_layers: number;
  readonly hidden_size: number;
  readonly intermediate_size: number;
  readonly texts: string[];
  readonly inputs: ReferenceInputs;
  /** [batch][token][hidden], padding positions included. */
  readonly last_hidden_state: number[][][];
  /** "L{l}.{hid|act}.{mean|max|single}" -> [batch][dim]. */
  readonly features: Record<string, number[][]>;
}

export interface LogitsReference {
  readonly model: string;
  readonly graph: string;
  /** [batch][vocab] at each text's last real token. */
  readonly last_token_logits: number[][];
}

export interface TruncationReference {
  readonly max_length: number;
  readonly texts: string[];
  readonly input_ids: Record<string, number[][]>;
}

export function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

export function readReference(name: string): Reference {
  return readJson<Reference>(path.join(REFERENCE_DIR, `${name}.json`));
}

/** Every model folder with a reference: [name, folder]. */
export function referencedModels(): [string, string][] {
  const fixtures = fs
    .readdirSync(FIXTURES_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry): [string, string] => [entry.name, path.join(FIXTURES_DIR, entry.name)]);
  return [...fixtures, [DEFAULT_MODEL_NAME, DEFAULT_MODEL_DIR]];
}

export function realLength(mask: readonly number[]): number {
  return mask.filter((m) => m === 1).length;
}

/** Feeds for a graph from the reference batch: position ids 0..n-1 (rows are right-padded), empty
 *  past key/values and the merged decoder's no-cache branch. */
export async function referenceFeeds(session: InferenceSession, inputs: ReferenceInputs): Promise<Record<string, Tensor>> {
  const ort = await loadOrt();
  const batch = inputs.input_ids.length;
  const length = inputs.input_ids[0]?.length ?? 0;
  const int64 = (rows: number[][]) => new ort.Tensor('int64', BigInt64Array.from(rows.flat(), (v) => BigInt(v)), [batch, length]);
  const feeds: Record<string, Tensor> = {};
  for (const meta of session.inputMetadata) {
    const name = meta.name;
    if (name === 'input_ids' || name === 'attention_mask' || name === 'token_type_ids') {
      const rows = inputs[name];
      if (!rows) throw new Error(`The graph takes ${name} but the reference has none.`);
      feeds[name] = int64(rows);
    } else if (name === 'position_ids') {
      feeds[name] = int64(inputs.input_ids.map((row) => row.map((_, t) => t)));
    } else if (name.startsWith('past_key_values.') && meta.isTensor) {
      const [, heads, , headDim] = meta.shape;
      if (typeof heads !== 'number' || typeof headDim !== 'number') throw new Error(`${name}: expected fixed head dimensions, got [${meta.shape.join(', ')}].`);
      feeds[name] = new ort.Tensor('float32', new Float32Array(0), [batch, heads, 0, headDim]);
    } else if (name === 'use_cache_branch') {
      feeds[name] = new ort.Tensor('bool', [false], [1]);
    } else {
      throw new Error(`Graph input ${name} has no value in the reference batch.`);
    }
  }
  return feeds;
}
