// An in-memory CliContext: runs `stc` in the test process and captures what it prints.
import { Readable } from 'node:stream';
import { runCli } from '../../src/cli/cli';
import type { CliContext } from '../../src/cli/context';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly stdin?: string | Uint8Array;
  readonly env?: Record<string, string | undefined>;
  readonly signal?: AbortSignal;
}

export async function stc(argv: readonly string[], options: RunOptions = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const input = options.stdin ?? '';
  const ctx: CliContext = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    stderrIsTTY: false,
    stdin: Readable.from([typeof input === 'string' ? Buffer.from(input, 'utf8') : input]),
    stdinIsTTY: false,
    env: { ...options.env },
    signal: options.signal ?? new AbortController().signal,
  };
  const code = await runCli(argv, ctx);
  return { code, stdout, stderr };
}
