// Debian's chromium driven by playwright-core, both installed by setup.sh (never a browser
// download). playwright-core lives in setup.sh's folder, outside the project's dependencies, so
// it is loaded by path and typed here with only the calls the harness makes.
import { createRequire } from 'node:module';
import { CHROMIUM, PLAYWRIGHT_DIR } from './paths';

export interface Locator {
  first(): Locator;
  waitFor(options: { state: 'visible'; timeout: number }): Promise<void>;
}

export interface Keyboard {
  type(text: string): Promise<void>;
  /** A Playwright key name: `Enter`, `ArrowDown`, `Escape`, `Control+A`. */
  press(key: string): Promise<void>;
}

export interface Page {
  readonly keyboard: Keyboard;
  exposeFunction(name: string, callback: (...args: unknown[]) => unknown): Promise<void>;
  goto(url: string): Promise<unknown>;
  getByText(text: string): Locator;
  screenshot(options: { path: string }): Promise<unknown>;
  /** Runs `fn` in the page; it must not use anything from this side. */
  evaluate<R>(fn: () => R | Promise<R>): Promise<R>;
}

export interface Browser {
  newPage(options: { viewport: { width: number; height: number } }): Promise<Page>;
  close(): Promise<void>;
}

interface Playwright {
  chromium: {
    launch(options: {
      executablePath: string;
      headless: boolean;
      args: string[];
      handleSIGINT: boolean;
      handleSIGTERM: boolean;
      handleSIGHUP: boolean;
      env: NodeJS.ProcessEnv;
    }): Promise<Browser>;
  };
}

export const VIEWPORT = { width: 1280, height: 800 };

/** `xdgDir` receives what chromium keeps outside its profile (a crash report database). */
export async function launchBrowser(xdgDir: string): Promise<Browser> {
  const { chromium } = createRequire(`${PLAYWRIGHT_DIR}/`)('playwright-core') as Playwright;
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Playwright's own handlers would exit at once; the runner's close the browser and code-server.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    env: { ...process.env, XDG_CONFIG_HOME: `${xdgDir}/config`, XDG_CACHE_HOME: `${xdgDir}/cache` },
    // --no-sandbox: CI runs as root, where chromium's sandbox refuses to start.
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
