// The `stc` executable (bundled to dist/cli.js): wires the process to runCli. Ctrl-C aborts the
// running command, which stops at its next check and saves nothing; a second Ctrl-C exits at once.
import { runCli } from './cli';
import { EXIT } from './errors';

const controller = new AbortController();
process.on('SIGINT', () => {
  if (controller.signal.aborted) process.exit(EXIT.interrupted);
  process.stderr.write('\nstc: interrupting (Ctrl-C again to quit at once)...\n');
  controller.abort();
});

// `stc classify ... | head -1`: a reader that stops early is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(EXIT.ok);
  throw e;
});

void runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stderrIsTTY: process.stderr.isTTY === true,
  stdin: process.stdin,
  stdinIsTTY: process.stdin.isTTY === true,
  env: process.env,
  signal: controller.signal,
}).then((code) => {
  process.exitCode = code;
});
