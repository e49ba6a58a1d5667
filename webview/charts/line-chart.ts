// A line chart over integer x values (layers or k) with reference lines and an optional marker,
// drawn with d3 in SVG: one path per series, so its cost does not grow with the points' count.

import * as d3 from 'd3';
import { attachCursor } from './cursor';
import { chartFrame, MARGIN } from './frame';

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

export function lineChart(spec: LineChartSpec, width: number, height = 170): SVGSVGElement {
  const xs = [...new Set(spec.series.flatMap((s) => s.points.map((p) => p.x)))].sort((a, b) => a - b);
  const ys = [...spec.series.flatMap((s) => s.points.map((p) => p.y)), ...(spec.references ?? []).map((r) => r.y)];
  const [lo, hi] = [Math.min(...ys), Math.max(...ys)];
  const pad = Math.max(0.02, (hi - lo) * 0.08);
  const frame = chartFrame(width, height, `${spec.label}. Arrow keys move along ${spec.xLabel}; Enter selects.`);
  const x = d3
    .scaleLinear()
    .domain([xs[0] ?? 0, xs[xs.length - 1] ?? 1])
    .range(frame.xRange);
  const y = frame.yScale([Math.max(0, lo - pad), Math.min(1, hi + pad)]);
  const svg = frame.svg;

  const selected = frame.band('selected-band').attr('width', 0);
  if (spec.selectedX !== undefined) {
    const bandWidth = Math.max(4, frame.plotWidth / Math.max(1, xs.length));
    selected.attr('x', x(spec.selectedX) - bandWidth / 2).attr('width', bandWidth);
  }

  const ticks = Math.max(2, Math.min(xs.length, Math.floor(frame.plotWidth / 36)));
  frame.drawAxes(d3.axisBottom(x).ticks(ticks).tickFormat(d3.format('d')), d3.axisLeft(y).ticks(4).tickFormat(d3.format('.2f')), spec.xLabel);

  for (const r of spec.references ?? []) {
    svg.append('line').attr('class', 'reference').attr('x1', frame.xRange[0]).attr('x2', frame.xRange[1]).attr('y1', y(r.y)).attr('y2', y(r.y)).attr('stroke-dasharray', r.dash);
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
    frame.vline('marker', mx);
    svg.append('circle').attr('class', 'marker-dot').attr('cx', mx).attr('cy', y(spec.marker.y)).attr('r', 4);
    svg
      .append('text')
      .attr('class', 'marker-label')
      .attr('x', mx + (mx > width / 2 ? -4 : 4))
      .attr('y', MARGIN.top + 10)
      .attr('text-anchor', mx > width / 2 ? 'end' : 'start')
      .text(spec.marker.label);
  }

  const cursor = frame.vline('cursor', 0).attr('visibility', 'hidden');
  const node = frame.node();
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
