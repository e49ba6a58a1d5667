// One target's package folder: the project files that .vscodeignore admits, a manifest, and a
// node_modules holding only what the bundles load at run time, with onnxruntime-node cut down to
// that target's binaries. vsce then packages the folder as it stands.
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runtimeExternals } from './externals';
import { MANIFEST, NODE_MODULES, ORT_PACKAGE, REPO_ROOT, VSCODEIGNORE } from './paths';
import type { Target } from './targets';

export interface StagedPackage {
  dir: string;
  /** Every package in its node_modules, name to version. */
  modules: Map<string, string>;
}

interface PackageJson {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  scripts?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

/** Used only by onnxruntime-node's install script (script/install.js), which downloads the CUDA provider libraries. */
const ORT_INSTALL_ONLY = ['adm-zip', 'global-agent'];

/**
 * GPU provider libraries (CUDA, TensorRT and the shared layer they load through) are never
 * packaged: they are hundreds of MB and need a matching CUDA install; the README's GPU step adds
 * them to an installed extension.
 */
const GPU_PROVIDER_LIBRARY = /onnxruntime_providers_/;

/**
 * onnxruntime-node's npm package carries macOS's runtime twice (npm packs no symlinks):
 * libonnxruntime.1.dylib, which the binding links (@rpath/libonnxruntime.1.dylib), and an
 * identical libonnxruntime.1.30.0.dylib that nothing loads. check.ts verifies that every library
 * the binding names is packaged.
 */
const UNLINKED_VERSIONED_DYLIB = /^libonnxruntime\.\d+\.\d+\.\d+\.dylib$/;

const SHARP_STUB_VERSION = '0.0.0-stc-lens-stub';

/**
 * Copies the project files every package shares into `dir`, once, right after the build: every
 * target then gets the same bundles even if a build runs in the working tree meanwhile.
 */
export function snapshotProject(dir: string): string {
  mkdirSync(dir, { recursive: true });
  for (const entry of [...projectRoots(), '.vscodeignore']) {
    cpSync(path.join(REPO_ROOT, entry), path.join(dir, entry), { recursive: true });
  }
  return dir;
}

/** `projectDir` (from snapshotProject) with a manifest and node_modules for `target`, in `dir`. */
export function stagePackage(target: Target, projectDir: string, dir: string): StagedPackage {
  cpSync(projectDir, dir, { recursive: true });
  const externals = runtimeExternals(bundleFiles(path.join(dir, 'dist')));
  const modules = new Map<string, string>();
  const nodeModules = path.join(dir, 'node_modules');
  for (const name of externals) stageModule(name, REPO_ROOT, target, nodeModules, modules);
  writeManifest(dir, externals, modules);
  return { dir, modules };
}

/**
 * The top-level files and folders the .vscodeignore's `!` patterns name. vsce keeps a file that
 * any `!` pattern matches, so those patterns are the whole list of what goes in; copying their
 * first path segment gives vsce everything it may pick from, and it applies the exact patterns.
 */
function projectRoots(): string[] {
  const roots = new Set<string>();
  for (const line of readFileSync(VSCODEIGNORE, 'utf8').split(/\r?\n/)) {
    const pattern = line.trim();
    if (!pattern.startsWith('!')) continue;
    const root = pattern.slice(1).replace(/^\//, '').split('/')[0]!;
    if (/[*?[{]/.test(root)) throw new Error(`.vscodeignore: "${pattern}" starts with a wildcard; scripts/package copies the top-level entries the "!" patterns name, so name one`);
    // A folder a feature has not filled yet (media/) simply contributes nothing.
    if (root !== 'node_modules' && existsSync(path.join(REPO_ROOT, root))) roots.add(root);
  }
  return [...roots];
}

function bundleFiles(dir: string): string[] {
  if (!existsSync(dir)) throw new Error(`${dir} is missing: .vscodeignore must admit the bundles under dist/`);
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.js'))
    .map((file) => path.join(dir, file));
}

/** Copies a package (or writes its stand-in) into node_modules, then the packages it depends on. */
function stageModule(name: string, requiredFrom: string, target: Target, nodeModules: string, modules: Map<string, string>): void {
  const destination = path.join(nodeModules, name);
  if (name === 'sharp') {
    if (!modules.has(name)) writeSharpStub(destination, modules);
    return;
  }
  const source = findPackage(name, requiredFrom);
  const pkg = readPackageJson(source);
  const staged = modules.get(name);
  if (staged !== undefined) {
    if (staged !== pkg.version) throw new Error(`the bundles need ${name} ${staged} and ${pkg.version}: one flat node_modules cannot hold both`);
    return;
  }
  modules.set(name, pkg.version);
  const relative = (file: string): string => path.relative(source, file).split(path.sep).join('/');
  if (name === ORT_PACKAGE) {
    cpSync(source, destination, { recursive: true, filter: (file) => isRuntimeFile(relative(file)) && keepOrtFile(relative(file), target) });
    for (const dep of ORT_INSTALL_ONLY) delete pkg.dependencies?.[dep];
    delete pkg.scripts;
    writeFileSync(path.join(destination, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  } else {
    // Its own dependencies are staged beside it, flat, like npm installs them.
    cpSync(source, destination, { recursive: true, filter: (file) => isRuntimeFile(relative(file)) && !relative(file).split('/').includes('node_modules') });
  }
  const dependencies = { ...pkg.dependencies, ...pkg.optionalDependencies };
  for (const dep of Object.keys(dependencies)) {
    const optional = pkg.optionalDependencies?.[dep] !== undefined;
    if (optional && !tryFindPackage(dep, source)) continue;
    stageModule(dep, source, target, nodeModules, modules);
  }
}

/** TypeScript sources, typings and source maps of dependencies never run. */
function isRuntimeFile(relative: string): boolean {
  return !/\.(?:map|[cm]?ts)$/.test(relative);
}

/** Everything but the installer, other targets' binaries and GPU provider libraries. */
function keepOrtFile(relative: string, target: Target): boolean {
  const [top] = relative.split('/');
  if (top === 'script') return false;
  if (top === 'bin') {
    const onTargetPath = target.binDir === relative || target.binDir.startsWith(`${relative}/`) || relative.startsWith(`${target.binDir}/`);
    if (!onTargetPath) return false;
  }
  const base = path.posix.basename(relative);
  return !GPU_PROVIDER_LIBRARY.test(base) && !(target.platform === 'darwin' && UNLINKED_VERSIONED_DYLIB.test(base));
}

/**
 * transformers.js loads sharp (image decoding, with libvips: about 18 MB per platform, and
 * installed here for this machine's platform only) as soon as it starts, and refuses to start
 * without it. STC Lens reads text only: a stand-in lets it start and says so if anything ever
 * asks it for an image.
 */
function writeSharpStub(destination: string, modules: Map<string, string>): void {
  mkdirSync(destination, { recursive: true });
  const manifest = { name: 'sharp', version: SHARP_STUB_VERSION, description: 'STC Lens stand-in: no image decoding', main: 'index.js', license: 'MIT' };
  writeFileSync(path.join(destination, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(
    path.join(destination, 'index.js'),
    [
      '// STC Lens classifies text and never decodes images; transformers.js only needs this module to exist.',
      'module.exports = function sharp() {',
      "  throw new Error('STC Lens does not decode images: the extension carries no image library (sharp).');",
      '};',
      '',
    ].join('\n'),
  );
  modules.set('sharp', SHARP_STUB_VERSION);
}

/**
 * The project's manifest, with `dependencies` naming exactly the staged top-level packages (vsce
 * asks `npm list --production` what to include, which must find a consistent tree), and without
 * `scripts` and `devDependencies`, which mean nothing in an installed extension (and vsce would
 * run a `vscode:prepublish` script in the stage, where no build tools are).
 */
function writeManifest(dir: string, externals: readonly string[], modules: Map<string, string>): void {
  const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as PackageJson;
  delete manifest.scripts;
  delete manifest.devDependencies;
  manifest.dependencies = Object.fromEntries(externals.map((name) => [name, modules.get(name)!]));
  writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** Node's lookup: node_modules/<name> in the requiring folder or any folder above it. */
function tryFindPackage(name: string, from: string): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

function findPackage(name: string, from: string): string {
  const found = tryFindPackage(name, from);
  if (!found) throw new Error(`the bundles load ${name} at run time, but it is not installed under ${NODE_MODULES} (npm ci?)`);
  return found;
}

function readPackageJson(dir: string): PackageJson {
  return JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as PackageJson;
}
