// What to classify and what to show for one document: units in view first, up to a limit, and
// only those whose text has no cached prediction yet.
import type { Unit } from './units';

export interface UnitPrediction {
  readonly label: string;
  readonly labelIndex: number;
  /** One probability per label of the classifier. */
  readonly proba: readonly number[];
}

/** Lines, both ends included, 0-based. */
export interface LineSpan {
  readonly start: number;
  readonly end: number;
}

export interface Plan {
  /** The units that get a label, visible ones first, at most the limit. */
  readonly units: readonly Unit[];
  /** Distinct texts among `units` without a prediction, in the same order: the work to do. */
  readonly pending: readonly string[];
  /** Units left without a label because of the limit. */
  readonly overLimit: number;
}

export function planUnits(
  units: readonly Unit[],
  visible: readonly LineSpan[],
  maxUnits: number,
  cached: (text: string) => boolean,
): Plan {
  const inView = (u: Unit): boolean => visible.some((v) => u.start.line <= v.end && u.end.line >= v.start);
  const ordered = [...units.filter(inView), ...units.filter((u) => !inView(u))];
  const chosen = ordered.slice(0, Math.max(0, maxUnits));
  const pending = new Set<string>();
  for (const u of chosen) if (!pending.has(u.text) && !cached(u.text)) pending.add(u.text);
  return { units: chosen, pending: [...pending], overLimit: units.length - chosen.length };
}

/** One unit's label as shown: where, what, and whether it contradicts the row's gold label. */
export interface InlineLabel {
  /** The unit's first line (0-based). */
  readonly startLine: number;
  /** The end of the unit, where the label is drawn (0-based). */
  readonly line: number;
  readonly character: number;
  readonly label: string;
  readonly labelIndex: number;
  readonly confidence: number;
  /** The row's gold label in a labelled data file. */
  readonly gold?: string;
  /** The gold label is one of the classifier's labels and the prediction differs. */
  readonly mismatch: boolean;
}

/** Labels for the units that have a prediction, in document order. A gold label the classifier
 *  does not know (another dataset's labels) is not a mismatch: it would mark every row. */
export function inlineLabels(
  units: readonly Unit[],
  lookup: (text: string) => UnitPrediction | undefined,
  classifierLabels: readonly string[],
): InlineLabel[] {
  const labels: InlineLabel[] = [];
  for (const u of units) {
    const p = lookup(u.text);
    if (p === undefined) continue;
    const mismatch = u.gold !== undefined && classifierLabels.includes(u.gold) && u.gold !== p.label;
    labels.push({
      startLine: u.start.line,
      line: u.end.line,
      character: u.end.character,
      label: p.label,
      labelIndex: p.labelIndex,
      confidence: p.proba[p.labelIndex] ?? 0,
      ...(u.gold === undefined ? {} : { gold: u.gold }),
      mismatch,
    });
  }
  return labels.sort((a, b) => a.line - b.line || a.character - b.character);
}

/** The unit under a position: the innermost (last starting) one that contains it. */
export function unitAt(units: readonly Unit[], line: number, character: number): Unit | undefined {
  const before = (a: { line: number; character: number }, b: { line: number; character: number }): boolean =>
    a.line < b.line || (a.line === b.line && a.character <= b.character);
  let found: Unit | undefined;
  for (const u of units) if (before(u.start, { line, character }) && before({ line, character }, u.end)) found = u;
  return found;
}
