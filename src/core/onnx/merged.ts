// optimum's merged decoders (decoder_model_merged.onnx) hold the whole network twice, inside the
// two branches of one If node on the `use_cache_branch` input. Tensors inside a branch cannot be
// made graph outputs, so the model is flattened: the If node is replaced by the nodes of its
// no-cache branch (else_branch, what use_cache_branch=false runs). This is done on the wire
// format, copying each node, initializer and value_info record byte for byte; only the If node
// and the unused with-cache branch are dropped.
import { encodeModel, type ModelProto, type NodeProto } from './schema';
import { lengthDelimited, spans, type FieldSpan } from './wire';

const MODEL_GRAPH = 7;
const GRAPH_NODE = 1;
const NODE_ATTRIBUTE = 5;
const ATTRIBUTE_NAME = 1;
const ATTRIBUTE_GRAPH = 6;
// Records of a branch graph that carry over into the flattened graph: node, initializer,
// value_info, sparse_initializer. Its name, inputs and outputs do not.
const BRANCH_FIELDS_KEPT = new Set([1, 5, 13, 15]);

function findBranch(buf: Uint8Array, node: FieldSpan, branch: string): FieldSpan | undefined {
  for (const attr of spans(buf, node.valueStart, node.end)) {
    if (attr.field !== NODE_ATTRIBUTE) continue;
    const parts = spans(buf, attr.valueStart, attr.end);
    const nameSpan = parts.find((p) => p.field === ATTRIBUTE_NAME);
    if (!nameSpan || Buffer.from(buf.subarray(nameSpan.valueStart, nameSpan.end)).toString('utf8') !== branch) continue;
    return parts.find((p) => p.field === ATTRIBUTE_GRAPH);
  }
  return undefined;
}

/**
 * The model with its `use_cache_branch` If node flattened into the no-cache branch, or undefined
 * when the model has no such node. `model` is `bytes` decoded; `where` names the file in errors.
 */
export function inlineUseCacheBranch(bytes: Uint8Array, model: ModelProto, where: string): Uint8Array | undefined {
  const nodes = model.graph?.node ?? [];
  const ifIndex = nodes.findIndex((n) => n.op_type === 'If' && n.input?.[0] === 'use_cache_branch');
  if (ifIndex < 0) return undefined;
  const ifNode = nodes[ifIndex] as NodeProto;
  const elseBranch = (ifNode.attribute ?? []).find((a) => a.name === 'else_branch')?.g;
  if (!elseBranch) throw new Error(`${where}: the If node "${ifNode.name}" on use_cache_branch has no else_branch graph; is this an optimum merged decoder?`);

  const out: Uint8Array[] = [];
  const graphPayload: Uint8Array[] = [];
  let nodeIndex = 0;
  for (const top of spans(bytes)) {
    if (top.field !== MODEL_GRAPH) {
      out.push(bytes.subarray(top.start, top.end));
      continue;
    }
    for (const g of spans(bytes, top.valueStart, top.end)) {
      const isIf = g.field === GRAPH_NODE && nodeIndex++ === ifIndex;
      if (!isIf) {
        graphPayload.push(bytes.subarray(g.start, g.end));
        continue;
      }
      const branch = findBranch(bytes, g, 'else_branch');
      if (!branch) throw new Error(`${where}: the If node "${ifNode.name}" on use_cache_branch has no else_branch graph; is this an optimum merged decoder?`);
      for (const rec of spans(bytes, branch.valueStart, branch.end)) {
        if (BRANCH_FIELDS_KEPT.has(rec.field)) graphPayload.push(bytes.subarray(rec.start, rec.end));
      }
    }
  }
  // The branch's outputs become the If node's outputs (optimum gives them the same names).
  const identities: NodeProto[] = [];
  (ifNode.output ?? []).forEach((outer, i) => {
    const inner = elseBranch.output?.[i]?.name;
    if (inner && outer && inner !== outer) identities.push({ op_type: 'Identity', name: `stc/if_output/${outer}`, input: [inner], output: [outer] });
  });
  if (identities.length > 0) {
    const appendix = encodeModel({ graph: { node: identities } });
    for (const top of spans(appendix)) for (const g of spans(appendix, top.valueStart, top.end)) graphPayload.push(appendix.subarray(g.start, g.end));
  }
  out.push(lengthDelimited(MODEL_GRAPH, graphPayload));
  return Buffer.concat(out);
}
