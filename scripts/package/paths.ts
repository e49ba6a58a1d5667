// Where packaging reads the project and writes the .vsix files.
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
export const MANIFEST = path.join(REPO_ROOT, 'package.json');
export const VSCODEIGNORE = path.join(REPO_ROOT, '.vscodeignore');
export const NODE_MODULES = path.join(REPO_ROOT, 'node_modules');
export const VSCE = path.join(NODE_MODULES, '@vscode/vsce/vsce');
/** The .vsix files (git-ignored via /out/). */
export const VSIX_DIR = path.join(REPO_ROOT, 'out/vsix');
/** The native runtime whose binaries decide the platforms an extension package can serve. */
export const ORT_PACKAGE = 'onnxruntime-node';
