// The saved classifiers of the workspace: every `<name>.stc` folder in each workspace folder's
// models directory, loaded (and so validated) with core/artifact. Reading only: nothing runs here.
import { readdir } from 'node:fs/promises';
import * as path from 'node:path';
import { CLASSIFIER_SUFFIX, loadClassifier, type SavedClassifier } from '../../core/artifact';
import { message, type StcContext } from '../context';

export type ListedClassifier =
  | { readonly dir: string; readonly name: string; readonly saved: SavedClassifier; readonly error?: undefined }
  | { readonly dir: string; readonly name: string; readonly saved?: undefined; readonly error: string };

export async function listClassifiers(ctx: StcContext): Promise<ListedClassifier[]> {
  const listed: ListedClassifier[] = [];
  for (const { dir } of ctx.modelsDirectories()) {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    const folders = entries.filter((e) => e.isDirectory() && e.name.endsWith(CLASSIFIER_SUFFIX)).map((e) => path.join(dir, e.name));
    for (const folder of folders.sort()) {
      const name = path.basename(folder, CLASSIFIER_SUFFIX);
      try {
        listed.push({ dir: folder, name, saved: await loadClassifier(folder) });
      } catch (error) {
        listed.push({ dir: folder, name, error: message(error) });
      }
    }
  }
  return listed;
}
