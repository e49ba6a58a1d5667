import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCommand } from '../../src/cli/args';
import { COMMANDS } from '../../src/cli/commands';
import { trainSpec } from '../../src/cli/commands/train';
import { EXIT } from '../../src/cli/errors';
import { featureCacheBytesOf } from '../../src/cli/runtime';
import { stc } from './context';

const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');

test('stc --help lists every command and the exit codes', async () => {
  for (const argv of [['--help'], ['-h'], []]) {
    const r = await stc(argv);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^usage: stc <command>/);
    for (const c of COMMANDS) assert.match(r.stdout, new RegExp(`\\n  ${c.spec.name} +stc ${c.spec.name} `));
    for (const code of [0, 64, 65, 66, 70, 73, 130]) assert.match(r.stdout, new RegExp(`\\n +${code}  \\w`));
  }
});

test('every command has --help with its usage and options', async () => {
  for (const c of COMMANDS) {
    const r = await stc([c.spec.name, '--help']);
    assert.equal(r.code, 0, c.spec.name);
    assert.match(r.stdout, new RegExp(`^usage: stc ${c.spec.name} `));
    assert.match(r.stdout, /\n {2}-h, --help +show this help/);
    for (const option of Object.keys(c.spec.options)) assert.match(r.stdout, new RegExp(`--${option}\\b`), `${c.spec.name} --${option}`);
  }
  const train = await stc(['train', '-h']);
  assert.match(train.stdout, /--kinds LIST +neuron kinds to search, comma-separated: hid,act/);
  assert.match(train.stdout, /--feature-cache-gb GB +most disk space the feature stores .* \(default 10; 0: no limit\)/);
});

test('--version prints the package version', async () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  const r = await stc(['--version']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, `${pkg.version}\n`);
});

test('usage errors exit 64 with one message and a pointer to the help', async () => {
  const cases: [string[], RegExp][] = [
    [['frobnicate'], /unknown command "frobnicate"; the commands are train, eval/],
    [['train'], /stc train: missing argument; usage: stc train <data>/],
    [['train', 'a.csv', 'b.csv'], /unexpected argument "b\.csv"/],
    [['train', 'a.csv', '--bogus'], /Unknown option '--bogus'/],
    [['train', 'a.csv', '--threads', 'two'], /--threads two: expected a whole number >= 1/],
    [['train', 'a.csv', '--threads', '0'], /--threads 0: expected a whole number >= 1/],
    [['train', 'a.csv', '--feature-cache-gb', 'ten'], /--feature-cache-gb ten: expected a number >= 0/],
    [['train', 'a.csv', '--feature-cache-gb=-1'], /--feature-cache-gb -1: expected a number >= 0/],
    [['train', 'a.csv', '--kinds', 'hid,foo'], /--kinds hid,foo: expected a comma-separated list of hid, act/],
    [['train', 'a.csv', '--metric', 'f1'], /--metric f1: expected one of auto, accuracy, macro-f1/],
    [['train', 'a.csv', '--device', 'tpu'], /--device tpu: expected one of auto, cpu, cuda/],
    [['train', 'a.csv', '--out'], /Option '--out <value>' argument missing/],
    [['classify'], /stc classify: missing argument/],
    [['explain', 'x.stc'], /stc explain: missing argument/],
    [['inspect', 'a.stc', 'b.stc'], /unexpected argument "b\.stc"/],
    [['demo', 'extra'], /unexpected argument "extra"/],
  ];
  for (const [argv, message] of cases) {
    const r = await stc(argv);
    assert.equal(r.code, EXIT.usage, argv.join(' '));
    assert.match(r.stderr, message, argv.join(' '));
    assert.match(r.stderr, /Run "stc (\w+ )?--help" for usage\.\n$/);
    assert.equal(r.stdout, '');
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
});

test('--feature-cache-gb takes decimals, 0 for no cap, and defaults to 10 GB', () => {
  const capOf = (...argv: string[]) => featureCacheBytesOf(parseCommand(trainSpec, ['a.csv', ...argv]));
  assert.deepEqual([capOf(), capOf('--feature-cache-gb', '0.5'), capOf('--feature-cache-gb', '0')], [10e9, 0.5e9, 0]);
});

test('the built executable runs, with exit codes reaching the shell', () => {
  const help = spawnSync(process.execPath, [cli, '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /usage: stc <command>/);
  const bad = spawnSync(process.execPath, [cli, 'frobnicate'], { encoding: 'utf8' });
  assert.equal(bad.status, 64);
  assert.match(bad.stderr, /unknown command "frobnicate"/);
  const missing = spawnSync(process.execPath, [cli, 'inspect', join(root, 'no-such.stc')], { encoding: 'utf8' });
  assert.equal(missing.status, 66);
  assert.match(missing.stderr, /^error: .*no-such\.stc: no such classifier folder/);
});
