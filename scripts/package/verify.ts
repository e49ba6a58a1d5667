// Installs a packaged .vsix into a real VS Code (code-server 4.100.3 of the offline harness,
// scripts/vscode) and runs smoke/installed.ts in its extension host against the installed copy.
//
//   node --import tsx scripts/package/verify.ts [--vsix FILE] [--timeout SECONDS] [--keep-profile]
//
// Default .vsix: this machine's target in out/vsix/ (npm run package first). Needs
// `bash scripts/vscode/setup.sh`. Logs (and failure.png when it fails) go to test-results/package/.
import { execFile } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import * as esbuild from 'esbuild';
import { DARK_THEME, HARNESS_URL_ENV, SUITE_FIRST_LINE, WORKSPACE_TRUST_ENV, type HarnessCalls } from '../../test/vscode/suite/protocol';
import { launchBrowser, VIEWPORT, type Browser, type Page } from '../vscode/browser';
import { startCodeServer, type CodeServer } from '../vscode/code-server';
import { startHarnessServer, type HarnessServer } from '../vscode/harness-server';
import { CHROMIUM, CODE_SERVER_ENTRY, PLAYWRIGHT_DIR } from '../vscode/paths';
import { MANIFEST, REPO_ROOT, VSIX_DIR } from './paths';
import { INSTALLED_EXTENSIONS_DIR_ENV } from './smoke/env';

const RESULTS_DIR = path.join(REPO_ROOT, 'test-results/package');
const SMOKE_DIR = path.join(import.meta.dirname, 'smoke');

const { values } = parseArgs({
  options: {
    vsix: { type: 'string' },
    timeout: { type: 'string', default: '420' },
    'keep-profile': { type: 'boolean', default: false },
  },
});

async function main(): Promise<number> {
  const vsix = path.resolve(values.vsix ?? defaultVsix());
  const missing = [
    [vsix, `run: npm run package -- --target ${os.platform()}-${os.arch()}`],
    [CODE_SERVER_ENTRY, 'run: bash scripts/vscode/setup.sh'],
    [PLAYWRIGHT_DIR, 'run: bash scripts/vscode/setup.sh'],
    [CHROMIUM, 'run: bash scripts/vscode/setup.sh'],
  ].filter(([file]) => !existsSync(file!));
  if (missing.length > 0) throw new Error(missing.map(([file, fix]) => `missing ${file}: ${fix}`).join('\n'));

  mkdirSync(RESULTS_DIR, { recursive: true });
  const profileDir = mkdtempSync(path.join(os.tmpdir(), 'stc-package-verify-'));
  const extensionsDir = path.join(profileDir, 'extensions');
  let counts: HarnessCalls['result']['request'] | undefined;
  let page: Page | undefined;
  let harness: HarnessServer | undefined;
  let codeServer: CodeServer | undefined;
  let browser: Browser | undefined;
  const timeout = AbortSignal.timeout(Number(values.timeout) * 1000);
  try {
    // The smoke drives the extension through its API only; the browser-side calls of the
    // extension test harness are left to test/vscode.
    const notOffered = (call: string) => (): Promise<never> => Promise.reject(new Error(`the package smoke does not offer ${call}`));
    harness = await startHarnessServer({
      screenshot: notOffered('screenshot'),
      waitForText: notOffered('waitForText'),
      keyboard: notOffered('keyboard'),
      result: (reported) => {
        counts = reported;
        return Promise.resolve({});
      },
    });
    codeServer = await startCodeServer({
      profileDir,
      workspaceTrust: 'trusted',
      colorTheme: DARK_THEME,
      env: { [HARNESS_URL_ENV]: harness.url, [WORKSPACE_TRUST_ENV]: 'trusted', [INSTALLED_EXTENSIONS_DIR_ENV]: extensionsDir },
      logFile: path.join(RESULTS_DIR, 'code-server.log'),
    });
    // Installed like a user would, by code-server's own command line, into the profile the server
    // reads; the extension host that the browser starts below scans it then.
    console.log(await installVsix(vsix, extensionsDir, profileDir));
    const suite = await bundleSmoke(profileDir);
    browser = await launchBrowser(path.join(profileDir, 'xdg'));
    page = await browser.newPage({ viewport: VIEWPORT });
    const code = await Promise.race([runSmoke(page, codeServer, hostExtension(profileDir), suite), codeServer.exited, aborted(timeout)]);
    const ok = code === 0 && counts !== undefined && counts.failed === 0 && counts.passed > 0;
    console.log(`package verify: ${path.relative(REPO_ROOT, vsix)}: ${counts ? `${counts.passed} passed, ${counts.failed} failed` : 'the smoke suite did not report'}`);
    return ok ? 0 : 1;
  } catch (error) {
    if (page) await page.screenshot({ path: path.join(RESULTS_DIR, 'failure.png') }).catch(() => {});
    throw error;
  } finally {
    await browser?.close().catch(() => {});
    await codeServer?.stop();
    await harness?.close();
    if (values['keep-profile']) console.log(`[verify] kept the profile: ${profileDir}`);
    else rmSync(profileDir, { recursive: true, force: true });
  }
}

