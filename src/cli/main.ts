// The `stc` command line: the same engine as the extension, without VS Code.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const COMMANDS = ['train', 'eval', 'classify', 'explain', 'inspect', 'demo'] as const;

function version(): string {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

function usage(): string {
  return [
    'usage: stc <command> [options]',
    '',
    `commands (arriving with the CLI work): ${COMMANDS.join(', ')}`,
    '',
    '  --help       show this help',
    '  --version    print the version',
  ].join('\n');
}

function main(argv: string[]): number {
  const [command] = argv;
  if (command === undefined || command === '--help' || command === '-h') {
    console.log(usage());
    return 0;
  }
  if (command === '--version') {
    console.log(version());
    return 0;
  }
  if (command === 'demo') {
    // `npm run demo` is one of the README's two commands: it says plainly what is not there yet.
    console.log('The STC Lens demo arrives with the CLI (train, classify, explain); the engine underneath is being built.');
    return 0;
  }
  if ((COMMANDS as readonly string[]).includes(command)) {
    console.error(`stc ${command}: arrives with the CLI; the engine is under construction.`);
    return 69; // EX_UNAVAILABLE
  }
  console.error(`stc: unknown command "${command}"\n\n${usage()}`);
  return 64; // EX_USAGE
}

process.exitCode = main(process.argv.slice(2));
