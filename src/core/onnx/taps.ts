// Finding act[l] and hid[0..L] in a transformer graph by its structure, checked against config.json.
//
// Anchor: the FFN down projections, i.e. the projections whose weight is [intermediate, hidden]; there
// must be exactly one per block, and act[l] is the float tensor entering block l's. Each one feeds
// (through its bias, a fused Skip*Norm, a dequantizing Mul...) the first residual connection
// downstream: block l's FFN residual. Walking the stream back from that residual through the
// block's other residual connections (attention) gives the block's input, hid[l]. The block
// output is then checked against the next block's input, and hid[L] is the last FFN residual's sum
// after the final norm (pre-LN) or the block's own norm (post-LN), as Hugging Face reports it.
import type { ModelConfig } from './config';
import type { Graph, GraphNode } from './graph';
import { allProjections, type Projection } from './projections';
import { ResidualStream, type Residual } from './residual';

export interface Taps {
  /** act[l]: the input of block l's FFN down projection, [.., intermediate]. */
  readonly act: readonly string[];
  /** hid[l], l = 0..L: the residual stream entering block l; hid[L] the (normalised) output. */
  readonly hid: readonly string[];
  /** The down projection node of each block (for messages and tests). */
  readonly downProjections: readonly string[];
}

function shapeCounts(projections: readonly Projection[]): string {
  const counts = new Map<string, number>();
  for (const p of projections) {
    const k = `[${p.inFeatures}, ${p.outFeatures}]`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${n} x ${k}`).join(', ') || 'none';
}

function keys(config: ModelConfig): NonNullable<ModelConfig['keys']> {
  return config.keys ?? { numLayers: 'numLayers', hiddenSize: 'hiddenSize', intermediateSize: 'intermediateSize' };
}

/** Attention output projections are fed by the attention context, reshaped; FFN ones by an activation. */
function fedByAttention(graph: Graph, p: Projection): boolean {
  let t = p.input;
  for (let hops = 0; hops < 4; hops++) {
    const producer = graph.producer(t);
    if (!producer) return false;
    if (/Attention$|^Transpose$|^MatMul$/.test(producer.opType)) return true;
    if (!/^(Reshape|Flatten|Cast|Identity)$/.test(producer.opType) || !producer.inputs[0]) return false;
    t = producer.inputs[0];
  }
  return false;
}

function findDownProjections(graph: Graph, config: ModelConfig): Projection[] {
  const { numLayers: L, hiddenSize: H, intermediateSize: F } = config;
  const k = keys(config);
  const all = allProjections(graph);
  let down = all.filter((p) => p.inFeatures === F && p.outFeatures === H);
  // With intermediate == hidden, attention output projections share the shape: drop those.
  if (down.length > L) down = down.filter((p) => !fedByAttention(graph, p));
  if (down.length !== L) {
    throw new Error(
      `found ${down.length} FFN down projections (matmuls with weight [${F}, ${H}] = [${k.intermediateSize}, ${k.hiddenSize}]), ` +
        `config.json says ${k.numLayers}=${L}. Matmul weights [in, out] in the graph: ${shapeCounts(all)}. ` +
        `The ONNX file and config.json may belong to different models.`,
    );
  }
  return down;
}

/** The first residual connection downstream of `tensor` whose branch carries it. */
function residualFed(graph: Graph, stream: ResidualStream, tensor: string): Residual | undefined {
  const seen = new Set<GraphNode>();
  let frontier = [...graph.consumers(tensor)];
  let best: Residual | undefined;
  while (frontier.length > 0) {
    const next: GraphNode[] = [];
    for (const node of frontier) {
      if (seen.has(node) || (best && node.order >= best.node.order)) continue;
      seen.add(node);
      const r = stream.residual(node);
      if (r && graph.dependsOn(r.branch, tensor)) {
        best = r;
        continue;
      }
      for (const o of node.outputs) if (o) next.push(...graph.consumers(o));
    }
    frontier = next;
  }
  return best;
}

/**
 * The residual connection right before `value` on the stream (value is its sum or its normalised
 * sum), looking only at nodes after `floor`; undefined when `value` is not such an output.
 */
function residualBefore(graph: Graph, stream: ResidualStream, value: string, floor: number): Residual | undefined {
  // The nearest residual connection among value's ancestors is the only candidate.
  const seen = new Set<string>();
  const stack = [value];
  let nearest: Residual | undefined;
  while (stack.length > 0) {
    const t = stack.pop() as string;
    if (seen.has(t)) continue;
    seen.add(t);
    const node = graph.producer(t);
    if (!node || node.order <= floor || (nearest && node.order <= nearest.node.order)) continue;
    const r = stream.residual(node);
    if (r) {
      nearest = r;
      continue;
    }
    for (const i of node.inputs) if (i) stack.push(i);
  }
  if (!nearest) return undefined;
  return graph.sameValue(value, nearest.sum) || graph.sameValue(value, stream.normalisedSum(nearest)) ? nearest : undefined;
}

export function findTaps(graph: Graph, config: ModelConfig): Taps {
  const L = config.numLayers;
  const down = findDownProjections(graph, config);
  const stream = new ResidualStream(graph);

  const ffnResiduals = down.map((p, l) => {
    const out = p.node.outputs[0] ?? '';
    const r = residualFed(graph, stream, out);
    if (!r) throw new Error(`block ${l}: the FFN down projection "${p.node.name}" does not feed a residual connection (an Add of the block input, or a Skip*Normalization); the graph's residual stream is not recognisable.`);
    return r;
  });
  ffnResiduals.forEach((r, l) => {
    const prev = ffnResiduals[l - 1];
    if (prev && r.node.order <= prev.node.order) {
      throw new Error(`blocks ${l - 1} and ${l}: FFN down projections "${down[l - 1]?.node.name}" and "${down[l]?.node.name}" feed the same or out-of-order residual connections ("${prev.node.name}", "${r.node.name}").`);
    }
  });

  // hid[l]: walk back from the FFN residual over the block's other residual connections.
  const hid: string[] = [];
  for (let l = 0; l < L; l++) {
    const r = ffnResiduals[l] as Residual;
    const floor = l > 0 ? (ffnResiduals[l - 1] as Residual).node.order : -1;
    let value = r.stream;
    for (let before = residualBefore(graph, stream, value, floor); before; before = residualBefore(graph, stream, value, floor)) {
      value = before.stream;
    }
    hid.push(value);
  }
  // Each block's input must be the previous block's output, as such or normalised (post-LN).
  for (let l = 1; l < L; l++) {
    const prev = ffnResiduals[l - 1] as Residual;
    const input = hid[l] as string;
    if (!graph.sameValue(input, prev.sum) && !graph.sameValue(input, stream.normalisedSum(prev))) {
      throw new Error(`block ${l}: its input "${input}" is neither the output of block ${l - 1}'s residual connection "${prev.node.name}" nor that output normalised; the residual stream between blocks ${l - 1} and ${l} is not recognisable.`);
    }
  }
  const last = ffnResiduals[L - 1] as Residual;
  const lastOut = stream.normalisedSum(last) ?? last.sum;
  if (!lastOut) throw new Error(`block ${L - 1}: the residual connection "${last.node.name}" exposes neither its sum nor a normalised sum.`);
  hid.push(lastOut);

  return { act: down.map((p) => p.input), hid: hid.map((t) => graph.copySource(t)), downProjections: down.map((p) => p.node.name) };
}
