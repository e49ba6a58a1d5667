// The inference graph of a trained classifier: the base model cut after the last block its neurons
// live in, outputting only those neurons, pooled ([batch, n]) and per token (one [batch, seq, m]
// output per tapped tensor: a Concat and Gather into one [batch, seq, n] would run on every
// classification too, since onnxruntime runs the whole graph whatever is fetched).
// Each tapped tensor is narrowed to its kept neurons (Gather on the last axis) right after its
// cast to float32, so pooling runs over a few columns instead of thousands; the pooling itself is the
// extraction's (pooling.ts), node for node, which keeps both paths' values equal. Then every node
// and weight the two outputs do not need is pruned (prune.ts). Built graphs are cached on disk.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { blockName, neuronName, type FeatureBlock, type Neuron } from '../neurons';
import { REWRITE_VERSION, externalDataLocations, identityKey, placeRewrittenModel, readCachedEntry, writeAtomic } from './cache';
import type { ModelConfig } from './config';
import { cpuBoundOps } from './cpu-bound';
import { Graph } from './graph';
import { analyseModel, type AnalysedModel } from './index';
import { classifyInputs, type GraphInput } from './inputs';
import { buildPooling, outputName, type GraphFragment, type PoolRequest } from './pooling';
import { pruneToFragment } from './prune';
import { AttributeType, DataType, decodeModel, type NodeProto, type TensorProto, type ValueInfoProto } from './schema';

/** Bump when the early-exit graph or its manifest changes, so stale cache entries are rebuilt
 *  (3: the manifest lists cpuBoundOps; 4: per-token values as one output per tapped tensor). */
export const EARLY_EXIT_VERSION = 4;
const MANIFEST = 'early-exit.json';
export const POOLED_OUTPUT = 'stc/neurons';
const TOKENS_PREFIX = 'stc/neurons/tokens/';

/** Where one neuron's per-token values are: column `column` of the output `output`. */
export interface TokenColumn {
  readonly output: string;
  readonly column: number;
}

export interface EarlyExitOptions {
  readonly modelFile: string;
  readonly config: ModelConfig;
  /** Content identity of the model folder (ResolvedModel.sha256); with the neurons, the cache key. */
  readonly modelSha256: string;
  readonly neurons: readonly Neuron[];
  readonly cacheDir: string;
}

export interface EarlyExitGraph {
  /** Loadable with InferenceSession.create(modelPath). */
  readonly modelPath: string;
  /** What the graph still reads: inputs of pruned blocks (their past key/values) are gone. */
  readonly inputs: GraphInput[];
  /** False without an attention_mask input: rows must then be run unpadded. */
  readonly masked: boolean;
  /** float32 [batch, neurons.length]: each neuron's pooled value, in the order asked. */
  readonly pooled: string;
  /** Each neuron's value on every token, in `neurons` order: a column of a float32
   *  [batch, seq, width] output (one output per tapped tensor). */
  readonly tokens: TokenColumn[];
  /** Neuron names in output order. */
  readonly neurons: string[];
  /** The pruned graph's op types that most GPU providers lack kernels for (CPU_BOUND_OPS in
   *  src/core/model/session.ts): none when only the embeddings are kept. */
  readonly cpuBoundOps: string[];
}

interface CachedEarlyExit extends EarlyExitGraph {
  /** External data files, relative to the model's folder, still referenced after pruning. */
  readonly externalData: string[];
}

function checkNeurons(neurons: readonly Neuron[], config: ModelConfig): void {
  if (neurons.length === 0) throw new Error('the classifier has no neurons: an early-exit graph needs at least one.');
  for (const n of neurons) {
    const maxLayer = n.kind === 'hid' ? config.numLayers : config.numLayers - 1;
    const dim = n.kind === 'hid' ? config.hiddenSize : config.intermediateSize;
    if (!Number.isInteger(n.layer) || n.layer < 0 || n.layer > maxLayer || !Number.isInteger(n.index) || n.index < 0 || n.index >= dim) {
      throw new Error(`${neuronName(n)}: the model has ${config.numLayers} layers of ${dim} ${n.kind} neurons, so ${n.kind} layers run from 0 to ${maxLayer} and indices from 0 to ${dim - 1}. The classifier belongs to another model.`);
    }
  }
}

