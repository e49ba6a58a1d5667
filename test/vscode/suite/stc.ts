// The extension's test API (src/extension/api.ts) and the paths the tests share.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { StcTestApi } from '../../../src/extension/api';
import { activateExtension, EXTENSION_ID } from './extension';
import { USER_DATA_DIR_ENV } from './protocol';

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

/** What the extension's "STC Lens" log channel has written to its file so far (code-server keeps
 *  it at <user data>/logs/<session>/exthost<n>/<extension id>/STC Lens.log). */
export function extensionLog(): string {
  const userData = process.env[USER_DATA_DIR_ENV];
  if (!userData) throw new Error(`${USER_DATA_DIR_ENV} is not set: run the suite through scripts/vscode/run-tests.ts`);
  const logs = path.join(userData, 'logs');
  const files = readdirSync(logs)
    .flatMap((session) => readdirSync(path.join(logs, session)).map((host) => path.join(logs, session, host, EXTENSION_ID, 'STC Lens.log')))
    .filter((file) => existsSync(file));
  if (files.length === 0) throw new Error(`no STC Lens.log under ${logs}`);
  return files.map((file) => readFileSync(file, 'utf8')).join('');
}