function defaultVsix(): string {
  const { name, version } = JSON.parse(readFileSync(MANIFEST, 'utf8')) as { name: string; version: string };
  return path.join(VSIX_DIR, `${name}-${os.platform()}-${os.arch()}-${version}.vsix`);
}

async function installVsix(vsix: string, extensionsDir: string, profileDir: string): Promise<string> {
  const xdg = path.join(profileDir, 'xdg');
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [CODE_SERVER_ENTRY, '--install-extension', vsix, '--extensions-dir', extensionsDir, '--user-data-dir', path.join(profileDir, 'user-data')],
    { env: { ...process.env, XDG_CONFIG_HOME: path.join(xdg, 'config'), XDG_DATA_HOME: path.join(xdg, 'data'), XDG_CACHE_HOME: path.join(xdg, 'cache') } },
  );
  return stdout.trim();
}

/**
 * Extension tests run in an extension development host, which wants an extension under
 * development: an empty one hosts them, so that the extension under test is the installed one.
 */
function hostExtension(profileDir: string): string {
  const dir = path.join(profileDir, 'smoke-host');
  mkdirSync(dir);
  const manifest = { name: 'stc-lens-package-smoke', publisher: 'stc-lens', version: '0.0.0', engines: { vscode: '*' } };
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest));
  return dir;
}

/** The smoke tests with the suite runner of test/vscode, as one CommonJS file for the extension host. */
async function bundleSmoke(profileDir: string): Promise<string> {
  const dir = path.join(profileDir, 'smoke-suite');
  await esbuild.build({
    stdin: { contents: "import './installed';\nexport { run } from '../../../test/vscode/suite/harness';\n", resolveDir: SMOKE_DIR, sourcefile: 'index.ts', loader: 'ts' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['vscode'],
    sourcemap: 'inline',
    outfile: path.join(dir, 'suite.js'),
    logLevel: 'warning',
  });
  // Source maps on before the suite loads, so that a failure points at its line in smoke/ (as in scripts/vscode/bundle-suite.ts).
  const entry = path.join(dir, 'index.js');
  writeFileSync(entry, "process.setSourceMapsEnabled(true);\nmodule.exports = require('./suite.js');\n");
  return entry;
}

/** Opens the workbench with the smoke suite as the extension tests; resolves with its run()'s exit code. */
async function runSmoke(page: Page, codeServer: CodeServer, hostDir: string, suiteFile: string): Promise<number> {
  const logFile = path.join(RESULTS_DIR, 'console.log');
  writeFileSync(logFile, '');
  let suiteStarted = false;
  await page.exposeFunction('codeAutomationLog', (level: unknown, args: unknown) => {
    const text = (Array.isArray(args) ? args : [args]).map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
    appendFileSync(logFile, `${level === 'info' ? '' : `[${String(level)}] `}${text}\n`);
    suiteStarted ||= text.startsWith(SUITE_FIRST_LINE);
    // Until the suite's first line the workbench is starting up: only its errors matter then.
    if (suiteStarted || level === 'error') console.log(text);
  });
  const exited = new Promise<number>((resolve) => {
    void page.exposeFunction('codeAutomationExit', (code: unknown) => resolve(typeof code === 'number' ? code : 1));
  });
  const remote = (file: string): string => `vscode-remote://${new URL(codeServer.origin).host}${file}`;
  const payload = [
    ['extensionDevelopmentPath', remote(hostDir)],
    ['extensionTestsPath', remote(suiteFile)],
    ['skipWelcome', 'true'],
  ];
  await page.goto(`${codeServer.origin}/?folder=${encodeURIComponent(codeServer.workspaceDir)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
  return exited;
}


function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    const fail = (): void => reject(new Error(`the smoke run took longer than ${values.timeout} s`));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`[verify] ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
