// What a command runs with: its output streams, input, environment and cancellation signal.
// main.ts builds it from the process; tests build one in memory.

export interface TextSink {
  write(text: string): unknown;
}

export interface CliContext {
  /** Results. */
  readonly stdout: TextSink;
  /** Progress, warnings and errors. */
  readonly stderr: TextSink;
  /** Progress is drawn as a bar when stderr is a terminal, else written as plain lines. */
  readonly stderrIsTTY: boolean;
  /** Texts to classify when none are given on the command line. */
  readonly stdin: AsyncIterable<Uint8Array | string>;
  /** A person types the texts: tell them how to end the input. */
  readonly stdinIsTTY: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Aborted on Ctrl-C. */
  readonly signal: AbortSignal;
}

export function writeLine(sink: TextSink, line = ''): void {
  sink.write(`${line}\n`);
}

export function warn(ctx: CliContext, message: string): void {
  writeLine(ctx.stderr, `warning: ${message}`);
}
