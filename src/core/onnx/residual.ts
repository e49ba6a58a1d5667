// The residual stream as the graph shows it: residual connections (an Add of a value and something
// computed from that value, or a fused Skip*Normalization node) and the normalisations applied to
// the stream (a single LayerNormalization-like node, or its decomposed ReduceMean/Pow/Sqrt form).
import { SUM_THEN_NORM, type Graph, type GraphNode } from './graph';

export interface Residual {
  readonly node: GraphNode;
  /** The stream value the branch was computed from (the residual, "x" in x + f(x)). */
  readonly stream: string;
  /** The branch output added to it. */
  readonly branch: string;
  /** x + f(x); undefined when a fused node computes it without exposing it. */
  readonly sum: string | undefined;
  /** Normalised sum, for Skip*Normalization nodes that fuse the add with the following norm. */
  readonly norm: string | undefined;
}

const NORMS = new Set(['LayerNormalization', 'SimplifiedLayerNormalization', 'RMSNormalization']);
const REDUCTIONS = new Set(['ReduceMean', 'ReduceSum', 'ReduceSumSquare', 'ReduceL2']);

export class ResidualStream {
  private readonly memo = new Map<GraphNode, Residual | undefined>();

  constructor(private readonly graph: Graph) {}

  /** The node read as a residual connection, or undefined when it is not one. */
  residual(node: GraphNode): Residual | undefined {
    if (this.memo.has(node)) return this.memo.get(node);
    const r = this.classify(node);
    this.memo.set(node, r);
    return r;
  }

  private classify(node: GraphNode): Residual | undefined {
    const isAdd = node.opType === 'Add' && node.domain === '';
    const isSkipNorm = SUM_THEN_NORM.has(node.opType);
    if (!isAdd && !isSkipNorm) return undefined;
    const [a, b] = node.inputs;
    if (!a || !b || this.graph.isConstant(a) || this.graph.isConstant(b)) return undefined;
    let stream: string;
    let branch: string;
    if (this.graph.dependsOn(b, a)) [stream, branch] = [a, b];
    else if (this.graph.dependsOn(a, b)) [stream, branch] = [b, a];
    else return undefined;
    if (isAdd) return { node, stream, branch, sum: node.outputs[0], norm: undefined };
    return { node, stream, branch, sum: node.outputs[3] || undefined, norm: node.outputs[0] };
  }

  /** What the stream value after `r` is once normalised: the fused norm, or the norm after the sum. */
  normalisedSum(r: Residual): string | undefined {
    if (r.norm) return r.norm;
    return r.sum ? this.normAfter(r.sum) : undefined;
  }

  /**
   * The output of the normalisation applied to `x`, when everything computed from `x` first goes
   * through one, or undefined. Read on the post-dominators of `x` (tensors every path from `x`
   * passes through): a norm is a run of them each reached through a reduction (LayerNorm: x-mean,
   * then (x-mean)/std; RMSNorm: x*rsqrt(mean(x^2))), or one LayerNormalization-like node; a
   * decomposed norm's scale and shift by constants (gamma, beta) follow.
   */
  normAfter(x: string): string | undefined {
    const g = this.graph;
    const remaining = (t: string): number => g.consumers(t).length + (g.isGraphOutput(t) ? 1 : 0);
    // Tensors derived from x that still have consumers to come, walking nodes in topological order.
    const pending = new Map<string, number>([[x, remaining(x)]]);
    let segmentReduced = false;
    let normalised: string | undefined;
    let visited = 0;
    for (let i = g.orderOf(x) + 1; i < g.nodes.length && visited < 64; i++) {
      const node = g.nodes[i] as GraphNode;
      const fromX = node.inputs.filter((t) => pending.has(t));
      if (fromX.length === 0) continue;
      visited++;
      for (const t of fromX) pending.set(t, (pending.get(t) as number) - 1);
      for (const o of node.outputs) if (o) pending.set(o, remaining(o));
      if (REDUCTIONS.has(node.opType) || NORMS.has(node.opType)) segmentReduced = true;
      const live = [...pending].filter(([, n]) => n > 0);
      if (live.length !== 1) continue;
      const dominator = (live[0] as [string, number])[0];
      if (segmentReduced) [normalised, segmentReduced] = [dominator, false];
      else if (normalised) break;
    }
    if (!normalised) return undefined;
    return NORMS.has(g.producer(normalised)?.opType ?? '') ? normalised : this.affineTail(normalised);
  }

  /** Follows Casts and at most one Mul then one Add by a constant (gamma, beta). */
  private affineTail(t: string): string {
    const g = this.graph;
    let cur = t;
    let step: 'Mul' | 'Add' | 'done' = 'Mul';
    for (;;) {
      const consumers = g.consumers(cur);
      const c = consumers.length === 1 && !g.isGraphOutput(cur) ? consumers[0] : undefined;
      if (!c || !c.outputs[0]) return cur;
      const other = c.inputs.find((i) => i !== cur);
      const byConstant = other !== undefined && other !== '' && g.isConstant(other);
      if (c.opType === 'Cast') cur = c.outputs[0];
      else if (c.opType === 'Mul' && step === 'Mul' && byConstant) [cur, step] = [c.outputs[0], 'Add'];
      else if (c.opType === 'Add' && step !== 'done' && byConstant) [cur, step] = [c.outputs[0], 'done'];
      else return cur;
    }
  }
}
