// Installs a packaged .vsix into a real VS Code (code-server 4.100.3 of the offline harness,
// scripts/vscode) and runs smoke/installed.ts in its extension host against the installed copy:
// a session of scripts/vscode/session.ts with an empty extension under development, so that the
// extension under test is the installed one.
//
//   node --import tsx scripts/package/verify.ts [--vsix FILE] [--timeout SECONDS] [--keep-profile]
//
// Default .vsix: this machine's target in out/vsix/ (npm run package first). Needs
// `bash scripts/vscode/setup.sh`. Logs go to test-results/package/logs/trusted/, and
// failure-trusted.png to test-results/package/ when it fails.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { DARK_THEME } from '../../test/vscode/suite/protocol';
import { bundleForExtensionHost } from '../vscode/bundle-suite';
import { xdgEnv, type ProfileFolders } from '../vscode/code-server';
import { CHROMIUM, CODE_SERVER_ENTRY, PLAYWRIGHT_DIR } from '../vscode/paths';
import { runSession } from '../vscode/session';
import { MANIFEST, REPO_ROOT, VSIX_DIR } from './paths';
import { INSTALLED_EXTENSIONS_DIR_ENV } from './smoke/env';

const RESULTS_DIR = path.join(REPO_ROOT, 'test-results/package');
const SMOKE_DIR = path.join(import.meta.dirname, 'smoke');
/** The smoke suite's bundle and the extension that hosts it (git-ignored via /out/). */
const SMOKE_OUT = path.join(REPO_ROOT, 'out/package-smoke');

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

  rmSync(RESULTS_DIR, { recursive: true, force: true });
  mkdirSync(RESULTS_DIR, { recursive: true });
  const suiteFile = await bundleForExtensionHost(
    "import './installed';\nexport { run } from '../../../test/vscode/suite/harness';\n",
    SMOKE_DIR,
    path.join(SMOKE_OUT, 'suite'),
  );
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(new Error(`the smoke run took longer than ${values.timeout} s`)), Number(values.timeout) * 1000);
  const { counts, exitCode, failure } = await runSession({
    workspaceTrust: 'trusted',
    colorTheme: DARK_THEME,
    suiteFile,
    grep: undefined,
    signal: timeout.signal,
    keepProfile: values['keep-profile'],
    resultsDir: RESULTS_DIR,
    extensionDevelopmentPath: hostExtension(path.join(SMOKE_OUT, 'host')),
    env: (profile) => ({ [INSTALLED_EXTENSIONS_DIR_ENV]: profile.extensions }),
    // Installed like a user would, by code-server's own command line, into the profile the server
    // reads; the extension host that the workbench starts next scans it then.
    beforeWorkbench: async (profile) => console.log(await installVsix(vsix, profile)),
  });
  clearTimeout(timer);
  if (failure) console.error(`[verify] ${failure}`);
  const ok = exitCode === 0 && counts !== undefined && counts.failed === 0 && counts.passed > 0;
  console.log(`package verify: ${path.relative(REPO_ROOT, vsix)}: ${counts ? `${counts.passed} passed, ${counts.failed} failed` : 'the smoke suite did not report'}`);
  return ok ? 0 : 1;
}

function defaultVsix(): string {
  const { name, version } = JSON.parse(readFileSync(MANIFEST, 'utf8')) as { name: string; version: string };
  return path.join(VSIX_DIR, `${name}-${os.platform()}-${os.arch()}-${version}.vsix`);
}

async function installVsix(vsix: string, profile: ProfileFolders): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [CODE_SERVER_ENTRY, '--install-extension', vsix, '--extensions-dir', profile.extensions, '--user-data-dir', profile.userData],
    { env: { ...process.env, ...xdgEnv(profile) } },
  );
  return stdout.trim();
}

/**
 * Extension tests run in an extension development host, which wants an extension under
 * development: an empty one hosts them, so that the extension under test is the installed one.
 */
function hostExtension(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const manifest = { name: 'stc-lens-package-smoke', publisher: 'stc-lens', version: '0.0.0', engines: { vscode: '*' } };
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest));
  return dir;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`[verify] ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
