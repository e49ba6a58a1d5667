// `npm run package`: one .vsix per platform, each carrying only that platform's onnxruntime
// binaries, into out/vsix/.
//
//   node --import tsx scripts/package/run.ts [--target linux-x64,win32-x64] [--no-build]
//
// Builds the production bundles (npm run build:prod) unless --no-build, copies the project files
// .vscodeignore admits once, stages each target in a temporary folder (stage.ts), checks what vsce
// would pack (check.ts), packs it and reports sizes.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { checkContents } from './check';
import { MANIFEST, REPO_ROOT, VSIX_DIR } from './paths';
import { snapshotProject, stagePackage } from './stage';
import { selectTargets, type Target } from './targets';
import { listFiles, packageTarget } from './vsce';

interface Manifest {
  name: string;
  version: string;
  main: string;
}

interface Built {
  target: string;
  file: string;
  bytes: number;
  unpackedBytes: number;
  files: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { target: { type: 'string' }, 'no-build': { type: 'boolean', default: false } } });
  const targets = selectTargets(values.target);
  if (!values['no-build']) execFileSync('npm', ['run', 'build:prod'], { cwd: REPO_ROOT, stdio: 'inherit' });

  const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as Manifest;
  const main = path.posix.normalize(manifest.main.endsWith('.js') ? manifest.main : `${manifest.main}.js`);
  mkdirSync(VSIX_DIR, { recursive: true });
  const stageRoot = mkdtempSync(path.join(os.tmpdir(), 'stc-lens-package-'));
  const built: Built[] = [];
  try {
    const project = snapshotProject(path.join(stageRoot, 'project'));
    for (const target of targets) built.push(await buildTarget(target, manifest, main, project, stageRoot));
  } finally {
    rmSync(stageRoot, { recursive: true, force: true });
  }
  printSizes(built);
}

async function buildTarget(target: Target, manifest: Manifest, main: string, project: string, stageRoot: string): Promise<Built> {
  const staged = stagePackage(target, project, path.join(stageRoot, target.name));
  try {
    const files = await listFiles(staged.dir);
    checkContents(files, target, staged.dir, main);
    const file = path.join(VSIX_DIR, `${manifest.name}-${target.name}-${manifest.version}.vsix`);
    for (const warning of await packageTarget(staged.dir, target.name, file)) console.log(`[vsce] ${warning}`);
    const unpackedBytes = files.reduce((sum, f) => sum + statSync(path.join(staged.dir, f)).size, 0);
    const modules = [...staged.modules].map(([name, version]) => `${name}@${version}`).join(', ');
    console.log(`[package] ${target.name}: ${files.length} files, node_modules: ${modules}`);
    return { target: target.name, file, bytes: statSync(file).size, unpackedBytes, files: files.length };
  } finally {
    // About 100 MB per target: one at a time is enough.
    rmSync(staged.dir, { recursive: true, force: true });
  }
}

function printSizes(built: readonly Built[]): void {
  const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  console.log('\n| target | .vsix | unpacked | files |\n| --- | --- | --- | --- |');
  for (const b of built) console.log(`| ${b.target} | ${mb(b.bytes)} | ${mb(b.unpackedBytes)} | ${b.files} |`);
  console.log(`\n${built.map((b) => path.relative(REPO_ROOT, b.file)).join('\n')}`);
}

main().catch((error: unknown) => {
  console.error(`[package] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
