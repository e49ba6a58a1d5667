// Pointer and keyboard interaction shared by the charts over layers or k: one tab stop per
// chart; the pointer or the arrow keys move a cursor over the x values (a tooltip describes the
// values there), Enter or a click selects it. No DOM node per data point.

import { hideTooltip, showTooltip, showTooltipAt } from '../tooltip';

export interface CursorOptions {
  readonly xs: readonly number[];
  /** Pixel position of an x value inside the chart element. */
  readonly position: (x: number) => number;
  readonly describe: (x: number) => string[];
  readonly onMove: (x: number | undefined) => void;
  readonly onSelect?: (x: number) => void;
}

function nearest(xs: readonly number[], position: (x: number) => number, px: number): number | undefined {
  let best: number | undefined;
  let distance = Infinity;
  for (const x of xs) {
    const d = Math.abs(position(x) - px);
    if (d < distance) {
      distance = d;
      best = x;
    }
  }
  return best;
}

export function attachCursor(el: SVGSVGElement, o: CursorOptions): void {
  let current: number | undefined;
  const move = (x: number | undefined, at?: { clientX: number; clientY: number }) => {
    current = x;
    o.onMove(x);
    if (x === undefined) return hideTooltip();
    if (at) showTooltip(o.describe(x), at.clientX, at.clientY);
    else showTooltipAt(el, o.describe(x), o.position(x));
  };
  el.addEventListener('pointermove', (e) => {
    const box = el.getBoundingClientRect();
    move(nearest(o.xs, o.position, e.clientX - box.left), e);
  });
  el.addEventListener('pointerleave', () => move(undefined));
  el.addEventListener('blur', () => move(undefined));
  el.addEventListener('click', () => {
    if (current !== undefined) o.onSelect?.(current);
  });
  el.addEventListener('keydown', (e) => {
    const i = current === undefined ? -1 : o.xs.indexOf(current);
    const last = o.xs.length - 1;
    const target: Record<string, number> = { ArrowRight: Math.min(last, i + 1), ArrowLeft: i < 0 ? last : Math.max(0, i - 1), Home: 0, End: last };
    if (e.key in target) {
      e.preventDefault();
      move(o.xs[target[e.key] as number]);
    } else if ((e.key === 'Enter' || e.key === ' ') && current !== undefined) {
      e.preventDefault();
      o.onSelect?.(current);
    } else if (e.key === 'Escape') move(undefined);
  });
}
