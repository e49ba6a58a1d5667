// JSON Lines: one JSON object per line; blank lines are allowed.
import { DataError } from './errors';
import { describeJsonType, tableFromObjects } from './table';
import type { LocatedObject, RawTable } from './table';

/** `complete` is false when `text` is only the start of a file: its last, possibly cut, line is left out. */
export function readJsonl(text: string, file: string, complete: boolean): RawTable {
  const lines = text.split('\n');
  if (!complete) lines.pop();
  const objects: LocatedObject[] = [];
  lines.forEach((raw, i) => {
    const source = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (source.trim() === '') return;
    const line = i + 1;
    let value: unknown;
    try {
      value = JSON.parse(source);
    } catch (e) {
      throw new DataError(
        'syntax',
        { file, line },
        `this line is not valid JSON (${(e as Error).message}); each line must hold one complete JSON object.`,
      );
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new DataError(
        'format',
        { file, line },
        `expected a JSON object such as {"text": "...", "label": "..."}, found ${describeJsonType(value)}.`,
      );
    }
    objects.push({ row: line, line, value: value as Record<string, unknown> });
  });
  return tableFromObjects(file, 'jsonl', objects);
}
