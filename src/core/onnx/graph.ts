// An indexed, read-only view of an ONNX graph: nodes in topological order, who produces and who
// consumes each tensor, initializer shapes, and the structural queries the tap finder needs
// (is one tensor computed from another, what is a weight's shape).
import { int64, type AttributeProto, type GraphProto, type NodeProto, type TensorProto, type ValueInfoProto } from './schema';

export interface TensorInfo {
  readonly name: string;
  readonly dims: readonly number[];
  readonly dataType: number;
}

export interface ValueInfo {
  readonly name: string;
  readonly elemType: number;
  readonly shape: readonly (number | string)[];
}

export interface GraphNode {
  /** Position in topological order. */
  readonly order: number;
  readonly name: string;
  readonly opType: string;
  /** '' for the default ONNX domain ('ai.onnx' is normalised to ''). */
  readonly domain: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: ReadonlyMap<string, AttributeProto>;
}

export function tensorInfo(t: TensorProto): TensorInfo {
  return { name: t.name ?? '', dims: (t.dims ?? []).map(int64), dataType: t.data_type ?? 0 };
}

export function valueInfo(v: ValueInfoProto): ValueInfo {
  const tt = v.type?.tensor_type;
  const shape = (tt?.shape?.dim ?? []).map((d) => (d.dim_param !== undefined && d.dim_param !== '' ? d.dim_param : int64(d.dim_value)));
  return { name: v.name ?? '', elemType: tt?.elem_type ?? 0, shape };
}

const SHAPE_ONLY = new Set(['Shape', 'Size']);
const COPIES = new Set(['Identity', 'Cast', 'Dropout']);
/** Fused ops whose outputs are a sum (output 3) and that sum normalised (output 0). */
export const SUM_THEN_NORM = new Set(['SkipLayerNormalization', 'SkipSimplifiedLayerNormalization']);

export class Graph {
  readonly nodes: readonly GraphNode[];
  readonly initializers: ReadonlyMap<string, TensorInfo>;
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  private readonly producers = new Map<string, GraphNode>();
  private readonly consumerMap = new Map<string, GraphNode[]>();
  private readonly outputNames: ReadonlySet<string>;
  /** Tensors computed from initializers and Constant nodes only. */
  private readonly constants = new Set<string>();

  constructor(proto: GraphProto) {
    this.initializers = new Map((proto.initializer ?? []).map((t) => [t.name ?? '', tensorInfo(t)]));
    const initNames = this.initializers;
    this.inputs = (proto.input ?? []).map(valueInfo).filter((v) => !initNames.has(v.name));
    this.outputs = (proto.output ?? []).map(valueInfo);
    this.outputNames = new Set(this.outputs.map((o) => o.name));
    this.nodes = topologicalOrder(proto, new Set([...initNames.keys(), ...this.inputs.map((i) => i.name)]));
    for (const name of initNames.keys()) this.constants.add(name);
    for (const node of this.nodes) {
      const constant = node.inputs.every((i) => i === '' || this.constants.has(i));
      for (const out of node.outputs) {
        if (!out) continue;
        this.producers.set(out, node);
        if (constant) this.constants.add(out);
      }
      for (const inp of node.inputs) {
        if (!inp) continue;
        const list = this.consumerMap.get(inp);
        if (list) list.push(node);
        else this.consumerMap.set(inp, [node]);
      }
    }
  }

  producer(tensor: string): GraphNode | undefined {
    return this.producers.get(tensor);
  }

  consumers(tensor: string): readonly GraphNode[] {
    return this.consumerMap.get(tensor) ?? [];
  }

  isGraphOutput(tensor: string): boolean {
    return this.outputNames.has(tensor);
  }

  /** Topological position of the node producing `tensor`; -1 for graph inputs and initializers. */
  orderOf(tensor: string): number {
    return this.producers.get(tensor)?.order ?? -1;
  }

  /**
   * True when `tensor` is computed from constants only (initializers and Constant nodes, through
   * any ops), i.e. it is a weight or a fixed parameter rather than data flowing from the inputs.
   */
  isConstant(tensor: string): boolean {
    return this.constants.has(tensor);
  }

  /**
   * Shape of a constant tensor as the consuming op sees it, following the ops that carry a weight
   * to a matmul unchanged or transposed: Identity, Cast, DequantizeLinear, Transpose, Constant.
   */
  constantShape(tensor: string): readonly number[] | undefined {
    const init = this.initializers.get(tensor);
    if (init) return init.dims;
    const node = this.producers.get(tensor);
    if (!node) return undefined;
    switch (node.opType) {
      case 'Constant': {
        const t = node.attrs.get('value')?.t;
        return t ? tensorInfo(t).dims : undefined;
      }
      case 'Identity':
      case 'Cast':
      case 'DequantizeLinear':
        return node.inputs[0] ? this.constantShape(node.inputs[0]) : undefined;
      case 'Transpose': {
        const dims = node.inputs[0] ? this.constantShape(node.inputs[0]) : undefined;
        if (!dims) return undefined;
        const perm = attrInts(node, 'perm') ?? dims.map((_, i) => dims.length - 1 - i);
        return perm.map((p) => dims[p] ?? -1);
      }
      default:
        return undefined;
    }
  }

