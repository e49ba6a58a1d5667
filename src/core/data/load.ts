// Reading a labeled dataset from a file or a folder-per-label directory.
import { open, readFile, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { chooseColumns } from './columns';
import type { ColumnRequest } from './columns';
import { datasetFromTable } from './dataset';
import type { Dataset } from './dataset';
import { decodeUtf8 } from './decode';
import { DataError, tooLarge } from './errors';
import { readFolderDataset } from './folder';
import { formatOfPath, readTable } from './read';
import type { FileFormat } from './read';

/** Default size limit: well below V8's longest string (about 512 Mi characters). */
export const DEFAULT_MAX_BYTES = 256 * 2 ** 20;

export interface LoadOptions extends ColumnRequest {
  /** Overrides the format the extension implies (a directory is always folder-per-label). */
  readonly format?: FileFormat | undefined;
  /** Files (or folders, all files together) larger than this are refused. */
  readonly maxBytes?: number | undefined;
}

export async function loadDataset(path: string, options: LoadOptions = {}): Promise<Dataset> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const info = await statOrFail(path);
  if (info.isDirectory()) return readFolderDataset(path, maxBytes);
  const format = options.format ?? formatOfPath(path);
  if (info.size > maxBytes) throw tooLarge(path, info.size, maxBytes);
  const text = decodeUtf8(await readFile(path), path);
  const table = readTable(text, format, path, true);
  return datasetFromTable(table, chooseColumns(table, options));
}

export async function statOrFail(path: string): Promise<Stats> {
  try {
    return await stat(path);
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    throw new DataError(
      'not-found',
      { file: path },
      missing ? 'no such file or folder; check the path.' : `cannot be read (${(e as Error).message}).`,
    );
  }
}

/** The first `maxBytes` bytes of a file. */
export async function readStart(path: string, maxBytes: number): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buffer = new Uint8Array(maxBytes);
    let filled = 0;
    while (filled < maxBytes) {
      const { bytesRead } = await handle.read(buffer, filled, maxBytes - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buffer.subarray(0, filled);
  } finally {
    await handle.close();
  }
}
