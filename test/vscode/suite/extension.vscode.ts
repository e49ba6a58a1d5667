import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension } from './extension';
import { test } from './harness';
import { screenshotInThemes, waitForText } from './workbench';

test('the extension host runs Node 20', () => {
  assert.equal(process.versions.node.split('.')[0], '20');
});

test('the extension activates', async () => {
  const extension = await activateExtension();
  assert.equal(extension.isActive, true);
});

test('stc.train is registered', async () => {
  const commands = await vscode.commands.getCommands(true);
  assert.ok(commands.includes('stc.train'), 'stc.train is missing from the registered commands');
});

test('stc.train shows its notification and resolves once it is closed', async () => {
  const done = vscode.commands.executeCommand('stc.train');
  await waitForText('training from the editor is not available yet');
  await screenshotInThemes('train-notification');
  await vscode.commands.executeCommand('notifications.clearAll');
  assert.equal(await done, undefined);
});
