// examples.json: the texts of the training rows that the report's neuron statistics cite (each
// neuron's top and bottom rows), so the neuron view can show them without the training data.
import type { StcReport } from '../stc';
import { ArtifactError } from './errors';
import { JsonCheck } from './json-check';
import type { ExampleRow } from './types';

/** Rows cited by neuronStats, ascending. */
export function citedRows(report: Pick<StcReport, 'neuronStats'>): number[] {
  const rows = new Set<number>();
  for (const s of report.neuronStats) for (const { row } of [...s.top, ...s.bottom]) rows.add(row);
  return [...rows].sort((a, b) => a - b);
}

/** The cited rows of `examples`, ascending; `where` names the folder being written for the error. */
export function examplesToSave(report: StcReport, examples: readonly ExampleRow[], where: string): ExampleRow[] {
  const byRow = new Map(examples.map((e) => [e.row, e]));
  const cited = citedRows(report);
  const missing = cited.filter((r) => !byRow.has(r));
  if (missing.length > 0) {
    throw new ArtifactError('invalid-examples', where, `cannot save: the examples lack row(s) ${missing.slice(0, 10).join(', ')} that the report's neuron statistics cite; pass the text of every cited row.`);
  }
  return cited.map((r) => {
    const { row, text, label } = byRow.get(r) as ExampleRow;
    return { row, text, label };
  });
}

export function serialiseExamples(rows: readonly ExampleRow[]): string {
  return JSON.stringify({ examples: rows });
}

/** Parses examples.json and checks that it has the text of every cited row. */
export function parseExamples(raw: unknown, file: string, report: StcReport, labels: readonly string[]): Map<number, ExampleRow> {
  const c = new JsonCheck(file, 'invalid-examples');
  const list = c.array(c.object(raw, 'the file').examples, 'examples');
  const out = new Map<number, ExampleRow>();
  list.forEach((value, i) => {
    const e = c.object(value, `examples[${i}]`);
    const row = c.integer(e.row, `examples[${i}].row`, 0);
    const text = c.string(e.text, `examples[${i}].text`);
    const label = c.oneOf(e.label, `examples[${i}].label`, labels);
    out.set(row, { row, text, label });
  });
  const missing = citedRows(report).filter((r) => !out.has(r));
  if (missing.length > 0) c.fail('examples', `lacks row(s) ${missing.slice(0, 10).join(', ')} cited by report.json's neuron statistics`);
  return out;
}
