// The test runner of the suite inside the extension host. VS Code loads the bundled suite and
// awaits its `run()`: resolving means success, rejecting failure. node:test is not used here
// because it reports through the process's stdout and exit code, and in the extension host
// both belong to VS Code; this runner reports through `console` (which the workbench forwards
// to scripts/vscode/run-tests.ts) and through the harness callback `result`.
import { findSourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as vscode from 'vscode';
import { GREP_ENV, SUITE_FIRST_LINE, WORKSPACE_TRUST_ENV, WORKSPACE_TRUST_MODES, type WorkspaceTrust } from './protocol';
import { reportResult } from './workbench';

export interface TestOptions {
  /** The workspace trust the test needs: it runs only in the session with that trust. */
  workspaceTrust?: WorkspaceTrust;
  timeoutMs?: number;
}

interface RegisteredTest {
  name: string;
  fn: () => void | Promise<void>;
  workspaceTrust: WorkspaceTrust;
  timeoutMs: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const registered: RegisteredTest[] = [];

/** Registers a test; tests run one after another in the order their files and calls come. */
export function test(name: string, fn: () => void | Promise<void>, options: TestOptions = {}): void {
  if (registered.some((t) => t.name === name)) throw new Error(`two extension tests are named "${name}"`);
  registered.push({
    name,
    fn,
    workspaceTrust: options.workspaceTrust ?? 'trusted',
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  });
}

export async function run(): Promise<void> {
  const trust = sessionTrust();
  const grep = process.env[GREP_ENV];
  const selected = registered.filter((t) => t.workspaceTrust === trust && (!grep || t.name.includes(grep)));

  console.log(SUITE_FIRST_LINE);
  console.log(`# workspace trust: ${trust}`);
  let passed = 0;
  let failed = 0;
  for (const [i, t] of selected.entries()) {
    const started = performance.now();
    try {
      await withTimeout(t);
      passed++;
      console.log(`ok ${i + 1} - ${t.name} # time=${Math.round(performance.now() - started)}ms`);
    } catch (error) {
      failed++;
      console.log(`not ok ${i + 1} - ${t.name}\n${indent(describe(error))}`);
    }
  }
  console.log(`1..${selected.length}`);
  console.log(`# ${passed} passed, ${failed} failed`);
  await reportResult({ passed, failed });
  if (failed > 0) throw new Error(`${failed} of ${selected.length} extension tests failed`);
}

/** The trust the runner asked for, checked against what VS Code actually granted. */
function sessionTrust(): WorkspaceTrust {
  const asked = process.env[WORKSPACE_TRUST_ENV];
  const trust = WORKSPACE_TRUST_MODES.find((mode) => mode === asked);
  if (!trust) throw new Error(`${WORKSPACE_TRUST_ENV} is "${asked ?? ''}": run the suite through scripts/vscode/run-tests.ts`);
  if (vscode.workspace.isTrusted !== (trust === 'trusted')) {
    throw new Error(`the session asked for a ${trust} workspace but vscode.workspace.isTrusted is ${vscode.workspace.isTrusted}`);
  }
  return trust;
}

async function withTimeout(t: RegisteredTest): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${t.timeoutMs} ms`)), t.timeoutMs);
  });
  try {
    await Promise.race([Promise.resolve().then(t.fn), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ? withSourceLines(error.stack) : error.message) : String(error);
}

/**
 * The extension host formats stack traces itself, without source maps: point the frames of the
 * bundled suite back at test/vscode/suite (the runner loads the bundle with source maps on).
 */
function withSourceLines(stack: string): string {
  return stack.replace(/(\/[^\s():]+\.js):(\d+):(\d+)/g, (frame, file: string, line: string, column: string) => {
    const entry = findSourceMap(file)?.findEntry(Number(line) - 1, Number(column) - 1);
    if (!entry || !('originalSource' in entry)) return frame;
    const source = entry.originalSource.startsWith('file:') ? fileURLToPath(entry.originalSource) : entry.originalSource;
    return `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  });
}

function indent(text: string): string {
  return text.replace(/^/gm, '    ');
}
