// Entry point: turn a transformers.js ONNX model into one that also outputs the pooled feature
// blocks asked for. The rewritten model is cached on disk; see taps.ts for how the taps are found.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { allBlocks, blockName, type FeatureBlock } from '../neurons';
import { encodeAppendix } from './append';
import { MANIFEST, cacheKey, externalDataLocations, placeRewrittenModel, readCached, stripCacheFields, writeAtomic, type CachedTapping } from './cache';
import type { ModelConfig } from './config';
import { cpuBoundOps } from './cpu-bound';
import { Graph } from './graph';
import { classifyInputs, type GraphInput } from './inputs';
import { inlineUseCacheBranch } from './merged';
import { buildPooling, outputName, type PoolRequest } from './pooling';
import { decodeModel, int64, type ModelProto } from './schema';
import { findTaps, type Taps } from './taps';
import type { TappedGraph } from './types';

export type { ModelConfig } from './config';
export { readModelConfig, parseModelConfig } from './config';
export type { GraphInput, InputRole } from './inputs';
export type { TappedGraph, TappedOutput } from './types';

export interface TapOptions {
  modelFile: string;
  config: ModelConfig;
  blocks: FeatureBlock[];
  cacheDir: string;
}

function decode(bytes: Uint8Array, file: string): ModelProto {
  let model: ModelProto;
  try {
    model = decodeModel(bytes);
  } catch (e) {
    throw new Error(`${file}: not a readable ONNX model (${(e as Error).message}). The file may be truncated or corrupt; download or export it again.`, { cause: e });
  }
  if (!model.graph || (model.graph.node ?? []).length === 0) {
    throw new Error(`${file}: not a readable ONNX model (no graph nodes found). The file may be truncated or corrupt; download or export it again.`);
  }
  return model;
}

function defaultOpset(model: ModelProto): number {
  const entry = (model.opset_import ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  return int64(entry?.version);
}

/** The distinct requested blocks in one fixed order (kind, layer, pooling), which the cache key and
 *  the outputs follow, so the same set asked in another order reuses the same rewritten model. */
function canonicalBlocks(blocks: readonly FeatureBlock[], config: ModelConfig): FeatureBlock[] {
  for (const b of blocks) {
    const max = b.kind === 'hid' ? config.numLayers : config.numLayers - 1;
    if (!Number.isInteger(b.layer) || b.layer < 0 || b.layer > max) {
      throw new Error(`${blockName(b)}: the model has ${config.numLayers} layers, so ${b.kind} layers run from 0 to ${max}.`);
    }
  }
  const names = new Set(blocks.map(blockName));
  return allBlocks(config.numLayers).filter((b) => names.has(blockName(b)));
}

/** A model read and understood: its (possibly flattened) bytes, the graph and where its taps are. */
export interface AnalysedModel {
  /** The model's bytes, a merged decoder's use_cache_branch If flattened into its no-cache branch. */
  readonly bytes: Uint8Array;
  readonly model: ModelProto;
  readonly graph: Graph;
  readonly inputs: GraphInput[];
  readonly taps: Taps;
  /** The default-domain opset. */
  readonly opset: number;
}

/** Decodes the model, flattens a merged decoder, and finds every block's taps. */
export function analyseModel(modelFile: string, config: ModelConfig, original: Uint8Array): AnalysedModel {
  let bytes = original;
  let model = decode(bytes, modelFile);
  const inlined = inlineUseCacheBranch(bytes, model, modelFile);
  if (inlined) {
    bytes = inlined;
    model = decode(bytes, modelFile);
  }
  const graph = new Graph(model.graph ?? {});
  const inputs = classifyInputs(graph.inputs, modelFile);
  let taps: Taps;
  try {
    taps = findTaps(graph, config);
  } catch (e) {
    // Layers hidden in model-local functions (torch.onnx dynamo exports) are invisible to the finder.
    const functions = model.functions?.length ?? 0;
    const hint = functions > 0 ? ` The graph calls ${functions} model-local functions, whose insides are not searched; inline them first with the onnx Python package (onnx.inliner.inline_local_functions).` : '';
    throw new Error(`${modelFile}: ${(e as Error).message}${hint}`, { cause: e });
  }
  return { bytes, model, graph, inputs, taps, opset: defaultOpset(model) };
}

interface Rewrite {
  /** The rewritten model's bytes: the (possibly flattened) original, then the appended pooling. */
  parts: Uint8Array[];
  tapping: Omit<TappedGraph, 'modelPath'>;
  externalData: string[];
}

/** Analyses the model and builds the rewritten graph; the slow path behind the cache. */
function rewrite(modelFile: string, config: ModelConfig, blocks: readonly FeatureBlock[], original: Uint8Array): Rewrite {
  const { bytes, model, graph, inputs, taps, opset } = analyseModel(modelFile, config, original);
  const singleToken = config.decoder ? 'last' : 'first';
  const requests: PoolRequest[] = blocks.map((block) => {
    const tensor = (block.kind === 'hid' ? taps.hid : taps.act)[block.layer] as string;
    return { block, tensor, dim: block.kind === 'hid' ? config.hiddenSize : config.intermediateSize, order: graph.orderOf(tensor) };
  });
  const mask = inputs.find((i) => i.role === 'attention_mask');
  const fragment = buildPooling(requests, {
    opset,
    inputIds: (inputs.find((i) => i.role === 'input_ids') as GraphInput).name,
    attentionMask: mask?.name,
    singleToken,
  });
  return {
    parts: [bytes, encodeAppendix(fragment)],
    tapping: {
      inputs,
      outputs: requests.map((r) => ({ name: outputName(r.block), block: r.block, dim: r.dim })),
      singleToken,
      masked: mask !== undefined,
      originalOutputs: graph.outputs.map((o) => o.name),
      // The appended pooling adds none of these ops, so the original graph's are the rewritten one's.
      cpuBoundOps: cpuBoundOps(graph),
    },
    externalData: externalDataLocations(model),
  };
}

export async function tapModel(opts: TapOptions): Promise<TappedGraph> {
  const { modelFile, config, blocks, cacheDir } = opts;
  if (blocks.length === 0) throw new Error('no feature blocks requested: ask for at least one (kind, layer, pooling).');
  const wanted = canonicalBlocks(blocks, config);
  if (!fs.statSync(modelFile, { throwIfNoEntry: false })?.isFile()) throw new Error(`${modelFile}: the model file does not exist.`);
  const key = cacheKey(modelFile, config, wanted);
  const dir = path.join(cacheDir, key);
  const cached = readCached(dir, path.dirname(modelFile));
  if (cached) return cached;

  const { parts, tapping, externalData } = rewrite(modelFile, config, wanted, await fs.promises.readFile(modelFile));
  fs.mkdirSync(dir, { recursive: true });
  const modelPath = placeRewrittenModel(modelFile, externalData, dir, key);
  writeAtomic(modelPath, parts);
  const entry: CachedTapping = { modelPath, ...tapping, externalData };
  // Written last: its presence marks the entry complete.
  writeAtomic(path.join(dir, MANIFEST), [Buffer.from(JSON.stringify(entry, null, 1))]);
  return stripCacheFields(entry);
}
