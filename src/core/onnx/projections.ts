// Matrix multiplications by a constant weight, in every form exporters and quantizers produce,
// reduced to one shape: which float tensor goes in, and the weight's [in, out] features.
import { attrInt, type Graph, type GraphNode } from './graph';

export interface Projection {
  readonly node: GraphNode;
  /** The float tensor that enters the projection (before any activation quantization). */
  readonly input: string;
  readonly inFeatures: number;
  readonly outFeatures: number;
}

/** [in, out] of a rank-2 constant weight used as the right operand, or undefined. */
function weightInOut(graph: Graph, weight: string | undefined, transposed: boolean): [number, number] | undefined {
  if (!weight || !graph.isConstant(weight)) return undefined;
  const dims = graph.constantShape(weight);
  if (!dims || dims.length !== 2) return undefined;
  const [a, b] = dims as [number, number];
  return transposed ? [b, a] : [a, b];
}

/**
 * The float tensor behind a matmul operand: DynamicQuantizeLinear (onnxruntime quantize_dynamic)
 * and QuantizeLinear / DequantizeLinear pairs (static QDQ graphs) are looked through, so the tap
 * is the activation itself, not its int8 image.
 */
export function floatSource(graph: Graph, tensor: string): string {
  let t = tensor;
  for (;;) {
    const p = graph.producer(t);
    if (!p || !p.inputs[0]) return t;
    if (p.opType === 'DynamicQuantizeLinear' || p.opType === 'QuantizeLinear') t = p.inputs[0];
    else if (p.opType === 'DequantizeLinear' && !graph.isConstant(p.inputs[0])) t = p.inputs[0];
    else return t;
  }
}

function make(graph: Graph, node: GraphNode, input: string | undefined, io: [number, number] | undefined): Projection | undefined {
  if (!input || !io || graph.isConstant(input)) return undefined;
  return { node, input: floatSource(graph, input), inFeatures: io[0], outFeatures: io[1] };
}

export function asProjection(graph: Graph, node: GraphNode): Projection | undefined {
  const [a, b] = node.inputs;
  switch (node.opType) {
    case 'MatMul':
    case 'MatMulInteger':
    case 'MatMulIntegerToFloat':
    case 'DynamicQuantizeMatMul':
      return make(graph, node, a, weightInOut(graph, b, false));
    case 'FusedMatMul':
      return make(graph, node, a, weightInOut(graph, b, attrInt(node, 'transB', 0) === 1));
    case 'Gemm':
      if (attrInt(node, 'transA', 0) === 1) return undefined;
      return make(graph, node, a, weightInOut(graph, b, attrInt(node, 'transB', 0) === 1));
    case 'QLinearMatMul':
      return make(graph, node, a, weightInOut(graph, node.inputs[3], false));
    case 'MatMulNBits':
    case 'MatMulBnb4': {
      const k = attrInt(node, 'K', 0);
      const n = attrInt(node, 'N', 0);
      return k > 0 && n > 0 ? make(graph, node, a, [k, n]) : undefined;
    }
    default:
      return undefined;
  }
}

export function allProjections(graph: Graph): Projection[] {
  const out: Projection[] = [];
  for (const node of graph.nodes) {
    const p = asProjection(graph, node);
    if (p) out.push(p);
  }
  return out;
}
