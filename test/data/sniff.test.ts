import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataError, sniff } from '../../src/core/data';

const fixture = (name: string): string => join(import.meta.dirname, '..', 'fixtures', 'data', name);

function withTemp(files: Record<string, string>, body: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'stc-sniff-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return body(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

test('a small file is read whole: exact rows, columns, detection, labels', async () => {
  const s = await sniff(fixture('quoted.csv'));
  assert.equal(s.format, 'csv');
  assert.equal(s.rowsExact, true);
  assert.equal(s.rows, 6); // data rows, blank line excluded; rows to be skipped included
  assert.deepEqual(s.columns, ['column 1', 'review', 'sentiment']);
  assert.equal(s.detected?.text.column, 'review');
  assert.equal(s.detected?.label.column, 'sentiment');
  assert.deepEqual(s.labels, ['negative', 'positive']);
});

test('folder per label: file count and label folders, without reading the texts', async () => {
  const s = await sniff(fixture('folder'));
  assert.deepEqual([s.format, s.rows, s.rowsExact, s.detected, s.labels], ['folder', 4, true, null, ['neg', 'pos']]);
  assert.equal(s.bytes, 13 + 23 + 5 + 3);
});

test('a large file is sampled: rows estimated from the first bytes', async () => {
  const n = 20_000;
  const rows = Array.from({ length: n }, (_, i) => ({ text: `review number ${i} ${'é'.repeat(i % 7)}`, label: ['a', 'b', 'c'][i % 3] }));
  await withTemp(
    {
      'big.csv': `text,label\n${rows.map((r) => `${r.text},${r.label}`).join('\n')}\n`,
      'big.jsonl': rows.map((r) => JSON.stringify(r)).join('\n'),
      'big.json': `[\n${rows.map((r) => JSON.stringify(r)).join(',\n')}\n]`,
    },
    async (dir) => {
      for (const name of ['big.csv', 'big.jsonl', 'big.json']) {
        const s = await sniff(join(dir, name), { maxBytes: 32 * 1024 });
        assert.equal(s.rowsExact, false, name);
        assert.ok(Math.abs(s.rows - n) / n < 0.05, `${name}: estimated ${s.rows} rows for ${n}`);
        assert.deepEqual(s.labels, ['a', 'b', 'c'], name);
        assert.equal(s.detected?.text.column, 'text', name);
      }
    },
  );
});

test('a first record longer than the sample is still found', async () => {
  const long = 'x'.repeat(100_000);
  await withTemp({ 'long.jsonl': `${JSON.stringify({ text: long, label: 'a' })}\n${JSON.stringify({ text: 'b', label: 'b' })}\n`.repeat(3) }, async (dir) => {
    const s = await sniff(join(dir, 'long.jsonl'), { maxBytes: 1000 });
    assert.equal(s.detected?.label.column, 'label');
  });
});

test('files that are not labeled text fail as loading would', async () => {
  await assert.rejects(sniff(fixture('binary.csv')), (e: unknown) => e instanceof DataError && e.code === 'binary');
  await assert.rejects(sniff(fixture('ragged.csv')), (e: unknown) => e instanceof DataError && e.code === 'ragged');
});
