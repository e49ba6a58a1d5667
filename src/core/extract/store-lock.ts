// One writer per feature store directory, across processes (the worker and the CLI may both run)
// and within one. The lock file holds the writer's pid; a lock whose process is gone is taken over.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LOCK } from './store-format';
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
