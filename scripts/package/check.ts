// What every package must and must not contain, checked on vsce's own list of the files it
// packs, so that a change to .vscodeignore or to the staging cannot quietly ship the wrong thing.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ORT_PACKAGE } from './paths';
import type { Target } from './targets';

/** Sources, tests, tooling and caches: none of it runs in the extension. */
const NEVER_PACKAGED = ['src/', 'test/', 'bench/', 'scripts/', 'webview/', 'examples/', 'docs/', 'out/', '.venv/', '.cache/', '.stc/'];
const EMBEDDED_MODEL = 'models/all-MiniLM-L6-v2/onnx/model_quantized.onnx';

export function checkContents(files: readonly string[], target: Target, stageDir: string, main: string): void {
  const problems: string[] = [];
  const has = new Set(files);
  for (const prefix of NEVER_PACKAGED) {
    const found = files.filter((f) => f.startsWith(prefix));
    if (found.length > 0) problems.push(`${found.length} file(s) under ${prefix}, e.g. ${found[0]}`);
  }
  for (const file of files) {
    if (file.startsWith('dist/') && file.endsWith('.map')) problems.push(`source map ${file}`);
    if (/\.onnx(_data)?$/.test(file) && file !== EMBEDDED_MODEL) problems.push(`model file ${file}: only the embedded int8 model (${EMBEDDED_MODEL}) is packaged`);
    if (/onnxruntime_providers_/.test(file)) problems.push(`GPU provider library ${file}`);
  }
  for (const required of [main, EMBEDDED_MODEL, 'models/all-MiniLM-L6-v2/tokenizer.json', 'models/all-MiniLM-L6-v2/config.json']) {
    if (!has.has(required)) problems.push(`${required} is missing`);
  }

  const ortPrefix = `node_modules/${ORT_PACKAGE}/`;
  const binPrefix = `${ortPrefix}${target.binDir}/`;
  const otherBinaries = files.filter((f) => f.startsWith(`${ortPrefix}bin/`) && !f.startsWith(binPrefix));
  if (otherBinaries.length > 0) problems.push(`binaries of other targets, e.g. ${otherBinaries[0]}`);
  const binding = `${binPrefix}onnxruntime_binding.node`;
  if (!has.has(binding)) problems.push(`${binding} is missing`);
  else {
    for (const library of linkedRuntimeLibraries(path.join(stageDir, binding))) {
      if (!has.has(`${binPrefix}${library}`)) problems.push(`${binding} links ${library}, which is not packaged`);
    }
  }

  if (problems.length > 0) throw new Error(`the ${target.name} package is wrong:\n  ${problems.join('\n  ')}`);
}

/** The onnxruntime libraries a binding names for the loader (ELF NEEDED, Mach-O load command, PE import), found as plain strings. */
function linkedRuntimeLibraries(bindingFile: string): string[] {
  const text = readFileSync(bindingFile).toString('latin1');
  const names = new Set<string>();
  for (const match of text.matchAll(/(?:@rpath\/)?((?:lib)?onnxruntime(?:\.\d+)*\.(?:so(?:\.\d+)*|dylib|dll))\b/g)) names.add(match[1]!);
  if (names.size === 0) throw new Error(`${bindingFile} names no onnxruntime library: the check in scripts/package/check.ts needs updating`);
  return [...names];
}
