// A synthetic feature source with planted signal, for the pipeline tests: every block is seeded
// noise except the planted neurons, which carry the label (plus noise).
import type { DenseMatrix } from '../../src/core/learn/matrix';
import { blockName, type FeatureBlock } from '../../src/core/neurons';
import { mulberry32 } from '../../src/core/random';
import type { FeatureSource, SplitRows, StcInput } from '../../src/core/stc';

export function gaussian(seed: number): () => number {
  const rand = mulberry32(seed);
  return () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

function seedOf(name: string): number {
  let h = 2166136261;
  for (const ch of name) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return h >>> 0;
}

/** A neuron that carries class `klass`'s signal with strength `strength` (its value moves by
 *  strength for rows of that class). */
export interface Plant {
  readonly block: string;
  readonly index: number;
  readonly klass: number;
  readonly strength: number;
}

export interface SyntheticOptions {
  readonly numLayers?: number;
  readonly hidDim?: number;
  readonly actDim?: number;
  readonly rows?: { train: number; dev: number; test: number };
  /** Rows of each class, as weights (default equal). */
  readonly classWeights?: readonly number[];
  readonly plants?: readonly Plant[];
  readonly seed?: number;
  /** Changes a block's values after generation (to inject constants, NaN, ...). */
  readonly edit?: (block: string, X: DenseMatrix) => void;
}

export interface Synthetic extends StcInput {
  /** Blocks actually read, in order (to check that nothing reads all blocks at once). */
  readonly reads: string[];
}

export const DEFAULT_PLANTS: readonly Plant[] = [
  { block: 'L2.act.mean', index: 3, klass: 1, strength: 1.6 },
  { block: 'L4.act.mean', index: 7, klass: 1, strength: 1.6 },
];

export function syntheticInput(o: SyntheticOptions = {}): Synthetic {
  const L = o.numLayers ?? 6;
  const rowsPer = o.rows ?? { train: 240, dev: 120, test: 120 };
  const n = rowsPer.train + rowsPer.dev + rowsPer.test;
  const weights = o.classWeights ?? [1, 1];
  const K = weights.length;
  const plants = o.plants ?? DEFAULT_PLANTS;
  const seed = o.seed ?? 7;
  const rand = mulberry32(seed);
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const y = Int32Array.from({ length: n }, () => {
    let u = rand() * totalWeight;
    for (let k = 0; k < K; k++) {
      u -= weights[k] as number;
      if (u < 0) return k;
    }
    return K - 1;
  });
  // Rows interleaved over splits, as a shuffled dataset would be.
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const splits: SplitRows = {
    train: order.filter((i) => i % n < rowsPer.train),
    dev: order.filter((i) => i >= rowsPer.train && i < rowsPer.train + rowsPer.dev),
    test: order.filter((i) => i >= rowsPer.train + rowsPer.dev),
  };
  const reads: string[] = [];
  const source: FeatureSource = {
    numLayers: L,
    read(block: FeatureBlock): DenseMatrix {
      const name = blockName(block);
      reads.push(name);
      const cols = block.kind === 'hid' ? (o.hidDim ?? 6) : (o.actDim ?? 12);
      const g = gaussian(seedOf(`${seed}:${name}`));
      const data = new Float32Array(n * cols);
      for (let i = 0; i < n * cols; i++) data[i] = g();
      for (const p of plants) {
        if (p.block !== name) continue;
        for (let i = 0; i < n; i++) if (y[i] === p.klass) data[i * cols + p.index] = (data[i * cols + p.index] as number) + p.strength;
      }
      const X = { rows: n, cols, data };
      o.edit?.(name, X);
      return X;
    },
  };
  return { source, splits, y, classes: Array.from({ length: K }, (_, k) => `class${k}`), reads, model: { id: 'synthetic' } };
}
