// The label space: class names in a deterministic order, and labels as class indices.
import type { Dataset } from './dataset';
import { describeRow } from './dataset';
import { DataError } from './errors';

const NUMERIC = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

/**
 * The distinct labels, sorted: numerically when every label is a number ("2" before "10"), else by
 * UTF-16 code units (locale-independent, so the class order is the same on every machine).
 */
export function labelSpace(labels: Iterable<string>): string[] {
  const classes = [...new Set(labels)];
  const byCode = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  if (classes.every((c) => NUMERIC.test(c))) return classes.sort((a, b) => Number(a) - Number(b) || byCode(a, b));
  return classes.sort(byCode);
}

export function countLabels(labels: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  return counts;
}

/**
 * Labels as indices into `classes`. A label that is not a class (one that occurs only in a dev or
 * test file) is an error naming every such label, how often it occurs and where first.
 */
export function encodeLabels(dataset: Dataset, classes: readonly string[]): Int32Array {
  const index = new Map(classes.map((c, i) => [c, i]));
  const y = new Int32Array(dataset.labels.length);
  const unknown = new Map<string, { count: number; first: number }>();
  dataset.labels.forEach((label, i) => {
    const k = index.get(label);
    if (k !== undefined) y[i] = k;
    else {
      const u = unknown.get(label);
      if (u) u.count++;
      else unknown.set(label, { count: 1, first: i });
    }
  });
  const [firstUnknown] = unknown.values();
  if (firstUnknown !== undefined) {
    const listed = [...unknown]
      .slice(0, 10)
      .map(([label, u]) => `"${label}" (${u.count} row${u.count === 1 ? '' : 's'}, first at ${describeRow(dataset, u.first)})`)
      .join(', ');
    throw new DataError(
      'labels',
      { file: dataset.source, ...(dataset.labelColumn === null ? {} : { column: dataset.labelColumn }) },
      `${unknown.size === 1 ? 'a label does' : `${unknown.size} labels do`} not occur in the training data: ${listed}. ` +
        `The training labels are ${classes.map((c) => `"${c}"`).join(', ')}. Add training examples of ` +
        `${unknown.size === 1 ? 'it' : 'them'}, fix the spelling, or remove those rows.`,
    );
  }
  return y;
}
