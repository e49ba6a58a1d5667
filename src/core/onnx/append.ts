// Adding nodes, initializers and outputs to a serialised model without re-encoding it. Protobuf
// merges a message that appears twice: repeated fields concatenate and embedded messages merge, so
// `original bytes + ModelProto{ graph { node*, initializer*, output* } }` decodes as the original
// model with those entries appended to its graph. Every byte of the original, including fields
// newer than the schema this module knows, is kept as it was.
import type { GraphFragment } from './pooling';
import { encodeModel } from './schema';

export function encodeAppendix(fragment: GraphFragment): Uint8Array {
  return encodeModel({ graph: { node: fragment.nodes, initializer: fragment.initializers, output: fragment.outputs } });
}
