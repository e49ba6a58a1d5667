// What the test runner (scripts/vscode/run-tests.ts, outside VS Code) and the suite (inside the
// extension host) share. The runner passes these variables to code-server, whose extension host
// inherits them; the suite calls back over HTTP for what only the browser side can do.

/** Base URL of the runner's callback server (`http://127.0.0.1:PORT`). */
export const HARNESS_URL_ENV = 'STC_VSCODE_HARNESS_URL';
/** The workspace trust of this session: `trusted` or `restricted`. */
export const WORKSPACE_TRUST_ENV = 'STC_VSCODE_WORKSPACE_TRUST';
/** When set, only tests whose name contains it run. */
export const GREP_ENV = 'STC_VSCODE_GREP';
/** code-server's user data folder: the extension host's log files are under its logs/. */
export const USER_DATA_DIR_ENV = 'STC_VSCODE_USER_DATA_DIR';

/** The hub id under which the runner's stand-in hub (scripts/vscode/hub-server.ts) serves the
 *  tiny BERT of test/fixtures; HF_ENDPOINT points the extension's downloads at that hub. */
export const FIXTURE_HUB_MODEL = 'stc-test/tiny-bert';

/** The suite's first output line: the runner prints the workbench's log from there on. */
export const SUITE_FIRST_LINE = 'TAP version 13';

/** The themes of the dark and light screenshots; the dark one is the runner's default. */
export const DARK_THEME = 'Default Dark Modern';
export const LIGHT_THEME = 'Default Light Modern';

export type WorkspaceTrust = 'trusted' | 'restricted';
export const WORKSPACE_TRUST_MODES: readonly WorkspaceTrust[] = ['trusted', 'restricted'];

/** Each callback is `POST /<name>` with the request as JSON; the answer is `HarnessReply`. */
export interface HarnessCalls {
  /** Saves a PNG of the whole workbench as test-results/vscode/<name>.png. */
  screenshot: { request: { name: string }; response: { path: string } };
  /** Waits until some visible element of the workbench shows `text`. */
  waitForText: { request: { text: string; timeoutMs: number }; response: Record<string, never> };
  /** Types text into the focused element, then presses a key (Playwright key names: `Enter`,
   *  `ArrowDown`, `Escape`...); either may be left out. Drives quick picks and input boxes. */
  keyboard: { request: { type?: string; press?: string }; response: Record<string, never> };
  /** The suite's counts, sent once at the end of its run. */
  result: { request: { passed: number; failed: number }; response: Record<string, never> };
}

export type HarnessCall = keyof HarnessCalls;
export type HarnessReply<C extends HarnessCall> = { ok: true; value: HarnessCalls[C]['response'] } | { ok: false; error: string };
