// The extension host loads plain CommonJS from extensionTestsPath: bundle every
// test/vscode/suite/*.vscode.ts (in name order) with the harness's run() into one file (and
// scripts/package's smoke tests the same way).
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
  return bundleForExtensionHost(entry, SUITE_SOURCE_DIR, path.dirname(SUITE_BUNDLE));
}

/**
 * Bundles the TypeScript `entry` (its imports resolved from `resolveDir`), which exports the
 * harness's run(), into `outDir`; returns the file to give as extensionTestsPath.
 */
export async function bundleForExtensionHost(entry: string, resolveDir: string, outDir: string): Promise<string> {
  await esbuild.build({
    stdin: { contents: entry, resolveDir, sourcefile: 'index.ts', loader: 'ts' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['vscode'],
    sourcemap: 'inline',
    outfile: path.join(outDir, 'suite.js'),
    logLevel: 'warning',
  });
  // Node maps stack traces only for files loaded after source maps are on: turn them on first,
  // so a failing test points at its line in its source.
  const index = path.join(outDir, 'index.js');
  writeFileSync(index, "process.setSourceMapsEnabled(true);\nmodule.exports = require('./suite.js');\n");
  return index;
}
