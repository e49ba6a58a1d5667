// Where the harness finds what setup.sh installed and where it writes what a person looks at.
import * as os from 'node:os';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
/** setup.sh's install prefix, outside the repository (setup.sh says why); STC_VSCODE_DIR moves it. */
export const HARNESS_DIR =
  process.env.STC_VSCODE_DIR ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'stc-lens/vscode');
export const CODE_SERVER_ENTRY = path.join(HARNESS_DIR, 'node_modules/code-server/out/node/entry.js');
export const PLAYWRIGHT_DIR = path.join(HARNESS_DIR, 'node_modules/playwright-core');
export const CHROMIUM = '/usr/bin/chromium';
export const SUITE_SOURCE_DIR = path.join(REPO_ROOT, 'test/vscode/suite');
export const SUITE_BUNDLE = path.join(REPO_ROOT, 'out/vscode-suite/index.js');
export const WORKSPACE_FIXTURE = path.join(REPO_ROOT, 'test/vscode/workspace');
/** The tiny BERT the tests train with; the stand-in hub serves it too. */
export const FIXTURE_MODEL = path.join(REPO_ROOT, 'test/fixtures/models/bert');
export const EXTENSION_MAIN = path.join(REPO_ROOT, 'dist/extension.js');
/** Screenshots and logs (git-ignored via /test-results/). */
export const RESULTS_DIR = path.join(REPO_ROOT, 'test-results/vscode');