  /**
   * The float tensor `tensor` is a copy of, through Identity, Cast, (inference-time) Dropout and
   * QuantizeLinear -> DequantizeLinear pairs (static QDQ graphs). Exporters leave such copies on
   * the residual stream (an fp32 model's RMSNorm upcast, shared with the residual Add, is a Cast
   * from float to float); comparing stream values and choosing taps looks through them.
   */
  copySource(tensor: string): string {
    let t = tensor;
    for (;;) {
      const node = this.producers.get(t);
      const input = node?.inputs[0];
      if (!node || !input) return t;
      if (COPIES.has(node.opType)) t = input;
      else if (node.opType === 'DequantizeLinear' && this.producers.get(input)?.opType === 'QuantizeLinear') t = this.producers.get(input)?.inputs[0] ?? input;
      else return t;
    }
  }

  /** True when `a` and `b` hold the same values, one being a copy of the other. */
  sameValue(a: string | undefined, b: string | undefined): boolean {
    return a !== undefined && b !== undefined && this.copySource(a) === this.copySource(b);
  }

  /**
   * True when the values of `tensor` are computed from the values of `ancestor`. Only a tensor's
   * shape reaching through Shape or Size does not count (position ids computed from the length of
   * the token embeddings do not make the position embedding a function of the token embedding).
   * A fused Skip*Normalization's normalised output counts as computed from its sum output (it is).
   * The search walks back from `tensor` and stops at nodes before `ancestor`'s producer.
   */
  dependsOn(tensor: string, ancestor: string): boolean {
    if (tensor === ancestor) return true;
    const floor = this.orderOf(ancestor);
    const seen = new Set<string>();
    const stack = [tensor];
    while (stack.length > 0) {
      const t = stack.pop() as string;
      if (t === ancestor) return true;
      if (seen.has(t)) continue;
      seen.add(t);
      const node = this.producers.get(t);
      if (node && node.order === floor && SUM_THEN_NORM.has(node.opType) && node.outputs[3] === ancestor) return true;
      if (!node || node.order <= floor || SHAPE_ONLY.has(node.opType)) continue;
      for (const i of node.inputs) if (i && !seen.has(i)) stack.push(i);
    }
    return false;
  }
}

export function attrInt(node: GraphNode, name: string, fallback: number): number {
  const a = node.attrs.get(name);
  return a?.i !== undefined ? int64(a.i) : fallback;
}

export function attrInts(node: GraphNode, name: string): number[] | undefined {
  const a = node.attrs.get(name);
  return a?.ints && a.ints.length > 0 ? a.ints.map(int64) : undefined;
}

/**
 * Nodes in topological order. ONNX requires graphs to be sorted already, and then file order is
 * kept; an unsorted (hand-edited) graph is sorted with Kahn's algorithm so `order` stays trustworthy.
 */
function topologicalOrder(proto: GraphProto, available: Set<string>): GraphNode[] {
  const raw = proto.node ?? [];
  const producerIndex = new Map<string, number>();
  raw.forEach((n, i) => (n.output ?? []).forEach((o) => o && producerIndex.set(o, i)));
  // pending[i]: the nodes that must run before node i.
  const pending = raw.map((n) => new Set((n.input ?? []).filter((t) => t && !available.has(t) && producerIndex.has(t)).map((t) => producerIndex.get(t) as number)));
  let sequence = raw.map((_, i) => i);
  if (pending.some((deps, i) => [...deps].some((p) => p >= i))) {
    const dependents = new Map<number, number[]>();
    pending.forEach((deps, i) => deps.forEach((p) => dependents.set(p, [...(dependents.get(p) ?? []), i])));
    sequence = [];
    const ready = raw.map((_, i) => i).filter((i) => pending[i]?.size === 0);
    for (let k = 0; k < ready.length; k++) {
      const i = ready[k] as number;
      sequence.push(i);
      for (const d of dependents.get(i) ?? []) {
        const deps = pending[d] as Set<number>;
        deps.delete(i);
        if (deps.size === 0) ready.push(d);
      }
    }
    if (sequence.length !== raw.length) throw new Error(`the ONNX graph has a cycle: ${raw.length - sequence.length} nodes can never run`);
  }
  return sequence.map((i, order) => {
    const n = raw[i] as NodeProto;
    return {
      order,
      name: n.name ?? '',
      opType: n.op_type ?? '',
      domain: n.domain === 'ai.onnx' ? '' : (n.domain ?? ''),
      inputs: n.input ?? [],
      outputs: n.output ?? [],
      attrs: new Map((n.attribute ?? []).map((a) => [a.name ?? '', a])),
    };
  });
}
