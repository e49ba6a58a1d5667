// Loading a saved classifier: every file read, hashed against the manifest and validated, so a
// missing, truncated, tampered or newer-format classifier fails here with what, where and what to
// do, and never later inside inference.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { StcReport } from '../stc';
import { leftovers } from './atomic';
import { ArtifactError } from './errors';
import { parseExamples } from './examples';
import { sha256Hex } from './hash';
import { EXAMPLES_FILE, MANIFEST_FILE, REPORT_FILE } from './layout';
import { validateManifest } from './manifest';
import { checkReport } from './report-check';
import type { SavedClassifier } from './types';

async function readBytes(file: string, what: string): Promise<Buffer> {
  try {
    return await fs.readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ArtifactError('missing-file', file, `missing: the classifier folder has no ${what}. It is incomplete or damaged: restore it from a copy, or train it again.`, { cause: e });
    }
    throw new ArtifactError('unreadable', file, `cannot be read (${(e as Error).message}); check its permissions.`, { cause: e });
  }
}

function parseJson(bytes: Buffer, file: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new ArtifactError('invalid-json', file, `is not valid JSON (${(e as Error).message}); the file is truncated or damaged: restore the classifier from a copy, or train it again.`, { cause: e });
  }
}

async function checkFolder(dir: string): Promise<void> {
  const info = await fs.stat(dir).catch(() => undefined);
  if (info?.isDirectory()) return;
  if (info) throw new ArtifactError('not-a-classifier', dir, 'is a file; a classifier is a folder (name.stc) with manifest.json, report.json and examples.json.');
  const [previous] = await leftovers(dir, 'old');
  const hint = previous ? ` A save into it was interrupted; the previous classifier is at ${previous}: rename it to ${path.basename(dir)} to use it.` : ' Check the path, or train a classifier first.';
  throw new ArtifactError('missing-folder', dir, `no such classifier folder.${hint}`);
}

/** Reads a file beside the manifest and checks it against the hash the manifest records. */
async function readHashed(dir: string, name: string, sha256: string): Promise<unknown> {
  const file = path.join(dir, name);
  const bytes = await readBytes(file, name);
  if (sha256Hex(bytes) !== sha256) {
    throw new ArtifactError('hash-mismatch', file, `its content does not match the sha256 recorded in ${MANIFEST_FILE}: it was changed, truncated or damaged after saving. Restore the classifier from a copy, or train it again.`);
  }
  return parseJson(bytes, file);
}

export async function loadClassifier(dir: string): Promise<SavedClassifier> {
  const target = path.resolve(dir);
  await checkFolder(target);
  const manifestFile = path.join(target, MANIFEST_FILE);
  const manifest = validateManifest(parseJson(await readBytes(manifestFile, MANIFEST_FILE), manifestFile), manifestFile);
  const report: StcReport = checkReport(await readHashed(target, REPORT_FILE, manifest.files.report), path.join(target, REPORT_FILE), manifest);
  const examples = parseExamples(await readHashed(target, EXAMPLES_FILE, manifest.files.examples), path.join(target, EXAMPLES_FILE), report, manifest.labels);
  return { dir: target, manifest, report, examples };
}
