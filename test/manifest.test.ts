// The extension manifest is product surface: these are the promises VS Code relies on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Manifest {
  name: string;
  displayName: string;
  main: string;
  engines: { vscode: string };
  extensionKind: string[];
  capabilities: { untrustedWorkspaces: { supported: boolean | string; description?: string } };
  contributes: { commands: { command: string; title: string; category: string }[] };
}

const manifest = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as Manifest;

test('identity and entry point', () => {
  assert.equal(manifest.name, 'stc-lens');
  assert.equal(manifest.displayName, 'STC Lens');
  assert.equal(manifest.main, 'dist/extension.js');
  assert.deepEqual(manifest.extensionKind, ['workspace']);
});

test('engines.vscode stays at or below ^1.100.0 (newest VS Code that runs offline here)', () => {
  const m = /^\^1\.(\d+)\.\d+$/.exec(manifest.engines.vscode);
  assert.ok(m, `unexpected engines.vscode ${manifest.engines.vscode}`);
  assert.ok(Number(m[1]) <= 100);
});

test('untrusted workspaces are declared with a reason', () => {
  const u = manifest.capabilities.untrustedWorkspaces;
  assert.equal(u.supported, 'limited');
  assert.ok(u.description && u.description.length > 20);
});

test('the train command is contributed in category STC', () => {
  const train = manifest.contributes.commands.find((c) => c.command === 'stc.train');
  assert.equal(train?.title, 'Train STC on Workspace Data');
  assert.equal(train?.category, 'STC');
});
