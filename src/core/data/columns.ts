// Which column holds the text and which the label: named by the user, else recognised by name,
// else guessed from the values. When several columns are plausible the choice is reported as
// ambiguous, with the candidates, so that a UI can ask.
import { DataError } from './errors';
import type { RawTable } from './table';

export interface ColumnGuess {
  /** The column used: the one named, else the best candidate. */
  readonly column: string;
  /** Plausible columns, best first; `column` is the first. */
  readonly candidates: readonly string[];
  /** True when the choice is a guess between several plausible columns: ask the user. */
  readonly ambiguous: boolean;
  /** True when the user named the column. */
  readonly named: boolean;
}

export interface ColumnChoice {
  readonly text: ColumnGuess;
  readonly label: ColumnGuess;
}

export interface ColumnRequest {
  readonly textColumn?: string | undefined;
  readonly labelColumn?: string | undefined;
}

/** Names (lower-case, without punctuation) in order of preference. */
const TEXT_NAMES = [
  'text', 'sentence', 'review', 'content', 'document', 'body', 'tweet', 'message', 'utterance', 'input',
  'comment', 'post', 'question', 'query', 'passage', 'abstract', 'headline', 'description', 'sms', 'email',
  'doc', 'sent',
];
const LABEL_NAMES = [
  'label', 'labels', 'class', 'category', 'target', 'y', 'sentiment', 'intent', 'gold', 'goldlabel', 'tag',
  'topic', 'emotion', 'polarity', 'stance', 'classname', 'output', 'annotation',
];

/** Rows looked at to judge columns by their values. */
const DETECTION_SAMPLE = 1000;

interface ColumnStats {
  readonly name: string;
  readonly rows: number; // rows looked at
  readonly present: number; // non-empty cells
  readonly prose: number; // strings that are not numbers
  readonly meanLength: number; // of string cells
  readonly distinct: number; // distinct scalar values (capped)
  readonly compound: number; // lists and objects
}

export function chooseColumns(table: RawTable, request: ColumnRequest = {}): ColumnChoice {
  const { file, columns } = table;
  if (columns.length < 2) {
    throw new DataError(
      'column',
      { file },
      columns.length === 0
        ? 'the file has no columns; it needs a text column and a label column.'
        : `the file has one column ("${columns[0]}"); it needs a text column and a label column` +
          (table.format === 'csv' || table.format === 'tsv' ? ', separated by a comma or a tab.' : '.'),
    );
  }
  if (table.records.length === 0) throw new DataError('empty', { file }, 'the file has no data rows.');
  const stats = columns.map((c, i) => columnStats(table, c, i));
  const namedText = request.textColumn === undefined ? undefined : resolveName(request.textColumn, 'text', table);
  const namedLabel = request.labelColumn === undefined ? undefined : resolveName(request.labelColumn, 'label', table);
  if (namedText !== undefined && namedText === namedLabel) {
    throw new DataError('column', { file, column: namedText }, 'the text and the label cannot be the same column.');
  }

  const textByName = byName(stats, TEXT_NAMES, isProse, namedLabel);
  const text: ColumnGuess =
    namedText !== undefined
      ? named(namedText)
      : textByName.names.length > 0
        ? fromNames(textByName)
        : textByValues(stats, namedLabel ?? byName(stats, LABEL_NAMES, isLabelLike, undefined).names[0], file);
  const labelByName = byName(stats, LABEL_NAMES, isLabelLike, text.column);
  const label: ColumnGuess =
    namedLabel !== undefined
      ? named(namedLabel)
      : labelByName.names.length > 0
        ? fromNames(labelByName)
        : labelByValues(stats, text.column, file);
  return { text, label };
}

function named(column: string): ColumnGuess {
  return { column, candidates: [column], ambiguous: false, named: true };
}

/** A column the user named: exactly, else the one column equal to it ignoring case. */
function resolveName(name: string, role: 'text' | 'label', table: RawTable): string {
  if (table.columns.includes(name)) return name;
  const folded = table.columns.filter((c) => c.toLowerCase() === name.trim().toLowerCase());
  if (folded.length === 1) return folded[0] as string;
  throw new DataError(
    'column',
    { file: table.file },
    `there is no column "${name}" to use as the ${role}; the columns are ${table.columns.map((c) => `"${c}"`).join(', ')}.`,
  );
}

interface NameMatches {
  readonly names: string[];
  /** How many matched a known name exactly (the others contain one as a word, like "review_text"). */
  readonly exact: number;
}