export function earlyExitKey(o: Pick<EarlyExitOptions, 'config' | 'modelSha256' | 'neurons'>): string {
  const identity = {
    version: EARLY_EXIT_VERSION,
    pooling: REWRITE_VERSION,
    model: o.modelSha256,
    config: [o.config.numLayers, o.config.hiddenSize, o.config.intermediateSize, o.config.decoder],
    neurons: o.neurons.map(neuronName),
  };
  return identityKey(identity);
}

function int64Tensor(name: string, values: readonly number[]): TensorProto {
  const raw = Buffer.alloc(8 * values.length);
  values.forEach((v, i) => raw.writeBigInt64LE(BigInt(v), 8 * i));
  return { name, data_type: DataType.INT64, dims: [values.length], raw_data: raw };
}

function node(opType: string, inputs: string[], output: string, axis?: number, to?: number): NodeProto {
  const attribute = [
    ...(axis === undefined ? [] : [{ name: 'axis', type: AttributeType.INT, i: axis }]),
    ...(to === undefined ? [] : [{ name: 'to', type: AttributeType.INT, i: to }]),
  ];
  return { op_type: opType, name: output, input: inputs, output: [output], attribute };
}

function floatOutput(name: string, dims: ({ dim_param: string } | { dim_value: number })[]): ValueInfoProto {
  return { name, type: { tensor_type: { elem_type: DataType.FLOAT, shape: { dim: dims } } } };
}

const tapId = (n: Neuron) => `${n.kind}${n.layer}`;

/** One tapped tensor (a kind at a layer) narrowed to the neurons read from it. */
interface TapColumns {
  readonly id: string;
  readonly tensor: string;
  /** Distinct neuron indices, in first-use order; column c of the narrowed tensor is indices[c]. */
  readonly indices: number[];
  /** The narrowed tensor, float32 [batch, seq, indices.length]: a graph output (the per-token
   *  values) and the input of the tap's poolings. */
  readonly narrowed: string;
}

/** The graph's added nodes and outputs, and where each neuron's per-token values are in them. */
function earlyExitFragment(a: AnalysedModel, config: ModelConfig, neurons: readonly Neuron[]): { fragment: GraphFragment; tokens: TokenColumn[] } {
  const inputIds = (a.inputs.find((i) => i.role === 'input_ids') as GraphInput).name;
  const mask = a.inputs.find((i) => i.role === 'attention_mask')?.name;
  const nodes: NodeProto[] = [];
  const initializers: TensorProto[] = [];

  const taps = new Map<string, TapColumns>();
  for (const n of neurons) {
    const id = tapId(n);
    let tap = taps.get(id);
    if (!tap) {
      tap = { id, tensor: (n.kind === 'hid' ? a.taps.hid : a.taps.act)[n.layer] as string, indices: [], narrowed: `${TOKENS_PREFIX}${id}` };
      taps.set(id, tap);
    }
    if (!tap.indices.includes(n.index)) tap.indices.push(n.index);
  }
  // Narrow each tap: [.., dim] (tokens possibly flattened into the batch) -> [batch, seq, m].
  const batchSeq = `stc/ee/batch_seq`;
  nodes.push(node('Shape', [inputIds], batchSeq));
  // Deepest tap first, for the execution order reason given in pooling.ts: each narrowing then runs
  // right after its tap and the full-width tensor is not kept alive to the end of the run.
  const byDepth = [...taps.values()].sort((x, y) => a.graph.orderOf(y.tensor) - a.graph.orderOf(x.tensor));
  for (const tap of byDepth) {
    const p = `stc/ee/${tap.id}`;
    initializers.push(int64Tensor(`${p}/indices`, tap.indices), int64Tensor(`${p}/width`, [tap.indices.length]));
    nodes.push(
      // Cast first, as extraction does: onnxruntime computes float16 ops in float32 behind Casts it
      // inserts, and the tap's values depend on which of those Casts meet ours and cancel out.
      node('Cast', [tap.tensor], `${p}/float`, undefined, DataType.FLOAT),
      node('Gather', [`${p}/float`, `${p}/indices`], `${p}/kept`, -1),
      node('Concat', [batchSeq, `${p}/width`], `${p}/shape`, 0),
      node('Reshape', [`${p}/kept`, `${p}/shape`], tap.narrowed),
    );
  }

  // Pool each (kind, layer, pooling) block over its tap's kept columns, exactly as extraction does.
  const blocks = new Map<string, { block: FeatureBlock; tap: TapColumns; offset: number }>();
  let width = 0;
  for (const n of neurons) {
    const name = blockName(n);
    if (blocks.has(name)) continue;
    const tap = taps.get(tapId(n)) as TapColumns;
    blocks.set(name, { block: { kind: n.kind, layer: n.layer, pooling: n.pooling }, tap, offset: width });
    width += tap.indices.length;
  }
  const requests: PoolRequest[] = [...blocks.values()].map((b) => ({ block: b.block, tensor: b.tap.narrowed, dim: b.tap.indices.length, order: a.graph.orderOf(b.tap.tensor) }));
  const pooling = buildPooling(requests, { opset: a.opset, inputIds, attentionMask: mask, singleToken: config.decoder ? 'last' : 'first' });

  // Concatenate, then pick each neuron's column in the order asked.
  const pooledColumns = neurons.map((n) => {
    const b = blocks.get(blockName(n)) as { tap: TapColumns; offset: number };
    return b.offset + b.tap.indices.indexOf(n.index);
  });
  initializers.push(int64Tensor('stc/ee/pooled_columns', pooledColumns));
  nodes.push(
    node('Concat', [...blocks.values()].map((b) => outputName(b.block)), 'stc/ee/pooled_blocks', 1),
    node('Gather', ['stc/ee/pooled_blocks', 'stc/ee/pooled_columns'], POOLED_OUTPUT, 1),
  );
  const tokenOutputs = [...taps.values()].map((t) => floatOutput(t.narrowed, [{ dim_param: 'batch_size' }, { dim_param: 'sequence_length' }, { dim_value: t.indices.length }]));
  const tokens = neurons.map((n): TokenColumn => {
    const tap = taps.get(tapId(n)) as TapColumns;
    return { output: tap.narrowed, column: tap.indices.indexOf(n.index) };
  });
  return {
    fragment: {
      nodes: [...nodes, ...pooling.nodes],
      initializers: [...initializers, ...pooling.initializers],
      outputs: [floatOutput(POOLED_OUTPUT, [{ dim_param: 'batch_size' }, { dim_value: neurons.length }]), ...tokenOutputs],
    },
    tokens,
  };
}

