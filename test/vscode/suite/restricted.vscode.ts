import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension } from './extension';
import { test } from './harness';
import { fixtureModel, stcApi, workspaceFile } from './stc';
import { screenshot, waitForText } from './workbench';

// The extension declares limited support for untrusted workspaces: it loads there, but trains
// nothing and loads no classifier or model from the workspace, and says why.
test(
  'in a restricted workspace the extension activates and registers its commands',
  async () => {
    assert.equal(vscode.workspace.isTrusted, false);
    const extension = await activateExtension();
    assert.equal(extension.isActive, true);
    assert.ok((await vscode.commands.getCommands(true)).includes('stc.train'));
  },
  { workspaceTrust: 'restricted' },
);

test(
  'in a restricted workspace training is refused with the reason',
  async () => {
    void vscode.commands.executeCommand('stc.train');
    await waitForText('does not train in an untrusted workspace');
    await screenshot('restricted-train-refused');
    await vscode.commands.executeCommand('notifications.clearAll');
    const api = await stcApi();
    const reply = await api.trainOnFiles({
      train: workspaceFile('sentiment/train.csv'),
      model: await fixtureModel(),
      allowRemote: false,
      device: 'cpu',
      name: 'refused',
    });
    assert.equal(reply, undefined);
    assert.equal(api.workerPid(), undefined, 'no worker was started');
    await vscode.commands.executeCommand('notifications.clearAll');
  },
  { workspaceTrust: 'restricted' },
);

test(
  'in a restricted workspace no classifier is listed or loaded',
  async () => {
    const api = await stcApi();
    assert.deepEqual(await api.listClassifiers(), []);
    assert.equal(api.activeClassifier(), undefined);
    void vscode.commands.executeCommand('stc.setActive');
    await waitForText('does not load classifiers in an untrusted workspace');
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('workbench.view.extension.stc');
    await waitForText('lists and loads no classifiers in an untrusted workspace');
    await screenshot('restricted-models-view');
  },
  { workspaceTrust: 'restricted' },
);
