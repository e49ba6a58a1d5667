// vsce (a devDependency), run in a staged package folder.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { VSCE } from './paths';

const run = promisify(execFile);

/**
 * No repository URL in the manifest (vsce would ask), and README's relative links stay relative:
 * VS Code resolves them inside the installed extension, where ARCHITECTURE.md is packaged too.
 */
const PACKAGE_OPTIONS = ['--no-yarn', '--allow-missing-repository', '--no-rewrite-relative-links'];

async function vsce(dir: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run(process.execPath, [VSCE, ...args], { cwd: dir, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`vsce ${args.join(' ')} failed in ${dir}:\n${[stdout, stderr].filter(Boolean).join('\n')}`, { cause: error });
  }
}

/** The files vsce would put in the package, relative to `dir`, with '/' separators. */
export async function listFiles(dir: string): Promise<string[]> {
  const out = await vsce(dir, ['ls', '--no-yarn']);
  return out.split(/\r?\n/).filter((line) => line !== '');
}

/** Packs the folder; returns vsce's warnings, if any. */
export async function packageTarget(dir: string, target: string, outFile: string): Promise<string[]> {
  const out = await vsce(dir, ['package', '--target', target, '--out', outFile, ...PACKAGE_OPTIONS]);
  return out.split(/\r?\n/).filter((line) => /warning/i.test(line));
}