/** The early-exit graph of `neurons`, from the cache or built (and cached) now. */
export async function earlyExitGraph(o: EarlyExitOptions): Promise<EarlyExitGraph> {
  checkNeurons(o.neurons, o.config);
  if (!fs.statSync(o.modelFile, { throwIfNoEntry: false })?.isFile()) throw new Error(`${o.modelFile}: the model file does not exist.`);
  const key = earlyExitKey(o);
  const dir = path.join(o.cacheDir, `early-exit-${key}`);
  const cached = readCachedEntry<CachedEarlyExit>(dir, path.dirname(o.modelFile), MANIFEST);
  if (cached) return withoutCacheFields(cached);

  const analysed = analyseModel(o.modelFile, o.config, await fs.promises.readFile(o.modelFile));
  const { fragment, tokens } = earlyExitFragment(analysed, o.config, o.neurons);
  const bytes = pruneToFragment(analysed.bytes, analysed.model, fragment);
  const pruned = decodeModel(bytes);
  const prunedGraph = new Graph(pruned.graph ?? {});
  const inputs = classifyInputs(prunedGraph.inputs, o.modelFile);
  const externalData = externalDataLocations(pruned);
  fs.mkdirSync(dir, { recursive: true });
  const modelPath = placeRewrittenModel(o.modelFile, externalData, dir, key);
  writeAtomic(modelPath, [bytes]);
  const entry: CachedEarlyExit = {
    modelPath,
    inputs,
    masked: inputs.some((i) => i.role === 'attention_mask'),
    pooled: POOLED_OUTPUT,
    tokens,
    neurons: o.neurons.map(neuronName),
    cpuBoundOps: cpuBoundOps(prunedGraph),
    externalData,
  };
  // Written last: its presence marks the entry complete.
  writeAtomic(path.join(dir, MANIFEST), [Buffer.from(JSON.stringify(entry, null, 1))]);
  return withoutCacheFields(entry);
}

function withoutCacheFields(entry: CachedEarlyExit): EarlyExitGraph {
  const { externalData: _, ...graph } = entry;
  return graph;
}
