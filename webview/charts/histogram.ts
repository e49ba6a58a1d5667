// Per-class distributions of a neuron's standardised training values (report neuronStats):
// one translucent step area per class over the shared bins.

import * as d3 from 'd3';
import { attachCursor } from './cursor';
import { chartFrame, MARGIN } from './frame';

export interface HistogramSpec {
  readonly min: number;
  readonly max: number;
  readonly histogram: readonly (readonly number[])[];
  readonly classes: readonly string[];
  readonly colors: readonly string[];
  /** Raw activation of a standardised value (for the tooltip). */
  readonly raw: (value: number) => number;
  /** Standardised value to mark (the editor selection's), if any. */
  readonly mark?: number;
}

export function histogramChart(spec: HistogramSpec, width: number, height = 150): SVGSVGElement {
  const bins = spec.histogram[0]?.length ?? 0;
  const binWidth = bins > 0 ? (spec.max - spec.min) / bins : 0;
  const lo = Math.min(spec.min, spec.mark ?? spec.min);
  const hi = Math.max(spec.max, spec.mark ?? spec.max, spec.min + 1e-9);
  const frame = chartFrame(width, height, `Distribution of the standardised value per class (${spec.classes.join(', ')}). Arrow keys move along the bins.`);
  const x = d3.scaleLinear().domain([lo, hi]).range(frame.xRange);
  // Shares of each class's rows, so classes of different sizes compare.
  const shares = spec.histogram.map((counts) => {
    const total = counts.reduce((a, b) => a + b, 0) || 1;
    return counts.map((c) => c / total);
  });
  const y = frame.yScale([0, Math.max(1e-9, ...shares.flat())]);
  const svg = frame.svg;
  frame.drawAxes(d3.axisBottom(x).ticks(Math.max(2, Math.floor(width / 60))), d3.axisLeft(y).ticks(3).tickFormat(d3.format('.0%')), 'standardised value');
  const edge = (b: number) => spec.min + b * binWidth;
  const area = d3
    .area<number>()
    .curve(d3.curveStepAfter)
    .x((_, b) => x(edge(b)))
    .y0(y(0))
    .y1((v) => y(v));
  shares.forEach((values, k) => {
    const color = spec.colors[k] ?? 'currentColor';
    svg
      .append('path')
      .attr('class', 'histogram')
      .attr('d', area([...values, values[values.length - 1] ?? 0]))
      .style('fill', color)
      .style('stroke', color);
  });
  if (spec.mark !== undefined) {
    const mx = x(spec.mark);
    frame.vline('marker', mx);
    svg.append('text').attr('class', 'marker-label').attr('x', mx + 3).attr('y', MARGIN.top + 10).text('selection');
  }
  const cursor = frame.band('cursor-band').attr('visibility', 'hidden');
  const node = frame.node();
  const binIds = d3.range(bins);
  attachCursor(node, {
    xs: binIds,
    position: (b) => x(edge(b + 0.5)),
    describe: (b) => [
      `${edge(b).toFixed(2)} to ${edge(b + 1).toFixed(2)} (raw ${spec.raw(edge(b)).toFixed(3)} to ${spec.raw(edge(b + 1)).toFixed(3)})`,
      ...spec.classes.map((c, k) => `${c}: ${spec.histogram[k]?.[b] ?? 0} rows (${((shares[k]?.[b] ?? 0) * 100).toFixed(1)}%)`),
    ],
    onMove: (b) => {
      cursor.attr('visibility', b === undefined ? 'hidden' : 'visible');
      if (b !== undefined) cursor.attr('x', x(edge(b))).attr('width', Math.max(1, x(edge(b + 1)) - x(edge(b))));
    },
  });
  return node;
}
