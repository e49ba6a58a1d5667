// Which of a graph's ops keep it on the CPU under most GPU providers (CPU_BOUND_OPS says which ops
// and why), read from the graph the rewrite has already parsed, so the session can choose its
// provider without a second parse of the model file.
import { CPU_BOUND_OPS } from '../model/session';
import type { Graph } from './graph';

const MS_DOMAIN = 'com.microsoft';

/** The distinct CPU_BOUND_OPS op types among the graph's nodes, in CPU_BOUND_OPS order. */
export function cpuBoundOps(graph: Graph): string[] {
  const present = new Set(graph.nodes.filter((n) => n.domain === MS_DOMAIN).map((n) => n.opType));
  return CPU_BOUND_OPS.filter((op) => present.has(op));
}
