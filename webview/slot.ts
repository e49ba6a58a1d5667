// A place for a chart that draws itself at its container's width: again when the width changes
// (the view is resized, a section opens), when the theme changes (canvas colours are resolved),
// and when the view asks (a selection it shows changed).

import { h } from './dom';
import { onThemeChange } from './theme';

const slots = new Set<() => void>();
let themeHooked = false;

export function chartSlot(draw: (width: number) => Element): HTMLElement {
  const slot = h('div', { class: 'chart-slot' });
  let drawnWidth = 0;
  const redraw = () => {
    const width = Math.floor(slot.clientWidth);
    if (width <= 0) return;
    drawnWidth = width;
    slot.replaceChildren(draw(width));
  };
  // Drawing changes the layout, so it waits for the next frame rather than running inside the
  // observer's callback (which would loop).
  const observer = new ResizeObserver(() =>
    requestAnimationFrame(() => {
      if (!slot.isConnected) {
        observer.disconnect();
        slots.delete(redraw);
      } else if (Math.floor(slot.clientWidth) !== drawnWidth) redraw();
    }),
  );
  observer.observe(slot);
  slots.add(redraw);
  if (!themeHooked) {
    themeHooked = true;
    onThemeChange(redrawCharts);
  }
  return slot;
}

/** Redraws every chart on the page now; keyboard focus stays on the chart that had it. */
export function redrawCharts(): void {
  const focused = document.activeElement?.getAttribute('aria-label');
  slots.forEach((redraw) => redraw());
  if (focused) document.querySelector<HTMLElement>(`[aria-label="${CSS.escape(focused)}"]`)?.focus();
}
