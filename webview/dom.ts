// Tiny DOM builder: elements are made with createElement and text nodes only (no innerHTML), so
// report and editor text can never become markup.

import './elements';

type Child = Node | string | null | undefined | false;

export interface Props {
  readonly class?: string;
  readonly text?: string;
  readonly attrs?: Readonly<Record<string, string>>;
  readonly on?: { readonly [E in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[E]) => void };
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, children: readonly Child[] = []): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.class) el.className = props.class;
  if (props.text !== undefined) el.textContent = props.text;
  for (const [name, value] of Object.entries(props.attrs ?? {})) el.setAttribute(name, value);
  for (const [type, listener] of Object.entries(props.on ?? {})) el.addEventListener(type, listener as EventListener);
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

/** A collapsible section (vscode-elements) whose body is `content`. */
export function section(heading: string, content: readonly Child[], options: { open?: boolean; description?: string } = {}): HTMLElementTagNameMap['vscode-collapsible'] {
  const el = h('vscode-collapsible', { class: 'section' }, [h('div', { class: 'section-body' }, content)]);
  el.heading = heading;
  el.open = options.open ?? true;
  if (options.description) el.description = options.description;
  return el;
}

export function formatScore(value: number): string {
  return value.toFixed(3);
}

export function formatNumber(value: number): string {
  const a = Math.abs(value);
  return a !== 0 && (a < 0.001 || a >= 1e5) ? value.toExponential(2) : value.toFixed(a >= 100 ? 1 : 3);
}
