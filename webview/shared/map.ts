// The neuron map's data: kept neurons binned onto a (layer x neuron index) grid per kind, so the
// drawing cost depends on the pixels available, never on the number of candidate neurons.

import type { MapNeuron } from './protocol';

export type Kind = MapNeuron['kind'];

export interface MapCell {
  readonly kind: Kind;
  readonly layer: number;
  readonly bin: number;
  /** Neuron indices [first, last] the bin covers. */
  readonly first: number;
  readonly last: number;
  /** Kept neurons in the cell, most important first. */
  readonly neurons: readonly MapNeuron[];
}

export interface MapPanel {
  readonly kind: Kind;
  /** Rows: hid layers 0..L, act layers 0..L-1. */
  readonly layers: number;
  readonly dim: number;
  readonly bins: number;
  /** Cells holding at least one kept neuron, by layer then bin. */
  readonly cells: readonly MapCell[];
}

export function byImportance(a: MapNeuron, b: MapNeuron): number {
  return b.importance - a.importance || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** Bin of neuron `index` when `dim` neurons share `bins` columns. */
export function binOf(index: number, dim: number, bins: number): number {
  return Math.min(bins - 1, Math.floor((index * bins) / dim));
}

function binRange(bin: number, dim: number, bins: number): [number, number] {
  return [Math.ceil((bin * dim) / bins), Math.ceil(((bin + 1) * dim) / bins) - 1];
}

export function neuronMap(neurons: readonly MapNeuron[], kind: Kind, numLayers: number, dim: number, maxBins: number): MapPanel {
  const bins = Math.max(1, Math.min(dim, Math.floor(maxBins)));
  const layers = kind === 'hid' ? numLayers + 1 : numLayers;
  const groups = new Map<number, MapNeuron[]>();
  for (const n of neurons) {
    if (n.kind !== kind) continue;
    const key = n.layer * bins + binOf(n.index, dim, bins);
    const group = groups.get(key);
    if (group) group.push(n);
    else groups.set(key, [n]);
  }
  const cells = [...groups]
    .sort(([a], [b]) => a - b)
    .map(([key, group]): MapCell => {
      const bin = key % bins;
      const [first, last] = binRange(bin, dim, bins);
      return { kind, layer: Math.floor(key / bins), bin, first, last, neurons: group.sort(byImportance) };
    });
  return { kind, layers, dim, bins, cells };
}

/** Kept neurons of one layer (both kinds), most important first. */
export function layerNeurons(neurons: readonly MapNeuron[], layer: number): MapNeuron[] {
  return neurons.filter((n) => n.layer === layer).sort(byImportance);
}

/** How strongly a neuron pushes toward its class: the largest |weight|. */
export function strength(n: MapNeuron): number {
  return Math.max(...n.weights.map(Math.abs));
}

/** The cell `step` places after `current` in reading order (wrapping), for keyboard navigation. */
export function stepCell(cells: readonly MapCell[], current: number, step: number): number {
  if (cells.length === 0) return -1;
  if (current < 0) return step >= 0 ? 0 : cells.length - 1;
  return (((current + step) % cells.length) + cells.length) % cells.length;
}

/** The cell under a grid position, if one holds neurons. */
export function cellAt(panel: MapPanel, layer: number, bin: number): number {
  return panel.cells.findIndex((c) => c.layer === layer && c.bin === bin);
}
