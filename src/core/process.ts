// Whether another process still runs: locks and temporary files name their writer's pid, and the
// leftovers of a writer that died may be taken over or removed.

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
