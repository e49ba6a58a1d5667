// The extension host loads plain CommonJS from extensionTestsPath: bundle every
// test/vscode/suite/*.vscode.ts (in name order) with the harness's run() into one file.
import * as esbuild from 'esbuild';
import { readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { SUITE_BUNDLE, SUITE_SOURCE_DIR } from './paths';

const TEST_FILE_SUFFIX = '.vscode.ts';

/** Returns the file to give as extensionTestsPath. */
export async function bundleSuite(): Promise<string> {
  const files = readdirSync(SUITE_SOURCE_DIR)
    .filter((file) => file.endsWith(TEST_FILE_SUFFIX))
    .sort();
  if (files.length === 0) throw new Error(`no *${TEST_FILE_SUFFIX} test files in ${SUITE_SOURCE_DIR}`);
  const entry = [...files.map((file) => `import './${file}';`), `export { run } from './harness';`].join('\n');
  await esbuild.build({
    stdin: { contents: entry, resolveDir: SUITE_SOURCE_DIR, sourcefile: 'index.ts', loader: 'ts' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['vscode'],
    sourcemap: 'inline',
    outfile: path.join(path.dirname(SUITE_BUNDLE), 'suite.js'),
    logLevel: 'warning',
  });
  // Node maps stack traces only for files loaded after source maps are on: turn them on first,
  // so a failing test points at its line in test/vscode/suite.
  writeFileSync(SUITE_BUNDLE, "process.setSourceMapsEnabled(true);\nmodule.exports = require('./suite.js');\n");
  return SUITE_BUNDLE;
}
