// From a path and its text to a RawTable, whatever the format.
import { extname } from 'node:path';
import { readDelimited } from './delimited';
import { DataError } from './errors';
import { readJsonArray } from './json';
import { readJsonl } from './jsonl';
import type { DataFormat, RawTable } from './table';

export type FileFormat = Exclude<DataFormat, 'folder'>;

const EXTENSIONS: Readonly<Record<string, FileFormat>> = {
  '.csv': 'csv',
  '.tsv': 'tsv',
  '.tab': 'tsv',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.json': 'json',
};

export const SUPPORTED =
  'CSV or TSV with a header row (.csv, .tsv), JSON Lines (.jsonl), a JSON array of objects (.json), ' +
  'or a folder with one subfolder of .txt files per label';

export function formatOfPath(path: string): FileFormat {
  const ext = extname(path).toLowerCase();
  const format = EXTENSIONS[ext];
  if (format === undefined) {
    throw new DataError(
      'format',
      { file: path },
      `${ext === '' ? 'a file without an extension' : `"${ext}" files`} cannot be read as labeled data; use ${SUPPORTED}.`,
    );
  }
  return format;
}

/**
 * `complete` is false when `text` is only the start of the file (sniffing). A .json file whose
 * first character is "{" is read as JSON Lines, which many tools write under that extension.
 */
export function readTable(text: string, format: FileFormat, file: string, complete: boolean): RawTable {
  if (complete && text.trim() === '') throw new DataError('empty', { file }, 'the file is empty.');
  switch (format) {
    case 'csv':
    case 'tsv':
      return readDelimited(text, format, file, complete);
    case 'jsonl':
      return readJsonl(text, file, complete);
    case 'json':
      if (text.trimStart().startsWith('{')) return readJsonObjects(text, file, complete);
      return readJsonArray(text, file, complete);
  }
}

function readJsonObjects(text: string, file: string, complete: boolean): RawTable {
  try {
    return readJsonl(text, file, complete);
  } catch (e) {
    const whole = complete ? parseOrUndefined(text) : undefined;
    if (typeof whole === 'object' && whole !== null && !Array.isArray(whole)) {
      const keys = Object.keys(whole).slice(0, 5).map((k) => `"${k}"`).join(', ');
      throw new DataError(
        'format',
        { file },
        `the file holds a single JSON object (keys ${keys}); expected a JSON array of objects ` +
          '([{"text": "...", "label": "..."}, ...]) or JSON Lines (one object per line).',
      );
    }
    throw e;
  }
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
