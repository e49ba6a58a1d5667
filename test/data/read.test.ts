import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readTable } from '../../src/core/data/read';
import type { FileFormat } from '../../src/core/data/read';

const fixtureText = (name: string): string => readFileSync(join(import.meta.dirname, '..', 'fixtures', 'data', name), 'utf8').replace(/^\ufeff/, '');

test('every prefix of a file reads as a prefix of its records (what sniffing relies on)', () => {
  const cases: [string, FileFormat][] = [
    ['quoted.csv', 'csv'],
    ['reviews.tsv', 'tsv'],
    ['good.jsonl', 'jsonl'],
    ['array.json', 'json'],
  ];
  for (const [name, format] of cases) {
    const text = fixtureText(name);
    const whole = readTable(text, format, name, true);
    for (let cut = 0; cut <= text.length; cut++) {
      const part = readTable(text.slice(0, cut), format, name, false);
      if (part.columns.length > 0) assert.deepEqual(part.columns.slice(0, whole.columns.length), whole.columns.slice(0, part.columns.length), `${name} cut at ${cut}`);
      assert.deepEqual(part.records.map((r) => [r.row, r.line]), whole.records.slice(0, part.records.length).map((r) => [r.row, r.line]), `${name} cut at ${cut}`);
      part.records.forEach((r, k) => {
        const full = whole.records[k];
        r.cells.forEach((cell, c) => assert.deepEqual(cell, full?.cells[whole.columns.indexOf(part.columns[c] as string)], `${name} cut at ${cut}`));
      });
    }
  }
});
