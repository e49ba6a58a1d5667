// One writer per feature store directory, across processes (the worker and the CLI may both run)
// and within one. The lock file holds the writer's pid; a lock whose process is gone is taken over.
// Readers take leases, so that no process's cache pruning deletes a store another is reading.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LOCK, readLeaseName, readLeasePid } from './store-format';
import { isProcessAlive } from '../process';

const held = new Set<string>();

export function acquireLock(dir: string): void {
  const file = path.join(dir, LOCK);
  if (held.has(file)) throw new Error(`Features in ${dir} are already being written by this process.`);
  for (let attempt = 0; ; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      held.add(file);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw e;
      const pid = liveLockHolder(dir);
      if (pid !== undefined && pid !== process.pid) {
        throw new Error(`Features in ${dir} are being written by process ${pid}; wait for it to finish or stop it.`, { cause: e });
      }
      fs.rmSync(file, { force: true }); // left by a process that died
    }
  }
}

/** The pid written in `dir`'s lock when that process is alive; undefined without a lock or when
 *  the process is gone. */
export function liveLockHolder(dir: string): number | undefined {
  const file = path.join(dir, LOCK);
  if (!fs.existsSync(file)) return undefined;
  const pid = Number(fs.readFileSync(file, 'utf8'));
  return Number.isInteger(pid) && isProcessAlive(pid) ? pid : undefined;
}

export function releaseLock(dir: string): void {
  const file = path.join(dir, LOCK);
  if (held.delete(file)) fs.rmSync(file, { force: true });
}

let leasesTaken = 0;

/**
 * Marks `dir` as read by this process until the returned function is called (calling it again does
 * nothing). A lease is a file named after the pid, so one left by a process that died stops
 * counting. Throws ENOENT when the store's folder is gone.
 */
export function leaseForReading(dir: string): () => void {
  const file = path.join(dir, readLeaseName(process.pid, ++leasesTaken));
  fs.writeFileSync(file, '', { flag: 'wx' });
  let held = true;
  return () => {
    if (held) fs.rmSync(file, { force: true });
    held = false;
  };
}

/** Whether a live process writes `dir` (its lock) or reads it (a lease). */
export function storeInUse(dir: string): boolean {
  if (liveLockHolder(dir) !== undefined) return true;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false; // deleted meanwhile
    throw e;
  }
  return names.some((name) => {
    const pid = readLeasePid(name);
    return pid !== undefined && isProcessAlive(pid);
  });
}
