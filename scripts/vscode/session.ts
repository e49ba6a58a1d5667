// One run of the suite: code-server with a fresh profile, chromium on its workbench with the
// extension under development and the suite as the extension tests, until the suite's run()
// settles, the time is up or the run is aborted. Everything started here is ended here.
// scripts/package/verify.ts runs its smoke suite against an installed .vsix the same way.
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  GREP_ENV,
  HARNESS_URL_ENV,
  SUITE_FIRST_LINE,
  USER_DATA_DIR_ENV,
  WORKSPACE_TRUST_ENV,
  type HarnessCalls,
  type WorkspaceTrust,
} from '../../test/vscode/suite/protocol';
import { launchBrowser, VIEWPORT, type Browser, type Page } from './browser';
import { profileFolders, startCodeServer, type CodeServer, type ProfileFolders } from './code-server';
import { startHarnessServer, type HarnessServer } from './harness-server';
import { REPO_ROOT, RESULTS_DIR } from './paths';

export interface SessionOptions {
  workspaceTrust: WorkspaceTrust;
  colorTheme: string;
  suiteFile: string;
  grep: string | undefined;
  /** Ends the session: the overall timeout or an interrupt. */
  signal: AbortSignal;
  /** Keep the profile folder (workspace, settings, user data) for a look afterwards. */
  keepProfile: boolean;
  /** Screenshots, and the logs under logs/<workspace trust>/; default: test-results/vscode. */
  resultsDir?: string;
  /** The extension under development, which hosts the tests; default: the repository. */
  extensionDevelopmentPath?: string;
  /** Added to the environment of code-server and its extension host. */
  env?: (profile: ProfileFolders) => Record<string, string>;
  /** Runs once code-server listens, before the workbench opens (installs an extension, say). */
  beforeWorkbench?: (profile: ProfileFolders) => Promise<void>;
}

export interface SessionResult {
  workspaceTrust: WorkspaceTrust;
  /** The suite's counts; undefined when it never reported them (crash, timeout). */
  counts: HarnessCalls['result']['request'] | undefined;
  /** 0 only when the suite's run() resolved. */
  exitCode: number;
  failure: string | undefined;
}

interface WorkbenchLog {
  relativePath: string;
  contents: string;
}

/** What the workbench hands over once the suite's run() has settled. */
interface SuiteExit {
  code: number;
  logs: WorkbenchLog[];
}

export async function runSession(options: SessionOptions): Promise<SessionResult> {
  const { workspaceTrust, resultsDir = RESULTS_DIR } = options;
  const profileDir = mkdtempSync(path.join(os.tmpdir(), `stc-vscode-${workspaceTrust}-`));
  const profile = profileFolders(profileDir);
  const logDir = path.join(resultsDir, 'logs', workspaceTrust);
  mkdirSync(logDir, { recursive: true });

  let page: Page | undefined;
  let counts: SessionResult['counts'];
  let harness: HarnessServer | undefined;
  let codeServer: CodeServer | undefined;
  let browser: Browser | undefined;
  try {
    harness = await startHarnessServer({
      screenshot: async ({ name }) => ({ path: await saveScreenshot(requirePage(page), resultsDir, name) }),
      waitForText: async ({ text, timeoutMs }) => {
        await requirePage(page).getByText(text).first().waitFor({ state: 'visible', timeout: timeoutMs });
        return {};
      },
      keyboard: async ({ type, press }) => {
        const keyboard = requirePage(page).keyboard;
        if (type !== undefined) await keyboard.type(type);
        if (press !== undefined) await keyboard.press(press);
        return {};
      },
      result: (reported) => {
        counts = reported;
        return Promise.resolve({});
      },
    });
    codeServer = await startCodeServer({
      profileDir,
      workspaceTrust,
      colorTheme: options.colorTheme,
      env: {
        [HARNESS_URL_ENV]: harness.url,
        [WORKSPACE_TRUST_ENV]: workspaceTrust,
        [USER_DATA_DIR_ENV]: profile.userData,
        ...(options.grep ? { [GREP_ENV]: options.grep } : {}),
        ...options.env?.(profile),
      },
      logFile: path.join(logDir, 'code-server.log'),
    });
    await options.beforeWorkbench?.(profile);
    browser = await launchBrowser(profile.xdg);
    page = await browser.newPage({ viewport: VIEWPORT });
    const finished = openWorkbench(page, codeServer, { extension: options.extensionDevelopmentPath ?? REPO_ROOT, suite: options.suiteFile }, logDir);
    const { code, logs } = await Promise.race([finished, codeServer.exited, aborted(options.signal)]);
    saveWorkbenchLogs(logDir, logs);
    return { workspaceTrust, counts, exitCode: code, failure: code === 0 ? undefined : `the suite's run() failed (exit code ${code})` };
  } catch (error) {
    const failure = error instanceof Error ? error.message : String(error);
    if (page) await saveScreenshot(page, resultsDir, `failure-${workspaceTrust}`).catch(() => {});
    return { workspaceTrust, counts, exitCode: 1, failure };
  } finally {
    await browser?.close().catch(() => {});
    await codeServer?.stop();
    await harness?.close();
    if (options.keepProfile) console.log(`[vscode] kept the ${workspaceTrust} profile: ${profileDir}`);
    else rmSync(profileDir, { recursive: true, force: true });
  }
}

