// The packages the bundles load at run time: what esbuild left external (see esbuild.mjs), read
// from the bundles themselves so that the package follows the build instead of a second list.
import { readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';

/** Provided by the extension host, never packaged. */
const HOST_PROVIDED = new Set(['vscode']);

/**
 * `require("x")` and `import("x")` with a bare specifier. esbuild prints the loads it leaves in a
 * bundle with double quotes; code that merely mentions a load in a string (the learning pool's
 * `require('tsx/cjs')`, used only when running from the sources) uses single quotes.
 */
const BARE_LOAD = /\b(?:require|import)\("([^"./][^"]*)"\)/g;

/** Package names (a scoped name keeps its scope) loaded by any of the bundle files, sorted. */
export function runtimeExternals(bundleFiles: readonly string[]): string[] {
  const names = new Set<string>();
  for (const file of bundleFiles) {
    for (const match of readFileSync(file, 'utf8').matchAll(BARE_LOAD)) {
      const specifier = match[1]!;
      if (isBuiltin(specifier)) continue;
      const name = packageName(specifier);
      if (!HOST_PROVIDED.has(name)) names.add(name);
    }
  }
  return [...names].sort();
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}
