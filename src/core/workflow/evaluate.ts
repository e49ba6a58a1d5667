// Scoring a saved classifier on a labelled file, and the plain-text report of it that the CLI
// prints and the extension shows.

import { encodeLabels, loadDataset } from '../data';
import type { DataWarning } from '../data';
import type { ClassifierRuntime } from '../infer/types';
import { classificationMetrics } from '../learn/metrics';
import type { ClassificationMetrics } from '../learn/metrics';

export interface EvaluateOptions {
  readonly data: string;
  readonly textColumn?: string;
  readonly labelColumn?: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface EvaluatedRow {
  /** The row in the data file (DataLocation.row). */
  readonly row: number;
  readonly text: string;
  readonly gold: string;
  readonly predicted: string;
  /** Probability of the predicted label. */
  readonly confidence: number;
}

export interface Evaluation {
  readonly file: string;
  /** The classifier's labels, in its class order (the order of metrics.perClass and confusion). */
  readonly labels: string[];
  readonly metrics: ClassificationMetrics;
  readonly rows: EvaluatedRow[];
  /** Rows the loader skipped (empty text, no label) and guesses it made. */
  readonly skipped: DataWarning[];
}

/**
 * Classifies every row of a labelled file. Labels the classifier does not know are a DataError
 * naming them and where they first occur, raised before any text is classified.
 */
export async function evaluateClassifier(runtime: ClassifierRuntime, options: EvaluateOptions): Promise<Evaluation> {
  const dataset = await loadDataset(options.data, { textColumn: options.textColumn, labelColumn: options.labelColumn });
  const labels = [...runtime.saved.manifest.labels];
  const gold = encodeLabels(dataset, labels);
  const predictions = await runtime.classify(dataset.texts, {
    ...(options.signal && { signal: options.signal }),
    ...(options.onProgress && { onProgress: options.onProgress }),
  });
  const n = predictions.length;
  const predicted = new Int32Array(n);
  const proba = new Float64Array(n * labels.length);
  const rows: EvaluatedRow[] = predictions.map((p, i) => {
    predicted[i] = p.labelIndex;
    proba.set(p.proba, i * labels.length);
    return {
      row: dataset.rows[i] as number,
      text: dataset.texts[i] as string,
      gold: dataset.labels[i] as string,
      predicted: p.label,
      confidence: p.proba[p.labelIndex] as number,
    };
  });
  return {
    file: dataset.source,
    labels,
    metrics: classificationMetrics(gold, predicted, labels.length, proba),
    rows,
    skipped: [...dataset.warnings],
  };
}

const percent = (x: number): string => `${(100 * x).toFixed(1)}%`;

/** Columns padded to their widest cell: the first `left` columns (names) left-aligned, the others
 *  (numbers) right-aligned. */
export function alignColumns(rows: readonly (readonly string[])[], left = 1): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, c) => (widths[c] = Math.max(widths[c] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, c) => (c < left ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/** The readable report: overall scores, per-class precision/recall/F1/support, and the confusion
 *  matrix with label names (rows: gold label, columns: predicted). */
export function formatEvaluation(e: Evaluation): string {
  const { metrics, labels } = e;
  const total = e.rows.length;
  const lines = [
    `Evaluation of ${total} row${total === 1 ? '' : 's'} from ${e.file}`,
    '',
    `accuracy   ${percent(metrics.accuracy)}`,
    `macro-F1   ${percent(metrics.macroF1)}`,
    ...(metrics.logLoss === undefined ? [] : [`log loss   ${metrics.logLoss.toFixed(4)}`]),
    '',
    ...alignColumns([
      ['label', 'precision', 'recall', 'F1', 'support'],
      ...metrics.perClass.map((c, k) => [labels[k] ?? String(k), percent(c.precision), percent(c.recall), percent(c.f1), String(c.support)]),
    ]),
    '',
    'confusion matrix (rows: gold label, columns: predicted)',
    ...alignColumns([
      ['gold \\ predicted', ...labels],
      ...metrics.confusion.map((row, t) => [labels[t] ?? String(t), ...row.map(String)]),
    ]),
  ];
  if (e.skipped.length > 0) lines.push('', 'notes:', ...e.skipped.map((w) => `  ${w.message}`));
  return lines.join('\n');
}
