// Kept neurons per layer, stacked by kind (hid below act), with the same cursor as the line charts.

import * as d3 from 'd3';
import { attachCursor } from './cursor';
import { chartFrame } from './frame';

export interface StackedBarsSpec {
  readonly label: string;
  readonly rows: readonly { readonly layer: number; readonly hid: number; readonly act: number }[];
  readonly colors: { readonly hid: string; readonly act: string };
  readonly selectedLayer?: number;
  readonly describe: (layer: number) => string[];
  readonly onSelect: (layer: number) => void;
}

export function stackedBars(spec: StackedBarsSpec, width: number, height = 130): SVGSVGElement {
  const layers = spec.rows.map((r) => r.layer);
  const frame = chartFrame(width, height, `${spec.label}. Arrow keys move along layers; Enter lists the layer's neurons.`);
  const x = d3
    .scaleBand<number>()
    .domain(layers)
    .range(frame.xRange)
    .paddingInner(layers.length > 24 ? 0.1 : 0.25);
  const max = Math.max(1, ...spec.rows.map((r) => r.hid + r.act));
  const y = frame.yScale([0, max]);

  const center = (layer: number) => (x(layer) ?? 0) + x.bandwidth() / 2;
  if (spec.selectedLayer !== undefined && x(spec.selectedLayer) !== undefined) {
    const step = x.step();
    frame
      .band('selected-band')
      .attr('x', center(spec.selectedLayer) - step / 2)
      .attr('width', step);
  }
  const every = Math.ceil(layers.length / Math.max(2, Math.floor(frame.plotWidth / 28)));
  frame.drawAxes(d3.axisBottom(x).tickValues(layers.filter((l) => l % every === 0)), d3.axisLeft(y).ticks(Math.min(4, max)).tickFormat(d3.format('d')), 'layer');

  const bars = frame.svg.append('g');
  for (const kind of ['hid', 'act'] as const) {
    bars
      .selectAll(null)
      .data(spec.rows.filter((r) => r[kind] > 0))
      .join('rect')
      .attr('x', (r) => x(r.layer) ?? 0)
      .attr('width', x.bandwidth())
      .attr('y', (r) => y(kind === 'hid' ? r.hid : r.hid + r.act))
      .attr('height', (r) => y(0) - y(r[kind]))
      .style('fill', spec.colors[kind]);
  }

  const cursor = frame.band('cursor-band').attr('visibility', 'hidden');
  const node = frame.node();
  attachCursor(node, {
    xs: layers,
    position: center,
    describe: spec.describe,
    onMove: (layer) => {
      cursor.attr('visibility', layer === undefined ? 'hidden' : 'visible');
      if (layer !== undefined) cursor.attr('x', x(layer) ?? 0).attr('width', x.bandwidth());
    },
    onSelect: spec.onSelect,
  });
  return node;
}