/**
 * Opens the workbench with `paths.extension` as the extension under development and the suite
 * as its tests: the mechanism of VS Code's own browser integration tests. The workbench hands
 * its log lines (the extension host's console included) to codeAutomationLog and, once the
 * suite's run() settles, its exit code and log files to codeAutomationExit.
 */
async function openWorkbench(page: Page, codeServer: CodeServer, paths: { extension: string; suite: string }, logDir: string): Promise<SuiteExit> {
  await page.exposeFunction('codeAutomationLog', workbenchLogPrinter(path.join(logDir, 'console.log')));
  let suiteExited: (exit: SuiteExit) => void = () => {};
  const finished = new Promise<SuiteExit>((resolve) => (suiteExited = resolve));
  await page.exposeFunction('codeAutomationExit', (code: unknown, logs: unknown) => {
    suiteExited({ code: typeof code === 'number' ? code : 1, logs: Array.isArray(logs) ? (logs as WorkbenchLog[]) : [] });
  });
  const remote = (file: string): string => `vscode-remote://${new URL(codeServer.origin).host}${file}`;
  const payload = [
    ['extensionDevelopmentPath', remote(paths.extension)],
    ['extensionTestsPath', remote(paths.suite)],
    ['skipWelcome', 'true'],
  ];
  await page.goto(`${codeServer.origin}/?folder=${encodeURIComponent(codeServer.workspaceDir)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
  return finished;
}

/**
 * Prints the workbench's log, in which the suite's console output arrives as info lines. Until
 * the suite's first line the workbench is starting up: only its errors are printed then. The
 * file gets every line.
 */
function workbenchLogPrinter(logFile: string): (level: unknown, args: unknown) => void {
  let suiteStarted = false;
  return (level, args) => {
    const text = (Array.isArray(args) ? args : [args]).map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' ');
    const line = level === 'info' ? text : `[${String(level)}] ${text}`;
    appendFileSync(logFile, `${line}\n`);
    suiteStarted ||= text.startsWith(SUITE_FIRST_LINE);
    if (suiteStarted || level === 'error') console.log(line);
  };
}

function saveWorkbenchLogs(logDir: string, logs: WorkbenchLog[]): void {
  for (const { relativePath, contents } of logs) {
    const file = path.join(logDir, 'workbench', relativePath);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, contents);
  }
}

async function saveScreenshot(page: Page, resultsDir: string, name: string): Promise<string> {
  if (!/^[\w.-]+$/.test(name)) throw new Error(`screenshot name "${name}": use letters, digits, '.', '_' and '-'`);
  const file = path.join(resultsDir, `${name}.png`);
  if (existsSync(file)) throw new Error(`a screenshot named "${name}" was already taken in this run`);
  await settleAnimations(page);
  await page.screenshot({ path: file });
  return file;
}

/** Waits for the running finite animations (a notification sliding in, a fading hover) to end. */
async function settleAnimations(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const finite = document.getAnimations().filter((a) => a.effect?.getComputedTiming().iterations !== Infinity);
    const timeout = new Promise((resolve) => setTimeout(resolve, 2_000));
    await Promise.race([Promise.all(finite.map((a) => a.finished.catch(() => {}))), timeout]);
  });
}

function requirePage(page: Page | undefined): Page {
  if (!page) throw new Error('the workbench page is not open yet');
  return page;
}

function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    const fail = (): void => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
}
