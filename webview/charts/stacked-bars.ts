// Kept neurons per layer, stacked by kind (hid below act), with the same cursor as the line charts.

import * as d3 from 'd3';
import { attachCursor } from './cursor';
import { MARGIN } from './line-chart';

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
  const x = d3
    .scaleBand<number>()
    .domain(layers)
    .range([MARGIN.left, width - MARGIN.right])
    .paddingInner(layers.length > 24 ? 0.1 : 0.25);
  const max = Math.max(1, ...spec.rows.map((r) => r.hid + r.act));
  const y = d3
    .scaleLinear()
    .domain([0, max])
    .nice()
    .range([height - MARGIN.bottom, MARGIN.top]);
  const svg = d3
    .create('svg')
    .attr('class', 'chart')
    .attr('width', width)
    .attr('height', height)
    .attr('role', 'img')
    .attr('tabindex', 0)
    .attr('aria-label', `${spec.label}. Arrow keys move along layers; Enter lists the layer's neurons.`)
    .attr('aria-describedby', 'stc-tooltip');

  const center = (layer: number) => (x(layer) ?? 0) + x.bandwidth() / 2;
  if (spec.selectedLayer !== undefined && x(spec.selectedLayer) !== undefined) {
    const step = x.step();
    svg
      .append('rect')
      .attr('class', 'selected-band')
      .attr('x', center(spec.selectedLayer) - step / 2)
      .attr('width', step)
      .attr('y', MARGIN.top)
      .attr('height', height - MARGIN.top - MARGIN.bottom);
  }
  const every = Math.ceil(layers.length / Math.max(2, Math.floor((width - MARGIN.left - MARGIN.right) / 28)));
  svg
    .append('g')
    .attr('class', 'axis')
    .attr('transform', `translate(0,${height - MARGIN.bottom})`)
    .call(d3.axisBottom(x).tickValues(layers.filter((l) => l % every === 0)));
  svg.append('g').attr('class', 'axis').attr('transform', `translate(${MARGIN.left},0)`).call(d3.axisLeft(y).ticks(Math.min(4, max)).tickFormat(d3.format('d')));
  svg
    .append('text')
    .attr('class', 'axis-label')
    .attr('x', width - MARGIN.right)
    .attr('y', height - 2)
    .attr('text-anchor', 'end')
    .text('layer');

  const bars = svg.append('g');
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

  const cursor = svg.append('rect').attr('class', 'cursor-band').attr('y', MARGIN.top).attr('height', height - MARGIN.top - MARGIN.bottom).attr('visibility', 'hidden');
  const node = svg.node() as SVGSVGElement;
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
