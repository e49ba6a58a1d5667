// Writing a folder so that readers only ever see a complete one: the files go into a temporary
// sibling, which is renamed into place once everything is on disk. An existing folder is renamed
// aside first and deleted only after the new one is in place, so an interruption at any point
// leaves either the old folder or the new one under the target name (a crash between the two
// renames leaves the old one under its `.old-` name beside it, never deleted). The incomplete
// temporaries of writers that died are removed by the next write.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { isProcessAlive } from '../process';

export interface AtomicWriteHooks {
  /** Replaces fs.rename (tests simulate a failure at a given step). */
  readonly rename?: (from: string, to: string) => Promise<void>;
}

type Role = 'tmp' | 'old';

/** Siblings of `target` that an interrupted write leaves behind: `.{name}.tmp-{pid}-*` (a new
 *  folder that was never completed) and `.{name}.old-{pid}-*` (the previous folder, renamed aside). */
function siblingName(target: string, role: Role): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${role}-${process.pid}-${randomBytes(4).toString('hex')}`);
}

export async function leftovers(target: string, role: Role): Promise<string[]> {
  const prefix = `.${path.basename(target)}.${role}-`;
  const names = await fs.readdir(path.dirname(target)).catch(() => [] as string[]);
  return names.filter((n) => n.startsWith(prefix)).map((n) => path.join(path.dirname(target), n));
}

/** Removes incomplete folders of writers that died mid-write (a live writer's are left alone). */
async function removeDeadTemporaries(target: string): Promise<void> {
  for (const tmp of await leftovers(target, 'tmp')) {
    const pid = Number(/\.tmp-(\d+)-/.exec(path.basename(tmp))?.[1]);
    if (Number.isInteger(pid) && !isProcessAlive(pid)) await fs.rm(tmp, { recursive: true, force: true });
  }
}

/** Writes one file and flushes it to disk before the folder is renamed into place. */
export async function writeDurable(file: string, data: string): Promise<void> {
  const handle = await fs.open(file, 'w');
  try {
    await handle.writeFile(data, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Creates `target` with the files `fill` writes into the folder it is given. */
export async function writeFolderAtomically(target: string, fill: (dir: string) => Promise<void>, hooks: AtomicWriteHooks = {}): Promise<void> {
  const rename = hooks.rename ?? fs.rename;
  const tmp = siblingName(target, 'tmp');
  await fs.mkdir(path.dirname(target), { recursive: true });
  await removeDeadTemporaries(target);
  await fs.mkdir(tmp);
  try {
    await fill(tmp);
  } catch (e) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw e;
  }
  const exists = await fs.stat(target).then(() => true, () => false);
  const old = exists ? siblingName(target, 'old') : undefined;
  try {
    if (old) await rename(target, old);
    try {
      await rename(tmp, target);
    } catch (e) {
      if (old) await rename(old, target);
      throw e;
    }
  } catch (e) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw e;
  }
  if (old) await fs.rm(old, { recursive: true, force: true });
}
