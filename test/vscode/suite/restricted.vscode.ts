import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension } from './extension';
import { test } from './harness';
import { screenshot } from './workbench';

// The extension declares limited support for untrusted workspaces: it must still load there.
test(
  'in a restricted workspace the extension activates and registers stc.train',
  async () => {
    assert.equal(vscode.workspace.isTrusted, false);
    const extension = await activateExtension();
    assert.equal(extension.isActive, true);
    assert.ok((await vscode.commands.getCommands(true)).includes('stc.train'));
    await screenshot('restricted-workbench');
  },
  { workspaceTrust: 'restricted' },
);
