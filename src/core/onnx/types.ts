// What tapModel returns: the rewritten model and how to run it.
import type { FeatureBlock } from '../neurons';
import type { GraphInput } from './inputs';

export interface TappedOutput {
  name: string;
  block: FeatureBlock;
  dim: number;
}

export interface TappedGraph {
  /** The rewritten model on disk, loadable with InferenceSession.create(modelPath). */
  modelPath: string;
  /** What the runner must feed: past_key_values as empty tensors (sequence length 0),
   *  use_cache_branch as false. */
  inputs: GraphInput[];
  /** float32 [batch, dim] each, one per distinct requested block, ordered as allBlocks() orders
   *  them (hid before act, then layer, then mean/max/single). */
  outputs: TappedOutput[];
  singleToken: 'first' | 'last';
  /** False when the graph has no attention_mask input: padding would then change the features,
   *  so rows must be run unpadded (one length per batch). */
  masked: boolean;
  /** The model's own outputs, still produced unchanged. */
  originalOutputs: string[];
  /** The graph's op types that most GPU providers lack kernels for (CPU_BOUND_OPS in
   *  src/core/model/session.ts); openOrtSession chooses the provider by them. */
  cpuBoundOps: string[];
}
