// The VS Code targets a package can be built for: one per platform folder that the installed
// onnxruntime-node ships native binaries in (bin/napi-v<N>/<platform>/<arch>). VS Code names
// targets `<platform>-<arch>` with Node's platform and arch names, the same names the binding
// loads its binary by (`bin/napi-v6/${process.platform}/${process.arch}`).
import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { NODE_MODULES, ORT_PACKAGE } from './paths';

export interface Target {
  /** VS Code's name, e.g. `linux-x64`. */
  name: string;
  platform: string;
  arch: string;
  /** The binaries of this target, relative to the onnxruntime-node folder (`bin/napi-v6/linux/x64`). */
  binDir: string;
}

/** What VS Code accepts for `--target` (vsce's list), less `web`, `alpine-*` and `linux-armhf`, which onnxruntime-node has no binaries for. */
const VSCODE_TARGETS = new Set(['win32-x64', 'win32-arm64', 'linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64']);

export function ortPackageDir(): string {
  return path.join(NODE_MODULES, ORT_PACKAGE);
}

/** Every target the installed onnxruntime-node has binaries for, in name order. */
export function supportedTargets(): Target[] {
  const bin = path.join(ortPackageDir(), 'bin');
  const targets: Target[] = [];
  for (const napi of subfolders(bin)) {
    for (const platform of subfolders(path.join(bin, napi))) {
      for (const arch of subfolders(path.join(bin, napi, platform))) {
        const name = `${platform}-${arch}`;
        if (!VSCODE_TARGETS.has(name)) throw new Error(`${ORT_PACKAGE} ships binaries for ${name}, which is no VS Code target: teach scripts/package/targets.ts about it`);
        if (targets.some((t) => t.name === name)) throw new Error(`${ORT_PACKAGE} ships ${name} binaries for two N-API versions: choose one in scripts/package/targets.ts`);
        targets.push({ name, platform, arch, binDir: path.posix.join('bin', napi, platform, arch) });
      }
    }
  }
  if (targets.length === 0) throw new Error(`no binaries under ${bin}: is ${ORT_PACKAGE} installed (npm ci)?`);
  return targets.sort((a, b) => a.name.localeCompare(b.name));
}

/** The targets named (comma-separated), or all of them. */
export function selectTargets(names: string | undefined): Target[] {
  const supported = supportedTargets();
  if (!names) return supported;
  return names.split(',').map((name) => {
    const target = supported.find((t) => t.name === name.trim());
    if (!target) throw new Error(`--target ${name}: ${ORT_PACKAGE} has binaries for ${supported.map((t) => t.name).join(', ')} only`);
    return target;
  });
}

function subfolders(dir: string): string[] {
  return readdirSync(dir).filter((name) => statSync(path.join(dir, name)).isDirectory());
}
