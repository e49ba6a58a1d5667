// What a test can ask of the workbench UI. Screenshots and waiting for visible text need the
// browser, which only the runner drives: those go through its callback server.
import * as vscode from 'vscode';
import { DARK_THEME, HARNESS_URL_ENV, LIGHT_THEME, type HarnessCall, type HarnessCalls, type HarnessReply } from './protocol';

/** Saves the whole workbench as test-results/vscode/<name>.png and returns the file's path. */
export async function screenshot(name: string): Promise<string> {
  return (await call('screenshot', { name })).path;
}

/** Saves <name>-dark.png and <name>-light.png, then puts the theme back as it was. */
export async function screenshotInThemes(name: string): Promise<string[]> {
  const before = vscode.workspace.getConfiguration('workbench').get<string>('colorTheme') ?? DARK_THEME;
  const paths: string[] = [];
  try {
    for (const [suffix, theme] of [['dark', DARK_THEME], ['light', LIGHT_THEME]] as const) {
      await useColorTheme(theme);
      paths.push(await screenshot(`${name}-${suffix}`));
    }
  } finally {
    await useColorTheme(before);
  }
  return paths;
}

/** Waits until a visible element of the workbench shows `text` (a notification, a hover...). */
export async function waitForText(text: string, timeoutMs = 10_000): Promise<void> {
  await call('waitForText', { text, timeoutMs });
}

/** Switches the color theme and returns once the workbench has applied it. */
export async function useColorTheme(theme: string): Promise<void> {
  const config = vscode.workspace.getConfiguration('workbench');
  if (config.get<string>('colorTheme') === theme) return;
  const applied = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      listener.dispose();
      reject(new Error(`the workbench did not apply the color theme "${theme}" within 10 s`));
    }, 10_000);
    const listener = vscode.window.onDidChangeActiveColorTheme(() => {
      clearTimeout(timer);
      listener.dispose();
      resolve();
    });
  });
  await config.update('colorTheme', theme, vscode.ConfigurationTarget.Global);
  await applied;
}

/** Types into the focused element of the workbench (a quick pick, an input box) and presses `press`. */
export async function typeText(type: string, press = 'Enter'): Promise<void> {
  await call('keyboard', { type, press });
}

/** Presses one key in the workbench (Playwright key names: `Enter`, `ArrowDown`, `Escape`). */
export async function pressKey(press: string): Promise<void> {
  await call('keyboard', { press });
}

export async function reportResult(counts: HarnessCalls['result']['request']): Promise<void> {
  await call('result', counts);
}

async function call<C extends HarnessCall>(name: C, request: HarnessCalls[C]['request']): Promise<HarnessCalls[C]['response']> {
  const base = process.env[HARNESS_URL_ENV];
  if (!base) throw new Error(`${HARNESS_URL_ENV} is not set: run the suite through scripts/vscode/run-tests.ts`);
  const response = await fetch(`${base}/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request),
  });
  const reply = (await response.json()) as HarnessReply<C>;
  if (!reply.ok) throw new Error(`the test runner could not ${name}: ${reply.error}`);
  return reply.value;
}
