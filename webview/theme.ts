// Colours come from the VS Code theme's CSS variables, so dark, light and high-contrast themes all
// work. Canvas drawing needs them resolved to strings; SVG and HTML use var(...) directly.

const CLASS_VARS = ['--vscode-charts-blue', '--vscode-charts-orange', '--vscode-charts-green', '--vscode-charts-purple', '--vscode-charts-red', '--vscode-charts-yellow'];
const FALLBACK = ['#3794ff', '#d18616', '#89d185', '#b180d7', '#f14c4c', '#cca700'];

/** var(...) for class k's colour (classes beyond the palette repeat it). */
export function classColor(k: number): string {
  const i = k % CLASS_VARS.length;
  return `var(${CLASS_VARS[i] as string}, ${FALLBACK[i] as string})`;
}

/** The resolved value of a CSS variable on the document (for canvas). */
export function resolve(variable: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(variable).trim() || getComputedStyle(document.body).getPropertyValue(variable).trim() || fallback;
}

export function resolvedClassColor(k: number): string {
  const i = k % CLASS_VARS.length;
  return resolve(CLASS_VARS[i] as string, FALLBACK[i] as string);
}

export function isHighContrast(): boolean {
  return document.body.classList.contains('vscode-high-contrast') || document.body.classList.contains('vscode-high-contrast-light');
}

/** Calls `redraw` when VS Code switches theme (it changes body's class and html's style). */
export function onThemeChange(redraw: () => void): void {
  const observer = new MutationObserver(() => redraw());
  observer.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
}
