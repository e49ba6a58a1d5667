// Cutting a model down to the part some new outputs need. The kept records (nodes, initializers,
// inputs, value_info) are copied from the serialised model byte for byte (wire.ts), so
// fields this module's schema leaves out (tensor payloads, doc strings, metadata) survive; the
// model's own outputs are dropped and the fragment's become the only ones. Everything no new
// output depends on goes, weights included: cutting after block k-1 leaves no trace of later blocks.
import { encodeAppendix } from './append';
import type { GraphFragment } from './pooling';
import type { GraphProto, ModelProto, NodeProto } from './schema';
import { lengthDelimited, spans, stringField, type FieldSpan } from './wire';

const MODEL_GRAPH = 7;
const GraphField = { NODE: 1, INITIALIZER: 5, INPUT: 11, OUTPUT: 12, VALUE_INFO: 13, SPARSE_INITIALIZER: 15 } as const;
/** TensorProto.name; ValueInfoProto.name; SparseTensorProto.values (a TensorProto). */
const TENSOR_NAME = 8;
const VALUE_INFO_NAME = 1;
const SPARSE_VALUES = 1;

function recordName(buf: Uint8Array, span: FieldSpan): string | undefined {
  switch (span.field) {
    case GraphField.INITIALIZER:
      return stringField(buf, span, TENSOR_NAME);
    case GraphField.INPUT:
    case GraphField.VALUE_INFO:
      return stringField(buf, span, VALUE_INFO_NAME);
    case GraphField.SPARSE_INITIALIZER: {
      const values = spans(buf, span.valueStart, span.end).find((s) => s.field === SPARSE_VALUES);
      return values ? stringField(buf, values, TENSOR_NAME) : undefined;
    }
    default:
      return undefined;
  }
}

/** Names a subgraph (If/Loop/Scan body) reads from the scopes around it. */
function outerNames(g: GraphProto): string[] {
  const local = new Set<string>([...(g.input ?? []), ...(g.initializer ?? [])].map((v) => v.name ?? ''));
  for (const n of g.node ?? []) for (const o of n.output ?? []) local.add(o);
  return (g.node ?? []).flatMap((n) => nodeReads(n)).filter((t) => !local.has(t));
}

/** Every tensor a node reads: its inputs and what its subgraphs take from outside. */
function nodeReads(n: NodeProto): string[] {
  const subgraphs = (n.attribute ?? []).flatMap((a) => [...(a.g ? [a.g] : []), ...(a.graphs ?? [])]);
  return [...(n.input ?? []).filter((t) => t !== ''), ...subgraphs.flatMap(outerNames)];
}

/** Indices of `nodes` that `outputs` depend on, and every tensor name they read. */
function liveSet(nodes: readonly NodeProto[], outputs: readonly string[]): { nodes: Set<number>; tensors: Set<string> } {
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => (n.output ?? []).forEach((o) => o && producer.set(o, i)));
  const liveNodes = new Set<number>();
  const tensors = new Set<string>();
  const stack = [...outputs];
  while (stack.length > 0) {
    const t = stack.pop() as string;
    if (tensors.has(t)) continue;
    tensors.add(t);
    const i = producer.get(t);
    if (i === undefined || liveNodes.has(i)) continue;
    liveNodes.add(i);
    stack.push(...nodeReads(nodes[i] as NodeProto));
  }
  return { nodes: liveNodes, tensors };
}

/**
 * `bytes` (decoded as `model`) with `fragment` appended and cut down to what the fragment's
 * outputs need; those outputs are the graph's only ones. Inputs nothing reads any more (a pruned
 * block's past key/values) are dropped too, so the caller feeds what the result declares.
 */
export function pruneToFragment(bytes: Uint8Array, model: ModelProto, fragment: GraphFragment): Uint8Array {
  const original = model.graph?.node ?? [];
  const live = liveSet([...original, ...fragment.nodes], fragment.outputs.map((o) => o.name ?? ''));
  const out: Uint8Array[] = [];
  let graph: Uint8Array[] | undefined;
  let nodeIndex = 0;
  for (const top of spans(bytes)) {
    if (top.field !== MODEL_GRAPH) {
      out.push(bytes.subarray(top.start, top.end));
      continue;
    }
    graph ??= [];
    for (const rec of spans(bytes, top.valueStart, top.end)) {
      let keep: boolean;
      if (rec.field === GraphField.NODE) keep = live.nodes.has(nodeIndex++);
      else if (rec.field === GraphField.OUTPUT) keep = false;
      else {
        const name = recordName(bytes, rec);
        keep = name === undefined || live.tensors.has(name);
      }
      if (keep) graph.push(bytes.subarray(rec.start, rec.end));
    }
  }
  if (!graph || nodeIndex !== original.length) throw new Error(`internal error: found ${nodeIndex} node records, the decoded graph has ${original.length}`);
  // One graph record, the fragment's records at its end, so every protobuf reader sees the same
  // model (of two records of one embedded message, protobufjs keeps the last, onnxruntime merges).
  const appendix = encodeAppendix(fragment);
  for (const top of spans(appendix)) for (const rec of spans(appendix, top.valueStart, top.end)) graph.push(appendix.subarray(rec.start, rec.end));
  out.push(lengthDelimited(MODEL_GRAPH, graph));
  return Buffer.concat(out);
}
