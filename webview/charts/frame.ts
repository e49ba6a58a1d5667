// The frame the SVG charts share: the margins, the focusable root that the tooltip describes, the
// value scale, the axes, and the bands and lines that span the plot's height.

import * as d3 from 'd3';

export const MARGIN = { top: 10, right: 12, bottom: 30, left: 40 };

export type ChartSvg = d3.Selection<SVGSVGElement, undefined, null, undefined>;

export interface ChartFrame {
  readonly svg: ChartSvg;
  /** Left and right ends of the plot in pixels: the range of the x scale. */
  readonly xRange: [number, number];
  /** The plot's width in pixels. */
  readonly plotWidth: number;
  /** A y scale from `domain` (made nice) to the plot's height, the domain's start at the bottom. */
  yScale(domain: [number, number]): d3.ScaleLinear<number, number>;
  /** The x axis along the bottom with its label at the right end, and the y axis along the left. */
  drawAxes<X extends d3.AxisDomain>(x: d3.Axis<X>, y: d3.Axis<d3.NumberValue>, xLabel: string): void;
  /** A rect with `className` from the top of the plot to its bottom (x and width are the caller's). */
  band(className: string): d3.Selection<SVGRectElement, undefined, null, undefined>;
  /** A vertical line with `className` from the top of the plot to its bottom at pixel `x`. */
  vline(className: string, x: number): d3.Selection<SVGLineElement, undefined, null, undefined>;
  /** The svg element, to return and attach the cursor to. */
  node(): SVGSVGElement;
}

/** An empty chart of `width` x `height` pixels: one tab stop, described by `ariaLabel` and the tooltip. */
export function chartFrame(width: number, height: number, ariaLabel: string): ChartFrame {
  const svg = d3
    .create('svg')
    .attr('class', 'chart')
    .attr('width', width)
    .attr('height', height)
    .attr('viewBox', `0 0 ${width} ${height}`)
    .attr('role', 'img')
    .attr('tabindex', 0)
    .attr('aria-label', ariaLabel)
    .attr('aria-describedby', 'stc-tooltip');
  const bottom = height - MARGIN.bottom;
  return {
    svg,
    xRange: [MARGIN.left, width - MARGIN.right],
    plotWidth: width - MARGIN.left - MARGIN.right,
    yScale: (domain) => d3.scaleLinear().domain(domain).nice().range([bottom, MARGIN.top]),
    drawAxes: (x, y, xLabel) => {
      svg.append('g').attr('class', 'axis').attr('transform', `translate(0,${bottom})`).call(x);
      svg.append('g').attr('class', 'axis').attr('transform', `translate(${MARGIN.left},0)`).call(y);
      svg
        .append('text')
        .attr('class', 'axis-label')
        .attr('x', width - MARGIN.right)
        .attr('y', height - 2)
        .attr('text-anchor', 'end')
        .text(xLabel);
    },
    band: (className) => svg.append('rect').attr('class', className).attr('y', MARGIN.top).attr('height', bottom - MARGIN.top),
    vline: (className, x) => svg.append('line').attr('class', className).attr('x1', x).attr('x2', x).attr('y1', MARGIN.top).attr('y2', bottom),
    node: () => svg.node() as SVGSVGElement,
  };
}
