// The hover of a classified unit: prediction, class probabilities, the neurons that decided it,
// and where in the text the top neuron fires. Pure: an Explanation in, Markdown out.
import type { Explanation, NeuronOnTokens, TokenSpan } from '../../core/explain/types';
import { bar, commandLink, escapeMarkdown } from './markdown';
import { formatPercent } from './palette';

export const SHOW_NEURON = 'stc.showNeuron';
export const OPEN_EXPLORER = 'stc.openLayerExplorer';
/** The only commands the hover's links may run. */
export const HOVER_COMMANDS: readonly string[] = [SHOW_NEURON, OPEN_EXPLORER];

export interface HoverInput {
  readonly explanation: Explanation;
  readonly classifierName: string;
  /** The row's gold label in a labelled data file. */
  readonly gold?: string;
  /** Neurons listed (default 5). */
  readonly neurons?: number;
}

const MAX_LABELS = 8;
const TOP_TOKENS = 3;
/** Characters of the unit's text shown around the strongest token. */
const TEXT_WINDOW = 320;

export function hoverMarkdown(input: HoverInput): string {
  const e = input.explanation;
  const parts = [
    `**STC Lens** · ${escapeMarkdown(input.classifierName)}: **${escapeMarkdown(e.label)}** ${formatPercent(e.proba[e.labelIndex] ?? 0)}`,
    goldNote(e, input.gold),
    probabilityTable(e, input.gold),
    neuronTable(e, input.neurons ?? 5),
    tokenNote(e),
    e.truncated ? '*The text is longer than the model reads; its end did not count.*' : '',
    commandLink('Open the Layer Explorer', OPEN_EXPLORER, [], 'Open the Layer Explorer'),
  ];
  return parts.filter((p) => p !== '').join('\n\n');
}

function goldNote(e: Explanation, gold: string | undefined): string {
  if (gold === undefined) return '';
  if (!e.labels.includes(gold)) return `Gold label **${escapeMarkdown(gold)}**, which this classifier does not know.`;
  if (gold === e.label) return `Gold label **${escapeMarkdown(gold)}**: agrees.`;
  return `⚠ Gold label **${escapeMarkdown(gold)}** differs from the prediction: a possible labelling error.`;
}

function probabilityTable(e: Explanation, gold: string | undefined): string {
  const order = e.labels.map((_, i) => i).sort((a, b) => (e.proba[b] ?? 0) - (e.proba[a] ?? 0) || a - b);
  const rows = order.slice(0, MAX_LABELS).map((i) => {
    const label = e.labels[i] as string;
    const p = e.proba[i] ?? 0;
    const name = i === e.labelIndex ? `**${escapeMarkdown(label)}**` : escapeMarkdown(label);
    return `| ${name}${label === gold ? ' (gold)' : ''} | ${bar(p)} | ${formatPercent(p)} |`;
  });
  const rest = order.length > MAX_LABELS ? `\n\n*${order.length - MAX_LABELS} more labels below ${formatPercent(e.proba[order[MAX_LABELS] as number] ?? 0)}*` : '';
  return ['| label | | probability |', '|:--|:--|--:|', ...rows].join('\n') + rest;
}

function neuronTable(e: Explanation, count: number): string {
  const top = e.contributions.slice(0, count);
  if (top.length === 0) return '';
  const label = escapeMarkdown(e.label);
  const rows = top.map((c) => {
    const link = commandLink(c.name, SHOW_NEURON, [c.name], 'Show this neuron in the Layer Explorer');
    return `| ${link} | ${c.value.toFixed(3)} | ${signed(c.standardised)} | ${signed(c.contribution)} |`;
  });
  return [`| neuron | value | z | toward **${label}** |`, '|:--|--:|--:|--:|', ...rows].join('\n');
}

function signed(x: number): string {
  return `${x >= 0 ? '+' : '-'}${Math.abs(x).toFixed(2)}`;
}

/** The unit's text with the tokens where the top neuron is highest in bold. */
function tokenNote(e: Explanation): string {
  const neuron = e.onTokens[0];
  if (neuron === undefined) return '';
  const strongest = strongestTokens(e.tokens, neuron);
  if (strongest.length === 0) return '';
  const list = strongest
    .map((i) => `“${escapeMarkdown(e.text.slice((e.tokens[i] as TokenSpan).start, (e.tokens[i] as TokenSpan).end))}” (${(neuron.values[i] ?? 0).toFixed(2)})`)
    .join(', ');
  return `Where **${escapeMarkdown(neuron.name)}** fires most: ${list}\n\n> ${highlighted(e.text, strongest.map((i) => e.tokens[i] as TokenSpan))}`;
}

/** Indices of the placed tokens with the highest values, above the tokens' mean, strongest first. */
export function strongestTokens(tokens: readonly TokenSpan[], neuron: NeuronOnTokens, count = TOP_TOKENS): number[] {
  const placed = tokens.map((t, i) => i).filter((i) => {
    const t = tokens[i] as TokenSpan;
    return !t.special && t.end > t.start && Number.isFinite(neuron.values[i]);
  });
  if (placed.length === 0) return [];
  const mean = placed.reduce((s, i) => s + (neuron.values[i] as number), 0) / placed.length;
  return placed
    .filter((i) => (neuron.values[i] as number) > mean || placed.length === 1)
    .sort((a, b) => (neuron.values[b] as number) - (neuron.values[a] as number) || a - b)
    .slice(0, count);
}

/** The text (a window of it around the strongest token when long), escaped, with the given spans
 *  in bold. A span's punctuation at either end stays outside the bold markers, where CommonMark
 *  could otherwise refuse to close them. */
export function highlighted(text: string, spans: readonly TokenSpan[]): string {
  const first = spans[0];
  let from = 0;
  let to = text.length;
  if (text.length > TEXT_WINDOW && first !== undefined) {
    from = Math.max(0, Math.min(first.start - TEXT_WINDOW / 2, text.length - TEXT_WINDOW));
    to = from + TEXT_WINDOW;
  }
  const marks = spans
    .map((s) => trimToWord(text, s.start, s.end))
    .filter((s) => s.end > s.start && s.start >= from && s.end <= to)
    .sort((a, b) => a.start - b.start)
    // Touching spans (the pieces of one word) become one: `**love****d**` is not bold in CommonMark.
    .reduce<{ start: number; end: number }[]>((merged, m) => {
      const last = merged[merged.length - 1];
      if (last && m.start <= last.end) last.end = Math.max(last.end, m.end);
      else merged.push({ ...m });
      return merged;
    }, []);
  let out = from > 0 ? '… ' : '';
  let at = from;
  for (const m of marks) {
    out += escapeMarkdown(text.slice(at, m.start)) + `**${escapeMarkdown(text.slice(m.start, m.end))}**`;
    at = m.end;
  }
  out += escapeMarkdown(text.slice(at, to));
  return to < text.length ? `${out} …` : out;
}

function trimToWord(text: string, start: number, end: number): { start: number; end: number } {
  const word = /[\p{L}\p{N}]/u;
  while (start < end && !word.test(text[start] as string)) start++;
  while (end > start && !word.test(text[end - 1] as string)) end--;
  return { start, end };
}
