// Progress on stderr: a redrawn bar on a terminal (stage, bar, count, rows/s, ETA), plain lines
// otherwise (when a stage starts and ends, and at most every few seconds in between), so that
// logs and pipes stay readable.
import type { CliContext } from './context';

export interface ProgressUpdate {
  readonly stage: string;
  readonly done: number;
  readonly total: number;
  readonly rowsPerSecond?: number;
  readonly etaSeconds?: number;
  readonly item?: string;
}

export interface ProgressReporter {
  update(p: ProgressUpdate): void;
  /** A log line, printed above the bar. */
  log(line: string): void;
  /** Clears the bar (call before printing results or an error). */
  finish(): void;
}

const BAR_WIDTH = 24;
const PLAIN_INTERVAL_MS = 5000;

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

export function formatProgress(p: ProgressUpdate, bar: boolean): string {
  const fraction = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
  const parts = [p.stage.padEnd(10)];
  if (bar) {
    const filled = Math.round(fraction * BAR_WIDTH);
    parts.push(`[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`);
  }
  parts.push(`${p.done}/${p.total}`);
  if (p.rowsPerSecond !== undefined && Number.isFinite(p.rowsPerSecond)) parts.push(`${p.rowsPerSecond.toFixed(1)} rows/s`);
  if (p.etaSeconds !== undefined && Number.isFinite(p.etaSeconds) && p.done < p.total) parts.push(`ETA ${formatDuration(p.etaSeconds)}`);
  if (p.item) parts.push(p.item);
  return parts.join('  ');
}

export function createProgress(ctx: CliContext, now: () => number = Date.now): ProgressReporter {
  let drawn = false;
  let stage: string | undefined;
  let lastPlain = 0;
  let stageStart = { stage: '', at: 0 };
  /** The ETA the engine gave, else one from this stage's pace so far. */
  const withEta = (p: ProgressUpdate): ProgressUpdate => {
    if (p.stage !== stageStart.stage) stageStart = { stage: p.stage, at: now() };
    if (p.etaSeconds !== undefined || p.done <= 0 || p.done >= p.total) return p;
    const elapsed = (now() - stageStart.at) / 1000;
    return { ...p, etaSeconds: (elapsed * (p.total - p.done)) / p.done };
  };
  const clear = (): void => {
    if (drawn) ctx.stderr.write('\r\x1b[2K');
    drawn = false;
  };
  return {
    update(given) {
      const p = withEta(given);
      if (ctx.stderrIsTTY) {
        const columns = (process.stderr.columns || 100) - 1;
        ctx.stderr.write(`\r\x1b[2K${formatProgress(p, true).slice(0, columns)}`);
        drawn = true;
        return;
      }
      const changed = p.stage !== stage;
      const finished = p.done >= p.total;
      if (changed || finished || now() - lastPlain >= PLAIN_INTERVAL_MS) {
        ctx.stderr.write(`${formatProgress(p, false)}\n`);
        lastPlain = now();
      }
      stage = finished ? undefined : p.stage;
    },
    log(line) {
      clear();
      ctx.stderr.write(`${line}\n`);
    },
    finish: clear,
  };
}