function byName(
  stats: readonly ColumnStats[],
  known: readonly string[],
  plausible: (s: ColumnStats) => boolean,
  exclude: string | undefined,
): NameMatches {
  // "label_text", "label_name": a name with a label word is never the text.
  const excluded = known === TEXT_NAMES ? LABEL_NAMES : [];
  const rank = (s: ColumnStats): number => known.indexOf(s.name.toLowerCase().replace(/[^a-z0-9]/g, ''));
  const usable = stats.filter((s) => s.name !== exclude);
  // An empty column with a known name still counts (its rows are reported as empty), after the others.
  const exact = usable
    .filter((s) => rank(s) >= 0)
    .sort((a, b) => Number(a.present === 0) - Number(b.present === 0) || rank(a) - rank(b));
  const wordRank = (s: ColumnStats): number => {
    const ws = words(s.name);
    const ranks = ws.map((w) => known.indexOf(w)).filter((r) => r >= 0);
    return ranks.length === 0 || ws.some((w) => excluded.includes(w)) ? -1 : Math.min(...ranks);
  };
  const partial = usable
    .filter((s) => rank(s) < 0 && wordRank(s) >= 0 && plausible(s))
    .sort((a, b) => wordRank(a) - wordRank(b));
  return { names: [...exact, ...partial].map((s) => s.name), exact: exact.length };
}

function fromNames(m: NameMatches): ColumnGuess {
  const { names, exact } = m;
  // Confident when one column has a known name; or none does and one contains a known word.
  const ambiguous = exact > 1 || (exact === 0 && names.length > 1);
  return { column: names[0] as string, candidates: names, ambiguous, named: false };
}

/** "reviewText", "review_text", "Review Text" -> ["review", "text"]. */
function words(name: string): string[] {
  return name
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '');
}

function isProse(s: ColumnStats): boolean {
  return s.present > 0 && s.prose >= 0.9 * s.present;
}

/** Scalars, in most rows, with few distinct values for the number of rows. */
function isLabelLike(s: ColumnStats): boolean {
  return s.compound === 0 && s.present >= 0.5 * s.rows && s.distinct <= Math.max(2, Math.floor(s.rows / 2));
}

/** No column has a text-like name: the column of the longest strings. */
function textByValues(stats: readonly ColumnStats[], exclude: string | undefined, file: string): ColumnGuess {
  const candidates = stats.filter((s) => s.name !== exclude && isProse(s)).sort((a, b) => b.meanLength - a.meanLength);
  const [best, second] = candidates;
  if (best === undefined) {
    throw new DataError(
      'column',
      { file },
      'no column holds text (strings that are not numbers); name the text column.',
    );
  }
  return {
    column: best.name,
    candidates: candidates.map((s) => s.name),
    ambiguous: second !== undefined && second.meanLength >= 0.5 * best.meanLength,
    named: false,
  };
}

/** No column has a label-like name: a column with few distinct values for its number of rows. */
function labelByValues(stats: readonly ColumnStats[], text: string, file: string): ColumnGuess {
  const candidates = stats
    .filter((s) => s.name !== text && isLabelLike(s))
    // Two or more classes before a constant column; then fewer classes first.
    .sort((a, b) => Number(a.distinct < 2) - Number(b.distinct < 2) || a.distinct - b.distinct);
  const [best] = candidates;
  if (best === undefined) {
    throw new DataError(
      'column',
      { file },
      `no column looks like a label (a column with few distinct values) besides the text column "${text}"; ` +
        'name the label column.',
    );
  }
  return { column: best.name, candidates: candidates.map((s) => s.name), ambiguous: candidates.length > 1, named: false };
}

const NUMBER = /^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$/;
const DISTINCT_CAP = DETECTION_SAMPLE + 1;

function columnStats(table: RawTable, name: string, index: number): ColumnStats {
  let present = 0;
  let prose = 0;
  let length = 0;
  let strings = 0;
  let compound = 0;
  const distinct = new Set<string>();
  const n = Math.min(table.records.length, DETECTION_SAMPLE);
  for (let r = 0; r < n; r++) {
    const v = table.records[r]?.cells[index];
    if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) continue;
    present++;
    if (typeof v === 'string') {
      strings++;
      length += v.length;
      if (!NUMBER.test(v)) prose++;
      if (distinct.size < DISTINCT_CAP) distinct.add(v.trim());
    } else if (typeof v === 'number' || typeof v === 'boolean') {
      if (distinct.size < DISTINCT_CAP) distinct.add(String(v));
    } else compound++;
  }
  return { name, rows: n, present, prose, meanLength: strings === 0 ? 0 : length / strings, distinct: distinct.size, compound };
}
