// Runs a command and samples the resident memory of its whole process tree (the Python reference
// forks worker processes under --jobs; getrusage would give the largest one, not their sum).
// Linux only: reads /proc.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';

export interface TreeRun {
  readonly code: number | null;
  readonly stdout: string;
  /** Wall time of the whole process, start to exit. */
  readonly seconds: number;
  /** Largest sum of RSS over the tree seen at any sample, MB. */
  readonly peakTreeRssMB: number;
}

const PAGE = 4096;

function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // the process exited between listing and reading
    }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i] as number) ?? []));
  return out;
}

function treeRssBytes(root: number): number {
  let total = 0;
  for (const pid of descendants(root)) {
    try {
      total += Number(fs.readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * PAGE;
    } catch {
      // exited
    }
  }
  return total;
}

export function runMeasured(command: string, argv: string[], cwd: string, sampleMs = 200): Promise<TreeRun> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(command, argv, { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    let peak = 0;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const timer = setInterval(() => {
      if (child.pid !== undefined) peak = Math.max(peak, treeRssBytes(child.pid));
    }, sampleMs);
    child.on('error', (e) => {
      clearInterval(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearInterval(timer);
      resolve({ code, stdout, seconds: Number(process.hrtime.bigint() - start) / 1e9, peakTreeRssMB: peak / 2 ** 20 });
    });
  });
}

/** The last line of a run's stdout as JSON; a failed run is an error naming it. */
export function lastJsonLine<T>(what: string, r: TreeRun): T {
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}); its error output is above.`);
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as T;
}
