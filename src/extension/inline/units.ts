// The units inline classification labels: lines, paragraphs or sentences of prose, or the rows of
// a labelled data file (their text column, with the gold label when there is one). Pure: the
// document is its text and its path.
import { chooseColumns } from '../../core/data/columns';
import { formatOfPath, readTable } from '../../core/data/read';
import type { FileFormat } from '../../core/data/read';
import type { RawTable } from '../../core/data/table';
import { hasContent, LineIndex } from './text';
import type { TextPosition } from './text';

export type UnitMode = 'line' | 'paragraph' | 'sentence';

export interface Unit {
  /** What the classifier reads. */
  readonly text: string;
  readonly start: TextPosition;
  /** End of the unit (exclusive); its label is shown here. */
  readonly end: TextPosition;
  /** The row's label in a labelled data file; undefined in prose and in rows without one. */
  readonly gold?: string;
}

export interface SplitResult {
  readonly units: readonly Unit[];
  /** Set when a data file could not be read as a table (e.g. half-typed quotes): why. */
  readonly problem?: string;
}

/** The data format a path's extension implies, or undefined for prose. */
export function dataFormatOf(path: string): FileFormat | undefined {
  try {
    return formatOfPath(path);
  } catch {
    return undefined;
  }
}

export function splitDocument(text: string, path: string, mode: UnitMode, languageId: string): SplitResult {
  const format = dataFormatOf(path);
  if (format !== undefined) return splitTable(text, format, path);
  return { units: splitProse(text, mode, languageId === 'markdown') };
}

// ---------------------------------------------------------------------------------------------
// Prose

type LineKind = 'blank' | 'code' | 'heading' | 'item' | 'text';

interface ProseLine {
  readonly kind: LineKind;
  /** Offset of the first character after block markup (#, >, list markers) and indentation. */
  readonly contentStart: number;
  /** Offset of the end of the line's text, trailing whitespace excluded. */
  readonly contentEnd: number;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const HEADING = /^ {0,3}#{1,6}(?:\s+|$)/;
const ITEM = /^\s*(?:[-*+]|\d{1,9}[.)])\s+/;
const QUOTE = /^ {0,3}>\s?/;

/** Lines classified for Markdown: code blocks and front matter are not prose, and block markup is
 *  not part of the text. Plain text keeps every line as it is. */
function proseLines(text: string, index: LineIndex, markdown: boolean): ProseLine[] {
  const lines: ProseLine[] = [];
  let fence: string | undefined;
  for (let line = 0; line < index.lineCount; line++) {
    const start = index.lineStart(line);
    const raw = lineText(text, index, line);
    const end = start + raw.trimEnd().length;
    if (!markdown) {
      const kind = raw.trim() === '' ? 'blank' : 'text';
      lines.push({ kind, contentStart: start + (raw.length - raw.trimStart().length), contentEnd: end });
      continue;
    }
    const fenceMatch = FENCE.exec(raw);
    if (fence !== undefined) {
      if (fenceMatch?.[1]?.startsWith(fence)) fence = undefined;
      lines.push({ kind: 'code', contentStart: end, contentEnd: end });
      continue;
    }
    if (fenceMatch !== null) {
      fence = (fenceMatch[1] as string).slice(0, 3);
      lines.push({ kind: 'code', contentStart: end, contentEnd: end });
      continue;
    }
    let body = raw;
    for (let m = QUOTE.exec(body); m !== null; m = QUOTE.exec(body)) body = body.slice(m[0].length);
    const heading = HEADING.exec(body);
    const item = heading === null ? ITEM.exec(body) : null;
    const kind: LineKind = heading !== null ? 'heading' : item !== null ? 'item' : 'text';
    body = body.slice((heading ?? item)?.[0].length ?? 0);
    const contentStart = start + raw.length - body.trimStart().length;
    lines.push({ kind: body.trim() === '' ? 'blank' : kind, contentStart, contentEnd: Math.max(contentStart, end) });
  }
  if (markdown) markFrontMatter(text, index, lines);
  return lines;
}

/** YAML front matter (--- on the first line up to the next ---) is metadata, not prose. */
function markFrontMatter(text: string, index: LineIndex, lines: ProseLine[]): void {
  if (lineText(text, index, 0).trimEnd() !== '---') return;
  for (let line = 1; line < lines.length; line++) {
    if (lineText(text, index, line).trimEnd() === '---') {
      for (let l = 0; l <= line; l++) lines[l] = { kind: 'code', contentStart: 0, contentEnd: 0 };
      return;
    }
  }
}

function lineText(text: string, index: LineIndex, line: number): string {
  const start = index.lineStart(line);
  const next = Math.min(index.lineStart(line + 1), text.length);
  return text.slice(start, next).replace(/[\r\n]+$/, '');
}

/** Paragraphs as runs of line numbers: blank lines and code end one; a heading is one by itself;
 *  a list item starts one. */
