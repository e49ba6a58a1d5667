// What the neuron view shows of each classifier neuron: how its standardised training values are
// distributed per class, and the training rows where it fires most and least.

import { blockName } from '../neurons';
import type { StcClassifier } from './classifier';
import type { Probe } from './probe';

export const HISTOGRAM_BINS = 20;
export const TOP_ROWS = 10;

export interface RowValue {
  /** Row of the feature source (the dataset row). */
  readonly row: number;
  /** Standardised value; the raw activation is value x scale + mean. */
  readonly value: number;
}

export interface NeuronStats {
  readonly name: string;
  /** Bin b covers [min + b w, min + (b + 1) w), w = (max - min) / bins; the last bin includes max. */
  readonly min: number;
  readonly max: number;
  readonly bins: number;
  /** histogram[class][bin]: training rows of that class with a value in that bin. */
  readonly histogram: number[][];
  /** Mean standardised training value per class. */
  readonly classMeans: number[];
  /** Highest values first, ties by row. */
  readonly top: RowValue[];
  /** Lowest values first, ties by row. */
  readonly bottom: RowValue[];
}

function trainValues(probe: Probe, index: number): Float32Array {
  const position = probe.order.indexOf(index);
  const d = probe.kept.train;
  if (position < 0 || position >= d.cols) throw new Error(`neuron ${index} of ${probe.name} is not among its kept neurons`);
  return d.data.subarray(position * d.rows, (position + 1) * d.rows);
}

export function neuronStats(c: StcClassifier, probes: ReadonlyMap<string, Probe>, trainRows: Int32Array, yTrain: Int32Array): NeuronStats[] {
  const K = c.nClasses;
  return c.neurons.map((neuron) => {
    const probe = probes.get(blockName(neuron));
    if (!probe) throw new Error(`no probe for ${neuron.name}`);
    const values = trainValues(probe, neuron.index);
    let min = Infinity;
    let max = -Infinity;
    for (const v of values) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    const width = (max - min) / HISTOGRAM_BINS;
    const histogram = Array.from({ length: K }, () => new Array<number>(HISTOGRAM_BINS).fill(0));
    const sums = new Array<number>(K).fill(0);
    const counts = new Array<number>(K).fill(0);
    values.forEach((v, i) => {
      const k = yTrain[i] as number;
      const bin = width > 0 ? Math.min(HISTOGRAM_BINS - 1, Math.floor((v - min) / width)) : 0;
      const h = histogram[k] as number[];
      h[bin] = (h[bin] as number) + 1;
      sums[k] = (sums[k] as number) + v;
      counts[k] = (counts[k] as number) + 1;
    });
    const ranked = (sign: 1 | -1) => Array.from(values.keys()).sort((a, b) => sign * ((values[b] as number) - (values[a] as number)) || (trainRows[a] as number) - (trainRows[b] as number));
    const rowValue = (i: number): RowValue => ({ row: trainRows[i] as number, value: values[i] as number });
    return {
      name: neuron.name,
      min,
      max,
      bins: HISTOGRAM_BINS,
      histogram,
      classMeans: sums.map((s, k) => ((counts[k] as number) > 0 ? s / (counts[k] as number) : 0)),
      top: ranked(1).slice(0, TOP_ROWS).map(rowValue),
      bottom: ranked(-1).slice(0, TOP_ROWS).map(rowValue),
    };
  });
}
