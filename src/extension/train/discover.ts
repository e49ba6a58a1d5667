// Finding labeled data in the workspace: files matching the include globs (CSV/TSV, JSON Lines,
// JSON arrays) and folder-per-label datasets (root/<label>/*.txt), grouped into train/dev/test by
// name, each looked at with core/data's sniff. Files that are not labeled data drop out quietly.
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { pairSplitFiles, sniff, type DatasetCandidate, type SniffResult } from '../../core/data';
import type { StcContext } from '../context';

/** Folders no search looks in, whatever the settings say. */
const ALWAYS_EXCLUDED = ['**/node_modules/**', '**/.git/**', '**/.stc/**'];
/** Files looked at, at most: a bound on the work in a huge workspace. */
const MAX_FILES = 2000;

export interface DiscoveredDataset {
  readonly name: string;
  readonly dir: string;
  readonly train: SniffResult;
  readonly dev?: SniffResult;
  readonly test?: SniffResult;
}

export interface Discovery {
  readonly datasets: DiscoveredDataset[];
  /** Files over the size limit, with their size in bytes. */
  readonly tooLarge: { path: string; bytes: number }[];
  readonly truncated: boolean;
}

export async function discoverDatasets(ctx: StcContext, token?: vscode.CancellationToken): Promise<Discovery> {
  const settings = ctx.settings;
  const exclude = `{${[...ALWAYS_EXCLUDED, ...(settings.dataExclude ? [settings.dataExclude] : [])].join(',')}}`;
  const uris = await vscode.workspace.findFiles(settings.dataInclude, exclude, MAX_FILES, token);
  const limit = settings.maxDataFileMB * 2 ** 20;
  const tooLarge: Discovery['tooLarge'] = [];
  const files: string[] = [];
  const texts: string[] = [];
  for (const uri of uris) {
    const file = uri.fsPath;
    const bytes = (await stat(file).catch(() => undefined))?.size;
    if (bytes === undefined) continue;
    if (bytes > limit) tooLarge.push({ path: file, bytes });
    else (file.toLowerCase().endsWith('.txt') ? texts : files).push(file);
  }
  const candidates = pairSplitFiles([...files, ...labelFolderRoots(texts)]);
  const datasets = (await Promise.all(candidates.map((c) => describe(c, ctx)))).filter((d) => d !== undefined);
  return { datasets, tooLarge, truncated: uris.length >= MAX_FILES };
}

/** Folders with two or more subfolders holding .txt files: folder-per-label datasets. */
function labelFolderRoots(textFiles: readonly string[]): string[] {
  const labelsByRoot = new Map<string, Set<string>>();
  for (const file of textFiles) {
    const labelDir = path.dirname(file);
    const root = path.dirname(labelDir);
    labelsByRoot.set(root, (labelsByRoot.get(root) ?? new Set()).add(labelDir));
  }
  return [...labelsByRoot].filter(([, labels]) => labels.size >= 2).map(([root]) => root);
}

async function describe(candidate: DatasetCandidate, ctx: StcContext): Promise<DiscoveredDataset | undefined> {
  if (!candidate.train) return undefined;
  const look = async (file: string | undefined): Promise<SniffResult | undefined> => {
    if (!file) return undefined;
    try {
      return await sniff(file);
    } catch (error) {
      ctx.log.debug(`data discovery: ${file} is not labeled data: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  };
  const [train, dev, test] = await Promise.all([look(candidate.train), look(candidate.dev), look(candidate.test)]);
  if (!train || train.labels.length < 2) return undefined;
  return { name: candidate.name, dir: candidate.dir, train, dev, test };
}

/** One line for a quick pick: rows, format and the columns that would be used. */
export function describeSniff(s: SniffResult): string {
  const rows = `${s.rowsExact ? '' : '~'}${s.rows.toLocaleString('en-US')} rows`;
  if (!s.detected) return `${rows} · folder per label (${s.labels.length} labels)`;
  const ask = s.detected.text.ambiguous || s.detected.label.ambiguous ? ' (ambiguous: you will be asked)' : '';
  return `${rows} · text: ${s.detected.text.column} · label: ${s.detected.label.column} (${s.labels.length} labels)${ask}`;
}
