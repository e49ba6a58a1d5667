// Signed horizontal bars (contributions, weights per class) as HTML rows: each row is a real
// element, so neuron rows are buttons that the keyboard and screen readers reach.

import * as d3 from 'd3';
import { h } from '../dom';

export interface BarRow {
  readonly label: string;
  readonly value: number;
  readonly color: string;
  /** Text shown after the bar (defaults to the value). */
  readonly note?: string;
  readonly title?: string;
  /** Makes the row a button. */
  readonly onClick?: () => void;
}

export function divergingBars(rows: readonly BarRow[], ariaLabel: string): HTMLElement {
  const max = Math.max(1e-12, ...rows.map((r) => Math.abs(r.value)));
  const scale = d3.scaleLinear().domain([0, max]).range([0, 50]);
  const anyNegative = rows.some((r) => r.value < 0);
  return h(
    'div',
    { class: 'bars', attrs: { role: 'list', 'aria-label': ariaLabel } },
    rows.map((r) => {
      const bar = h('span', { class: 'bar' });
      const width = scale(Math.abs(r.value));
      bar.style.width = `${anyNegative ? width : 2 * width}%`;
      bar.style.left = anyNegative ? (r.value < 0 ? `${50 - width}%` : '50%') : '0';
      bar.style.background = r.color;
      const note = r.note ?? r.value.toFixed(3);
      const content = [h('span', { class: 'bar-label', text: r.label }), h('span', { class: `bar-track${anyNegative ? ' signed' : ''}` }, [bar]), h('span', { class: 'bar-value', text: note })];
      const attrs = { role: 'listitem', title: r.title ?? `${r.label}: ${note}`, 'aria-label': `${r.label}: ${note}` };
      return r.onClick ? h('button', { class: 'bar-row clickable', attrs, on: { click: r.onClick } }, content) : h('div', { class: 'bar-row', attrs }, content);
    }),
  );
}
