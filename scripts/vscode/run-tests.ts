// Runs test/vscode/suite inside a real VS Code (code-server 4.100.3, headless chromium), offline.
// Needs `bash scripts/vscode/setup.sh` and `npm run build` (dist/extension.js) first.
//
//   node --import tsx scripts/vscode/run-tests.ts [--trust trusted|restricted|all] [--grep TEXT]
//        [--theme NAME] [--timeout SECONDS] [--keep-profile]
//
// Each workspace trust runs in its own session (its own code-server, profile and browser).
// Screenshots and logs go to test-results/vscode/. A stand-in hub on loopback serves the fixture
// model (HF_ENDPOINT), so hub downloads are tested without the network. The exit code is 0 only
// when every session's suite passed and at least one test ran.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { DARK_THEME, FIXTURE_HUB_MODEL, WORKSPACE_TRUST_MODES, type WorkspaceTrust } from '../../test/vscode/suite/protocol';
import { bundleSuite } from './bundle-suite';
import { startHubServer } from './hub-server';
import { CHROMIUM, CODE_SERVER_ENTRY, EXTENSION_MAIN, FIXTURE_MODEL, HARNESS_DIR, PLAYWRIGHT_DIR, REPO_ROOT, RESULTS_DIR } from './paths';
import { runSession, type SessionResult } from './session';

const { values } = parseArgs({
  options: {
    trust: { type: 'string', default: 'all' },
    grep: { type: 'string' },
    theme: { type: 'string', default: DARK_THEME },
    timeout: { type: 'string', default: '180' },
    'keep-profile': { type: 'boolean', default: false },
  },
});

async function main(): Promise<number> {
  checkPrerequisites();
  const trusts = trustModes(values.trust);
  const timeoutMs = Number(values.timeout) * 1000;
  if (!(timeoutMs > 0)) throw new Error(`--timeout ${values.timeout}: give the seconds one session may take`);

  rmSync(RESULTS_DIR, { recursive: true, force: true });
  mkdirSync(RESULTS_DIR, { recursive: true });
  const suiteFile = await bundleSuite();

  const interrupt = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => interrupt.abort(new Error(`interrupted (${signal})`)));
  }

  // Every session's downloads go to the stand-in hub: nothing reaches the network.
  const hub = await startHubServer({ [FIXTURE_HUB_MODEL]: FIXTURE_MODEL });
  const results: SessionResult[] = [];
  try {
    for (const workspaceTrust of trusts) {
      const started = performance.now();
      console.log(`[vscode] session: ${workspaceTrust} workspace`);
      const timeout = new AbortController();
      const timer = setTimeout(() => timeout.abort(new Error(`the session took longer than ${values.timeout} s (--timeout)`)), timeoutMs);
      const result = await runSession({
        workspaceTrust,
        colorTheme: values.theme,
        suiteFile,
        grep: values.grep,
        signal: AbortSignal.any([interrupt.signal, timeout.signal]),
        keepProfile: values['keep-profile'],
        env: () => ({ HF_ENDPOINT: hub.url }),
      });
      clearTimeout(timer);
      results.push(result);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      console.log(`[vscode] session ${workspaceTrust}: ${result.failure ?? 'passed'} (${seconds} s)`);
      if (interrupt.signal.aborted) break;
    }
  } finally {
    await hub.close();
  }
  return summarize(results);
}

function summarize(results: SessionResult[]): number {
  const passed = results.reduce((sum, r) => sum + (r.counts?.passed ?? 0), 0);
  const failed = results.reduce((sum, r) => sum + (r.counts?.failed ?? 0), 0);
  // A session whose suite never reported counts as one failure, so a crash cannot look green.
  const unreported = results.filter((r) => r.counts === undefined).length;
  console.log(`[vscode] screenshots and logs: ${RESULTS_DIR}`);
  console.log(`vscode: ${passed} passed, ${failed + unreported} failed`);
  const ok = results.every((r) => r.exitCode === 0) && unreported === 0 && passed + failed > 0;
  if (unreported === 0 && passed + failed === 0) console.log('[vscode] no test ran: check --grep');
  return ok ? 0 : 1;
}

function trustModes(option: string): WorkspaceTrust[] {
  if (option === 'all') return [...WORKSPACE_TRUST_MODES];
  const mode = WORKSPACE_TRUST_MODES.find((m) => m === option);
  if (!mode) throw new Error(`--trust ${option}: use ${WORKSPACE_TRUST_MODES.join(', ')} or all`);
  return [mode];
}

function checkPrerequisites(): void {
  const fromRepo = path.relative(REPO_ROOT, HARNESS_DIR);
  if (fromRepo !== '..' && !fromRepo.startsWith(`..${path.sep}`)) {
    throw new Error(`STC_VSCODE_DIR=${HARNESS_DIR} is inside the repository: VS Code would take code-server's built-in themes for the extension's own (see scripts/vscode/setup.sh)`);
  }
  const missing = [
    [CODE_SERVER_ENTRY, 'run: bash scripts/vscode/setup.sh'],
    [PLAYWRIGHT_DIR, 'run: bash scripts/vscode/setup.sh'],
    [CHROMIUM, 'run: bash scripts/vscode/setup.sh'],
    [EXTENSION_MAIN, 'run: npm run build'],
  ].filter(([file]) => !existsSync(file!));
  if (missing.length > 0) throw new Error(missing.map(([file, fix]) => `missing ${file}: ${fix}`).join('\n'));
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`[vscode] ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
