import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const cli = join(__dirname, '..', '..', 'dist', 'cli.js');

test('stc --help lists the commands and exits 0', () => {
  const r = spawnSync(process.execPath, [cli, '--help'], { encoding: 'utf8' });
  assert.equal(r.status, 0);
  assert.match(r.stdout, /usage: stc <command>/);
});

test('an unknown command is a usage error', () => {
  const r = spawnSync(process.execPath, [cli, 'frobnicate'], { encoding: 'utf8' });
  assert.equal(r.status, 64);
  assert.match(r.stderr, /unknown command "frobnicate"/);
});

test('the demo says plainly that it arrives with the CLI', () => {
  const r = spawnSync(process.execPath, [cli, 'demo'], { encoding: 'utf8' });
  assert.equal(r.status, 0);
  assert.match(r.stdout, /arrives with the CLI/);
});

test('commands that are not built yet say so and exit 69 (unavailable)', () => {
  const r = spawnSync(process.execPath, [cli, 'train', 'data.csv'], { encoding: 'utf8' });
  assert.equal(r.status, 69);
  assert.match(r.stderr, /stc train: arrives with the CLI/);
});
