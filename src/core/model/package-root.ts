// The folder of the installed extension / repository checkout, found by walking up to the
// package.json named `stc-lens`. Works from src/ under tsx and from dist/ bundles alike, where
// __dirname is one or more levels below the root.
import * as fs from 'node:fs';
import * as path from 'node:path';

const PACKAGE_NAME = 'stc-lens';
let cached: string | undefined;

function isPackageRoot(dir: string): boolean {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown };
    return pkg.name === PACKAGE_NAME;
  } catch {
    return false;
  }
}

export function packageRoot(): string {
  if (cached) return cached;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (isPackageRoot(dir)) return (cached = dir);
    if (path.dirname(dir) === dir) break;
  }
  throw new Error(`Cannot find the ${PACKAGE_NAME} package root above ${__dirname}; the installation is incomplete, reinstall the extension.`);
}
