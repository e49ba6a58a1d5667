// How a prediction reads inline: its words and its colour. Colours are theme colour ids, so every
// theme (dark, light, high contrast) tints labels in its own shades.

/** Built-in theme colours, one per label index, repeating after the last. */
export const LABEL_COLOURS: readonly string[] = [
  'charts.blue',
  'charts.orange',
  'charts.green',
  'charts.purple',
  'charts.red',
  'charts.yellow',
  'terminal.ansiCyan',
  'terminal.ansiMagenta',
];

/** A label keeps its colour in every document: the colour follows the label's index. */
export function labelColour(labelIndex: number): string {
  const n = LABEL_COLOURS.length;
  return LABEL_COLOURS[((labelIndex % n) + n) % n] as string;
}

/** 0.934 -> "93%"; never "100%" for a probability below 1, nor "0%" above 0. */
export function formatPercent(p: number): string {
  const percent = Math.round(p * 100);
  if (percent === 100 && p < 1) return '>99%';
  if (percent === 0 && p > 0) return '<1%';
  return `${percent}%`;
}

const MAX_LABEL = 40;

/** Labels are data: a very long one is cut so that it cannot push the text off screen. */
export function shortLabel(label: string): string {
  return label.length <= MAX_LABEL ? label : `${label.slice(0, MAX_LABEL - 1)}…`;
}

/** The after-text of a unit: "positive 93%", and "≠ gold" when a labelled row disagrees. */
export function inlineText(label: string, confidence: number, mismatchedGold?: string): string {
  const base = `${shortLabel(label)} ${formatPercent(confidence)}`;
  return mismatchedGold === undefined ? base : `${base} ≠ ${shortLabel(mismatchedGold)}`;
}