function paragraphs(lines: readonly ProseLine[]): number[][] {
  const runs: number[][] = [];
  let current: number[] = [];
  const close = (): void => {
    if (current.length > 0) runs.push(current);
    current = [];
  };
  lines.forEach((l, i) => {
    if (l.kind === 'blank' || l.kind === 'code') return close();
    if (l.kind === 'heading' || l.kind === 'item') close();
    current.push(i);
    if (l.kind === 'heading') close();
  });
  close();
  return runs;
}

function splitProse(text: string, mode: UnitMode, markdown: boolean): Unit[] {
  const index = new LineIndex(text);
  const lines = proseLines(text, index, markdown);
  const units: Unit[] = [];
  const add = (start: number, end: number, unitText: string): void => {
    if (hasContent(unitText)) units.push({ text: unitText, start: index.positionAt(start), end: index.positionAt(end) });
  };
  if (mode === 'line') {
    for (const l of lines) if (l.kind !== 'blank' && l.kind !== 'code') add(l.contentStart, l.contentEnd, text.slice(l.contentStart, l.contentEnd));
    return units;
  }
  for (const run of paragraphs(lines)) {
    const parts = run.map((i) => lines[i] as ProseLine);
    if (mode === 'paragraph') {
      const joined = parts.map((l) => text.slice(l.contentStart, l.contentEnd)).join(' ');
      add((parts[0] as ProseLine).contentStart, (parts[parts.length - 1] as ProseLine).contentEnd, joined);
      continue;
    }
    for (const s of sentences(text, parts)) add(s.start, s.end, s.text);
  }
  return units;
}

interface Span {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

const SEGMENTER = new Intl.Segmenter(undefined, { granularity: 'sentence' });

/** Sentences of one paragraph, placed on the document. The paragraph is segmented as one string
 *  whose line breaks and markup are blanked out, so offsets into it are document offsets. */
function sentences(text: string, parts: readonly ProseLine[]): Span[] {
  const first = (parts[0] as ProseLine).contentStart;
  const last = (parts[parts.length - 1] as ProseLine).contentEnd;
  const chars = text.slice(first, last).split('');
  // Markup and line breaks between lines become spaces, keeping every offset in place.
  for (let i = 1; i < parts.length; i++) {
    const previous = parts[i - 1] as ProseLine;
    const current = parts[i] as ProseLine;
    for (let o = previous.contentEnd; o < current.contentStart; o++) chars[o - first] = ' ';
  }
  const paragraph = chars.join('');
  const spans: Span[] = [];
  for (const segment of SEGMENTER.segment(paragraph)) {
    const lead = segment.segment.length - segment.segment.trimStart().length;
    const body = segment.segment.trim();
    if (body === '') continue;
    const start = first + segment.index + lead;
    spans.push({ start, end: start + body.length, text: body.replace(/\s+/g, ' ') });
  }
  return spans;
}

// ---------------------------------------------------------------------------------------------
// Labelled data files

function splitTable(text: string, format: FileFormat, path: string): SplitResult {
  let table: RawTable;
  let textColumn: number;
  let labelColumn: number | undefined;
  try {
    table = readTable(text, format, path, true);
    if (table.columns.length === 1) {
      textColumn = 0; // a file of texts to classify, without labels
    } else {
      const choice = chooseColumns(table);
      textColumn = table.columns.indexOf(choice.text.column);
      labelColumn = table.columns.indexOf(choice.label.column);
    }
  } catch (e) {
    return { units: [], problem: e instanceof Error ? e.message : String(e) };
  }
  const index = new LineIndex(text);
  const units: Unit[] = [];
  table.records.forEach((record, i) => {
    const cell = record.cells[textColumn];
    if (typeof cell !== 'string' || !hasContent(cell)) return;
    const startLine = record.line - 1;
    const next = table.records[i + 1];
    const endLine = lastContentLine(text, index, startLine, next === undefined ? index.lineCount - 1 : next.line - 2);
    const gold = labelColumn === undefined ? undefined : goldLabel(record.cells[labelColumn]);
    units.push({
      text: cell,
      start: { line: startLine, character: 0 },
      end: { line: endLine, character: lineText(text, index, endLine).length },
      ...(gold === undefined ? {} : { gold }),
    });
  });
  return { units };
}

/** The last line in [from, to] with content, else `from`: a record's label goes after its text,
 *  not after the blank lines that follow it. */
function lastContentLine(text: string, index: LineIndex, from: number, to: number): number {
  for (let line = to; line > from; line--) if (hasContent(lineText(text, index, line))) return line;
  return from;
}

/** As src/core/data reads labels: trimmed strings, JSON scalars as written; anything else none. */
function goldLabel(cell: unknown): string | undefined {
  if (typeof cell === 'string') return cell.trim() === '' ? undefined : cell.trim();
  if (typeof cell === 'number' || typeof cell === 'boolean') return String(cell);
  return undefined;
}
