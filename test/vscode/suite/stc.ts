// The extension's test API (src/extension/api.ts) and the paths the tests share.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { StcTestApi } from '../../../src/extension/api';
import { activateExtension } from './extension';

export async function stcApi(): Promise<StcTestApi> {
  return (await activateExtension()).exports as StcTestApi;
}

/** The repository root: the extension under development. */
export async function repoRoot(): Promise<string> {
  return (await activateExtension()).extensionPath;
}

/** The tiny random-weight BERT of test/fixtures: trains in seconds. */
export async function fixtureModel(): Promise<string> {
  return path.join(await repoRoot(), 'test/fixtures/models/bert');
}

export function workspaceFile(relative: string): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the test session opened no folder');
  return path.join(folder.uri.fsPath, relative);
}

/** Resolves when `check` holds, polling; rejects with `what` after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
