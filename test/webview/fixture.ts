// The recorded report fixture (a real trainStc run, see record-report.ts) and its examples.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { ExampleRow } from '../../src/core/artifact/types';
import type { Explanation } from '../../src/core/explain/types';
import type { StcReport } from '../../src/core/stc/report';

const DIR = path.resolve(import.meta.dirname, '../fixtures/report');

export function recordedReport(): StcReport {
  return JSON.parse(readFileSync(path.join(DIR, 'sentiment.report.json'), 'utf8')) as StcReport;
}

export function recordedExamples(): Map<number, ExampleRow> {
  const rows = JSON.parse(readFileSync(path.join(DIR, 'sentiment.examples.json'), 'utf8')) as ExampleRow[];
  return new Map(rows.map((r) => [r.row, r]));
}

/** An explanation of `text` as explainText would give it for the report's classifier, with every
 *  neuron at standardised value z_j = (-1)^j (j + 1) / 4 and the first neuron placed on the tokens. */
export function fakeExplanation(report: StcReport, text: string): Explanation {
  const { classifier, data } = report;
  const K = classifier.nClasses;
  const scores = [...classifier.intercepts];
  const raw = classifier.neurons.map((n, j) => {
    const z = ((j % 2 === 0 ? 1 : -1) * (j + 1)) / 4;
    n.weights.forEach((w, o) => (scores[o] = (scores[o] ?? 0) + w * z));
    return { n, z };
  });
  const exp = scores.map((s) => Math.exp(s - Math.max(...scores)));
  const proba = exp.map((e) => e / exp.reduce((a, b) => a + b, 0));
  const labelIndex = proba.indexOf(Math.max(...proba));
  const contributions = raw
    .map(({ n, z }) => {
      const byLabel = K === 2 ? [-(n.weights[0] ?? 0) * z, (n.weights[0] ?? 0) * z] : n.weights.map((w) => w * z);
      return { name: n.name, value: z * n.scale + n.mean, standardised: z, byLabel, contribution: byLabel[labelIndex] ?? 0 };
    })
    .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution) || a.name.localeCompare(b.name));
  const words = [...text.matchAll(/\S+/g)];
  const tokens = words.map((m) => ({ token: m[0], start: m.index, end: m.index + m[0].length, special: false }));
  const first = contributions[0];
  return {
    text,
    labels: data.classes,
    labelIndex,
    label: data.classes[labelIndex] ?? '',
    proba,
    intercepts: [...classifier.intercepts],
    contributions,
    tokens,
    onTokens: first ? [{ name: first.name, values: tokens.map((_, i) => (i % 3 === 1 ? 2.5 : 0.1 * i)) }] : [],
    truncated: false,
  };
}
