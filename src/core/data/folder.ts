// Folder-per-label datasets: root/<label>/*.txt, one text per file (the layout of IMDb's aclImdb).
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Dataset } from './dataset';
import { decodeUtf8 } from './decode';
import { DataError, EXAMPLE_ROWS, tooLarge } from './errors';
import type { DataWarning } from './errors';

export interface LabelFolder {
  readonly label: string;
  /** Paths of its .txt files, sorted by name. */
  readonly files: readonly string[];
}

const isTextFile = (name: string): boolean => !name.startsWith('.') && name.toLowerCase().endsWith('.txt');

/** The label folders under `root` that hold .txt files, sorted by name; hidden folders are skipped. */
export async function listLabelFolders(root: string): Promise<LabelFolder[]> {
  const entries = await readdir(root, { withFileTypes: true });
  const folders: LabelFolder[] = [];
  const empty: string[] = [];
  for (const entry of entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).sort(byName)) {
    const dir = join(root, entry.name);
    const files = (await readdir(dir, { withFileTypes: true }))
      .filter((e) => e.isFile() && isTextFile(e.name))
      .sort(byName)
      .map((e) => join(dir, e.name));
    if (files.length > 0) folders.push({ label: entry.name, files });
    else empty.push(entry.name);
  }
  if (folders.length === 0) {
    const hint =
      empty.length > 0
        ? ` Its subfolders (${empty.slice(0, EXAMPLE_ROWS).join(', ')}) hold no .txt files: if the label folders are one level down, choose one of them.`
        : '';
    throw new DataError(
      'format',
      { file: root },
      `no label folders with .txt files; a folder dataset is <folder>/<label>/*.txt, one text per file.${hint}`,
    );
  }
  return folders;
}

function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Files read at once. */
const CONCURRENCY = 32;

export async function readFolderDataset(root: string, maxBytes: number): Promise<Dataset> {
  const folders = await listLabelFolders(root);
  const files = folders.flatMap((f) => f.files);
  const labelOfFile = folders.flatMap((f) => f.files.map(() => f.label));
  const sizes = await Promise.all(files.map(async (f) => (await stat(f)).size));
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total > maxBytes) throw tooLarge(root, total, maxBytes);

  const contents: string[] = [];
  for (let start = 0; start < files.length; start += CONCURRENCY) {
    const batch = files.slice(start, start + CONCURRENCY);
    contents.push(...(await Promise.all(batch.map(async (f) => decodeUtf8(await readFile(f), f)))));
  }

  const kept = files.map((_, i) => i).filter((i) => (contents[i] as string).trim() !== '');
  if (kept.length === 0) throw new DataError('empty', { file: root }, 'every .txt file in the label folders is empty.');
  const emptyFiles = files.filter((_, i) => (contents[i] as string).trim() === '');
  const warnings: DataWarning[] = [];
  if (emptyFiles.length > 0) {
    const examples = emptyFiles.slice(0, EXAMPLE_ROWS).join(', ');
    warnings.push({
      code: 'empty-text',
      message: `${root}: skipped ${emptyFiles.length} empty file${emptyFiles.length === 1 ? '' : 's'}: ${examples}${emptyFiles.length > EXAMPLE_ROWS ? ', ...' : ''}.`,
      count: emptyFiles.length,
    });
  }
  return {
    source: root,
    format: 'folder',
    texts: kept.map((i) => contents[i] as string),
    labels: kept.map((i) => labelOfFile[i] as string),
    rows: kept.map((i) => i + 1),
    lines: kept.map(() => 1),
    files: kept.map((i) => files[i] as string),
    textColumn: null,
    labelColumn: null,
    warnings,
  };
}
