// One tooltip element for the whole page; charts show it for the pointer or the keyboard cursor.

import { h } from './dom';

let tip: HTMLDivElement | undefined;

function element(): HTMLDivElement {
  tip ??= document.body.appendChild(h('div', { class: 'tooltip', attrs: { role: 'tooltip', id: 'stc-tooltip', 'aria-live': 'polite' } }));
  return tip;
}

/** Shows `lines` near (x, y) in client coordinates, kept inside the window. */
export function showTooltip(lines: readonly string[], x: number, y: number): void {
  const el = element();
  el.replaceChildren(...lines.map((line, i) => h('div', { class: i === 0 ? 'tooltip-title' : '', text: line })));
  el.hidden = false;
  const { width, height } = el.getBoundingClientRect();
  const left = Math.max(4, Math.min(x + 12, window.innerWidth - width - 4));
  const top = y + 16 + height > window.innerHeight ? Math.max(4, y - height - 8) : y + 16;
  el.style.left = `${left}px`;
  el.style.top = `${top}px`;
}

/** Shows the tooltip under an element (keyboard focus). */
export function showTooltipAt(target: Element, lines: readonly string[], offsetX = 0): void {
  const r = target.getBoundingClientRect();
  showTooltip(lines, r.left + offsetX, r.top + 8);
}

export function hideTooltip(): void {
  if (tip) tip.hidden = true;
}
