// A line chart over integer x values (layers or k) with reference lines and an optional marker,
// drawn with d3 in SVG: one path per series, so its cost does not grow with the points' count.

import * as d3 from 'd3';
import { attachCursor } from './cursor';

export interface LineSeries {
  readonly label: string;
  readonly color: string;
  readonly dashed?: boolean;
  readonly emphasis?: 'strong' | 'faint';
  readonly points: readonly { readonly x: number; readonly y: number }[];
}

export interface ReferenceLine {
  readonly label: string;
  readonly y: number;
  readonly dash: string;
}

export interface LineChartSpec {
  readonly label: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly LineSeries[];
  readonly references?: readonly ReferenceLine[];
  readonly marker?: { readonly x: number; readonly y: number; readonly label: string };
  readonly selectedX?: number;
  readonly describe: (x: number) => string[];
  readonly onSelect?: (x: number) => void;
}

export const MARGIN = { top: 10, right: 12, bottom: 30, left: 40 };

export function lineChart(spec: LineChartSpec, width: number, height = 170): SVGSVGElement {
  const xs = [...new Set(spec.series.flatMap((s) => s.points.map((p) => p.x)))].sort((a, b) => a - b);
  const ys = [...spec.series.flatMap((s) => s.points.map((p) => p.y)), ...(spec.references ?? []).map((r) => r.y)];
  const [lo, hi] = [Math.min(...ys), Math.max(...ys)];
  const pad = Math.max(0.02, (hi - lo) * 0.08);
  const x = d3
    .scaleLinear()
    .domain([xs[0] ?? 0, xs[xs.length - 1] ?? 1])
    .range([MARGIN.left, width - MARGIN.right]);
  const y = d3
    .scaleLinear()
    .domain([Math.max(0, lo - pad), Math.min(1, hi + pad)])
    .nice()
    .range([height - MARGIN.bottom, MARGIN.top]);

  const svg = d3
    .create('svg')
    .attr('class', 'chart')
    .attr('width', width)
    .attr('height', height)
    .attr('viewBox', `0 0 ${width} ${height}`)
    .attr('role', 'img')
    .attr('tabindex', 0)
    .attr('aria-label', `${spec.label}. Arrow keys move along ${spec.xLabel}; Enter selects.`)
    .attr('aria-describedby', 'stc-tooltip');

  const selected = svg.append('rect').attr('class', 'selected-band').attr('y', MARGIN.top).attr('height', height - MARGIN.top - MARGIN.bottom).attr('width', 0);
  if (spec.selectedX !== undefined) {
    const bandWidth = Math.max(4, (width - MARGIN.left - MARGIN.right) / Math.max(1, xs.length));
    selected.attr('x', x(spec.selectedX) - bandWidth / 2).attr('width', bandWidth);
  }

  const ticks = Math.max(2, Math.min(xs.length, Math.floor((width - MARGIN.left - MARGIN.right) / 36)));
  svg
    .append('g')
    .attr('class', 'axis')
    .attr('transform', `translate(0,${height - MARGIN.bottom})`)
    .call(d3.axisBottom(x).ticks(ticks).tickFormat(d3.format('d')));
  svg.append('g').attr('class', 'axis').attr('transform', `translate(${MARGIN.left},0)`).call(d3.axisLeft(y).ticks(4).tickFormat(d3.format('.2f')));
  svg
    .append('text')
    .attr('class', 'axis-label')
    .attr('x', width - MARGIN.right)
    .attr('y', height - 2)
    .attr('text-anchor', 'end')
    .text(spec.xLabel);

  for (const r of spec.references ?? []) {
    svg.append('line').attr('class', 'reference').attr('x1', MARGIN.left).attr('x2', width - MARGIN.right).attr('y1', y(r.y)).attr('y2', y(r.y)).attr('stroke-dasharray', r.dash);
  }

  const line = d3
    .line<{ x: number; y: number }>()
    .x((p) => x(p.x))
    .y((p) => y(p.y));
  const ordered = [...spec.series].sort((a, b) => rank(a) - rank(b));
  for (const s of ordered) {
    svg
      .append('path')
      .attr('class', `series ${s.emphasis ?? ''}`)
      .attr('d', line([...s.points]))
      .attr('fill', 'none')
      .style('stroke', s.color)
      .attr('stroke-dasharray', s.dashed ? '5 3' : null);
  }

  if (spec.marker) {
    const mx = x(spec.marker.x);
    svg.append('line').attr('class', 'marker').attr('x1', mx).attr('x2', mx).attr('y1', MARGIN.top).attr('y2', height - MARGIN.bottom);
    svg.append('circle').attr('class', 'marker-dot').attr('cx', mx).attr('cy', y(spec.marker.y)).attr('r', 4);
    svg
      .append('text')
      .attr('class', 'marker-label')
      .attr('x', mx + (mx > width / 2 ? -4 : 4))
      .attr('y', MARGIN.top + 10)
      .attr('text-anchor', mx > width / 2 ? 'end' : 'start')
      .text(spec.marker.label);
  }

  const cursor = svg.append('line').attr('class', 'cursor').attr('y1', MARGIN.top).attr('y2', height - MARGIN.bottom).attr('visibility', 'hidden');
  const node = svg.node() as SVGSVGElement;
  attachCursor(node, {
    xs,
    position: (v) => x(v),
    describe: spec.describe,
    onMove: (v) => {
      cursor.attr('visibility', v === undefined ? 'hidden' : 'visible');
      if (v !== undefined) cursor.attr('x1', x(v)).attr('x2', x(v));
    },
    onSelect: spec.onSelect,
  });
  return node;
}

function rank(s: LineSeries): number {
  return s.emphasis === 'faint' ? 0 : s.emphasis === 'strong' ? 2 : 1;
}
