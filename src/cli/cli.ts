// `stc`: parses the command line, runs one command, and turns its outcome into an exit code.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../core/model/package-root';
import { formatHelp, parseCommand } from './args';
import { COMMANDS } from './commands';
import type { CliContext } from './context';
import { writeLine } from './context';
import { describeError, EXIT, EXIT_CODE_HELP, exitCodeOf, UsageError } from './errors';

export function version(): string {
  const pkg = JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.spec.name.length));
  return [
    'usage: stc <command> [options]',
    '',
    'Interpretable text classifiers from the internal neurons of a pretrained transformer (Sparsify-then-Classify).',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.spec.name.padEnd(width)}  stc ${c.spec.name} ${c.spec.usage}`),
    '',
    '  -h, --help     show this help; `stc <command> --help` for a command\'s options',
    '      --version  print the version',
    '',
    'Results go to standard output; progress, warnings and errors to standard error.',
    'Set STC_DEBUG=1 to print stack traces with errors.',
    '',
    'exit codes:',
    ...EXIT_CODE_HELP.map(([code, what]) => `  ${String(code).padStart(3)}  ${what}`),
  ].join('\n');
}

/** Runs `stc` with the arguments after the program name; resolves to the exit code. */
export async function runCli(argv: readonly string[], ctx: CliContext): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      writeLine(ctx.stdout, mainHelp());
      return EXIT.ok;
    }
    if (name === '--version' || name === '-V') {
      writeLine(ctx.stdout, version());
      return EXIT.ok;
    }
    const command = COMMANDS.find((c) => c.spec.name === name);
    if (!command) throw new UsageError(`stc: unknown command "${name}"; the commands are ${COMMANDS.map((c) => c.spec.name).join(', ')}.`);
    const args = parseCommand(command.spec, rest);
    if (args.help) {
      writeLine(ctx.stdout, formatHelp(command.spec));
      return EXIT.ok;
    }
    await command.run(ctx, args);
    return EXIT.ok;
  } catch (e) {
    const code = exitCodeOf(e);
    const debug = ctx.env.STC_DEBUG === '1';
    writeLine(ctx.stderr, `${code === EXIT.interrupted ? 'stc: ' : 'error: '}${describeError(e, debug)}`);
    if (e instanceof UsageError) writeLine(ctx.stderr, `Run "stc ${name !== undefined && COMMANDS.some((c) => c.spec.name === name) ? `${name} ` : ''}--help" for usage.`);
    return code;
  }
}
