import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import manifest from '../../../package.json';
import { activateExtension } from './extension';
import { test } from './harness';

test('the extension host runs Node 20', () => {
  assert.equal(process.versions.node.split('.')[0], '20');
});

test('the extension activates', async () => {
  const extension = await activateExtension();
  assert.equal(extension.isActive, true);
});

test('every contributed command is registered', async () => {
  await activateExtension();
  const registered = new Set(await vscode.commands.getCommands(true));
  const missing = manifest.contributes.commands.map((c) => c.command).filter((c) => !registered.has(c));
  assert.deepEqual(missing, []);
});

test('every setting is described and prefixed stcLens.', () => {
  const properties = Object.entries(manifest.contributes.configuration.properties) as [string, { description?: string; markdownDescription?: string }][];
  assert.ok(properties.length > 0);
  for (const [key, p] of properties) {
    assert.ok(key.startsWith('stcLens.'), key);
    assert.ok((p.description ?? p.markdownDescription ?? '').length > 20, `${key} has no description`);
  }
});
