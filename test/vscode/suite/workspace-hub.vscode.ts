// "Train STC on Workspace Data" with a hub model: the id is typed, the download allowed, and the
// model comes from the hub HF_ENDPOINT names, here the runner's stand-in on loopback
// (scripts/vscode/hub-server.ts), with its progress in the notification. Runs last (name order):
// it leaves the hub model remembered as the last choice.
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { test } from './harness';
import { FIXTURE_HUB_MODEL } from './protocol';
import { extensionLog, stcApi, until, workspaceFile } from './stc';
import { screenshot, typeText, waitForText } from './workbench';

test(
  'a hub model is downloaded from HF_ENDPOINT with progress and recorded as the classifier\'s source',
  async () => {
    const endpoint = process.env.HF_ENDPOINT;
    assert.match(endpoint ?? '', /^http:\/\/127\.0\.0\.1:\d+$/, 'the runner points HF_ENDPOINT at its loopback hub');
    const cache = path.join(process.env.XDG_CACHE_HOME ?? '', 'stc-lens/models', FIXTURE_HUB_MODEL);
    assert.equal(existsSync(cache), false, 'the model is not in the cache yet');
    const api = await stcApi();

    const command = vscode.commands.executeCommand('stc.train');
    await waitForText('STC: train on which data?', 20_000);
    await typeText('sentiment');
    await waitForText('STC: which base model?');
    await typeText('Hugging Face Hub');
    await waitForText('STC: Hugging Face Hub model id');
    await typeText(FIXTURE_HUB_MODEL);
    await waitForText(`STC: download ${FIXTURE_HUB_MODEL} from the Hugging Face Hub?`);
    await waitForText(`from ${endpoint ?? ''}`);
    await screenshot('train-hub-confirm');
    await typeText('Download');
    await waitForText('STC: which device runs the model?');
    await typeText('cpu');
    await waitForText('STC: name of the classifier');
    await typeText('from-hub');
    // The stand-in hub sends ONNX files over a few seconds.
    await waitForText('Downloading the model', 20_000);
    await waitForText('onnx/model.onnx');
    await screenshot('train-hub-download');
    await waitForText('from-hub is trained and active', 60_000);
    await command;

    const active = api.activeClassifier();
    assert.equal(active?.dir, workspaceFile('.stc/models/from-hub.stc'));
    assert.equal(active.manifest.model.source, 'hub');
    assert.equal(active.manifest.model.id, FIXTURE_HUB_MODEL);
    assert.ok(existsSync(path.join(cache, 'onnx/model.onnx')), `downloaded into ${cache}`);
    // The log channel keeps what the notification showed in passing.
    await until(() => extensionLog().includes(`training from-hub: downloading onnx/model.onnx of ${FIXTURE_HUB_MODEL}`), 'the log to mention the download', 5_000);
    await vscode.commands.executeCommand('notifications.clearAll');
  },
  { timeoutMs: 120_000 },
);
