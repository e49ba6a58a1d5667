// Sparsification of one block: rank neurons by their probe importance and keep, for each eta, the
// shortest prefix of that ranking whose importance reaches eta x the block's total.
// Because every kept set is a prefix of one ranking, a block stores its neurons once, in ranking
// order, and each eta is just a count.

import { importance, type LogisticModel } from '../learn/model';
import type { Path } from '../learn/path';

/** Neuron indices by decreasing importance; equal importances keep ascending index order (as a
 *  stable argsort of -importance does, like the reference pipeline). */
export function importanceOrder(values: Float64Array): Int32Array {
  const order = Array.from(values.keys());
  order.sort((a, b) => (values[b] as number) - (values[a] as number) || a - b);
  return Int32Array.from(order);
}

/** Neurons kept at `eta`: the shortest prefix of `order` whose cumulative importance reaches
 *  eta x total, at least one. Zero-importance neurons are never needed to reach it, so they are
 *  kept only as that one-neuron minimum of a block whose probe selected nothing. */
export function keptCount(values: Float64Array, order: Int32Array, eta: number): number {
  let total = 0;
  for (const j of order) total += values[j] as number;
  if (total === 0) return 1;
  const target = eta * total;
  let cumulative = 0;
  for (let i = 0; i < order.length; i++) {
    cumulative += values[order[i] as number] as number;
    if (cumulative >= target) return i + 1;
  }
  return order.length;
}

/**
 * The importance a probe hands to sparsification: sum over outputs of squared weights of the
 * chosen point. When validation preferred the intercept-only model (no neuron helps on dev), the
 * ranking comes from the first path point that selected any neuron, so the block still offers
 * its most promising neurons to aggregation; `fallback` says so. All zeros when no point of the
 * path selected anything (a block constant on train).
 */
export function probeImportance(path: Path, chosen: LogisticModel): { values: Float64Array; fallback: boolean } {
  const own = importance(chosen);
  if (own.some((v) => v > 0)) return { values: own, fallback: false };
  const first = path.points.find((p) => p.supportSize > 0);
  return first ? { values: importance(first.model), fallback: true } : { values: own, fallback: false };
}
