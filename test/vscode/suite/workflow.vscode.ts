// The whole path a person takes, in order: train on workspace data with the fixture model, see
// the result in the notification, the models view and the status bar, evaluate, survive a worker
// crash, delete. Later tests use the classifier the first one trains.
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { test } from './harness';
import { fixtureModel, stcApi, until, workspaceFile } from './stc';
import { pressKey, screenshot, screenshotInThemes, typeText, waitForText } from './workbench';

const NAME = 'sentiment';

test(
  'training on workspace data saves a classifier, makes it active and reports its scores',
  async () => {
    const api = await stcApi();
    const training = api.trainOnFiles({
      train: workspaceFile('sentiment/train.csv'),
      test: workspaceFile('sentiment/test.csv'),
      model: await fixtureModel(),
      allowRemote: false,
      device: 'cpu',
      name: NAME,
    });
    await waitForText(`STC: training ${NAME}`, 20_000);
    // The fixture trains in seconds: catch a stage message if it is still showing.
    await waitForText('Probing layers', 5_000).catch(() => undefined);
    await screenshot('train-progress');
    const reply = await training;
    assert.ok(reply, 'training was not cancelled');
    assert.equal(reply.dir, workspaceFile(`.stc/models/${NAME}.stc`));
    assert.ok(existsSync(reply.dir));
    assert.deepEqual(reply.manifest.labels, ['negative', 'positive']);
    assert.equal(api.activeClassifier()?.dir, reply.dir);
    await waitForText(`${NAME} is trained and active`);
    await waitForText('Open Layer Explorer');
    await screenshotInThemes('train-notification');
    await vscode.commands.executeCommand('notifications.clearAll');
  },
  { timeoutMs: 150_000 },
);

test('the models view lists the classifier with its metrics', async () => {
  const api = await stcApi();
  const listed = await api.listClassifiers();
  const entry = listed.find((c) => c.name === NAME);
  assert.ok(entry, `listed: ${listed.map((c) => c.name).join(', ')}`);
  assert.equal(entry.error, undefined);
  await vscode.commands.executeCommand('workbench.view.extension.stc');
  await waitForText(NAME);
  await waitForText('test accuracy', 2_000).catch(() => undefined);
  await screenshot('models-view');
});

test('the status bar shows the active classifier and its device', async () => {
  await waitForText(`${NAME} · cpu`);
});

test('inline labels are drawn after each line of a Markdown document', async () => {
  const api = await stcApi();
  const document = await vscode.workspace.openTextDocument(workspaceFile('notes.md'));
  await vscode.window.showTextDocument(document, { preview: false });
  await api.inline.refresh();
  const labels = api.inline.decorationsFor(document.uri);
  const prose = document.getText().split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));
  assert.ok(labels.length >= prose.length, `${labels.length} labels for ${prose.length} lines of prose`);
  for (const l of labels) assert.ok(['negative', 'positive'].includes(l.label), l.label);
  // The labels are CSS after-content, not text the page can be searched for: give the editor a
  // frame to paint them.
  await new Promise((r) => setTimeout(r, 300));
  await screenshotInThemes('decorations');
});

test('labeled rows whose prediction differs from the gold label are marked', async () => {
  const api = await stcApi();
  const document = await vscode.workspace.openTextDocument(workspaceFile('sentiment/test.csv'));
  await vscode.window.showTextDocument(document, { preview: false });
  await api.inline.refresh();
  const labels = api.inline.decorationsFor(document.uri);
  assert.equal(labels.length, 24, 'one label per data row');
  for (const l of labels) assert.equal(l.mismatch, l.gold !== undefined && l.gold !== l.label);
  await screenshot('decorations-data-file');
  await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
});

test('the hover explains a line: probabilities, top neurons, command links', async () => {
  const api = await stcApi();
  const uri = vscode.Uri.file(workspaceFile('notes.md'));
  const editor = await vscode.window.showTextDocument(uri, { preview: false });
  const position = new vscode.Position(2, 10);
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, position);
  const markdown = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
  const text = markdown.replace(/\\/g, ''); // Markdown escapes: L0\.act\.mean\#33
  assert.match(text, /positive|negative/);
  assert.match(text, /L\d+\.(hid|act)\.(mean|max|single)#\d+/, `names a neuron:\n${text}`);
  assert.match(markdown, /command:stc\.showNeuron/, 'links a neuron to the Layer Explorer');
  assert.ok(api.activeClassifier());
  editor.selection = new vscode.Selection(position, position);
  await vscode.commands.executeCommand('editor.action.showHover');
  await waitForText('probability');
  await screenshotInThemes('hover');
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
});

test('the Layer Explorer shows the active classifier and opens a neuron', async () => {
  const api = await stcApi();
  const active = api.activeClassifier();
  assert.ok(active);
  await vscode.commands.executeCommand('stc.openLayerExplorer');
  await until(() => api.explorer.lastPosted('explorer') !== undefined, 'the Layer Explorer to receive its model', 15_000);
  await new Promise((r) => setTimeout(r, 500));
  await screenshotInThemes('layer-explorer');
  const neuron = active.manifest.classifier.neurons[0];
  assert.ok(neuron);
  await api.explorer.showNeuron(neuron.name);
  assert.ok(api.explorer.lastPosted('neuron'));
  await new Promise((r) => setTimeout(r, 2000));
  await screenshot('neuron-view');
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}, { timeoutMs: 60_000 });

test('the Layer Explorer explains the line a hover is shown on', async () => {
  const api = await stcApi();
  await vscode.commands.executeCommand('stc.openLayerExplorer');
  const uri = vscode.Uri.file(workspaceFile('notes.md'));
  await vscode.window.showTextDocument(uri, { preview: false });
  await vscode.commands.executeCommand('vscode.executeHoverProvider', uri, new vscode.Position(4, 5));
  const explained = () => {
    const last = api.explorer.lastPosted('explorer');
    return last?.type === 'explanation' && last.explanation.text === 'The script was dull and slow.';
  };
  await until(explained, 'the Layer Explorer to explain the hovered line', 15_000);
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}, { timeoutMs: 30_000 });

test('evaluating on a file opens a readable report', async () => {
  const api = await stcApi();
  const dir = api.activeClassifier()?.dir;
  assert.ok(dir);
  const report = await api.evaluate(dir, workspaceFile('sentiment/test.csv'));
  assert.ok(report, 'the evaluation ran');
  assert.match(report, /negative/);
  assert.match(report, /positive/);
  assert.equal(vscode.window.activeTextEditor?.document.getText(), report);
  await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
});

test(
  'a crashed worker is reported with Show Log and restarts on the next use',
  async () => {
    const api = await stcApi();
    const pid = api.workerPid();
    assert.ok(pid, 'the worker runs after training');
    process.kill(pid, 'SIGKILL');
    await waitForText('STC worker stopped');
    await waitForText('Show Log');
    await vscode.commands.executeCommand('notifications.clearAll');
    await until(() => api.workerPid() === undefined, 'the client to notice the exit');
    const dir = api.activeClassifier()?.dir;
    assert.ok(dir, 'the active classifier survives the crash');
    const report = await api.evaluate(dir, workspaceFile('sentiment/test.csv'));
    assert.ok(report);
    assert.notEqual(api.workerPid(), pid);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  },
  { timeoutMs: 60_000 },
);

test('deleting a classifier removes its folder and the listing', async () => {
  const api = await stcApi();
  const listed = await api.listClassifiers();
  const extra = await api.trainOnFiles({
    train: workspaceFile('sentiment/train.csv'),
    model: await fixtureModel(),
    allowRemote: false,
    device: 'cpu',
    name: 'to-delete',
  });
  assert.ok(extra);
  await vscode.commands.executeCommand('notifications.clearAll');
  await api.deleteClassifier(extra.dir);
  assert.equal(existsSync(extra.dir), false);
  assert.equal(api.activeClassifier(), undefined, 'the deleted classifier was the active one');
  assert.deepEqual((await api.listClassifiers()).map((c) => c.name), listed.map((c) => c.name));
}, { timeoutMs: 120_000 });

test(
  'the train command walks through data, model, device and name, then trains',
  async () => {
    const api = await stcApi();
    const config = vscode.workspace.getConfiguration('stcLens');
    await config.update('model', await fixtureModel(), vscode.ConfigurationTarget.Workspace);
    try {
      const command = vscode.commands.executeCommand('stc.train');
      await waitForText('STC: train on which data?', 20_000);
      await waitForText('60 rows · text: text · label: label');
      await waitForText('folder per label (2 labels)');
      await screenshot('train-pick-data');
      await typeText('sentiment');
      await waitForText('STC: which base model?');
      await pressKey('Enter'); // the model of the stcLens.model setting comes first
      await waitForText('STC: which device runs the model?');
      await typeText('cpu');
      await waitForText('STC: name of the classifier');
      await typeText('picked');
      await waitForText('picked is trained and active', 60_000);
      await command;
      assert.equal(api.activeClassifier()?.manifest.name, 'picked');
      assert.equal(api.activeClassifier()?.dir, workspaceFile('.stc/models/picked.stc'));
      await vscode.commands.executeCommand('notifications.clearAll');
    } finally {
      await config.update('model', undefined, vscode.ConfigurationTarget.Workspace);
    }
  },
  { timeoutMs: 120_000 },
);

test('the models view commands take a classifier folder: set active, export', async () => {
  const api = await stcApi();
  const dir = workspaceFile(`.stc/models/${NAME}.stc`);
  await vscode.commands.executeCommand('stc.setActive', dir);
  assert.equal(api.activeClassifier()?.dir, dir);
  await waitForText(`${NAME} · cpu`);
  const into = mkdtempSync(path.join(os.tmpdir(), 'stc-export-'));
  try {
    await vscode.commands.executeCommand('stc.exportClassifier', dir, into);
    assert.ok(existsSync(path.join(into, `${NAME}.stc`, 'manifest.json')));
    await waitForText(`exported ${NAME}`);
    await vscode.commands.executeCommand('notifications.clearAll');
  } finally {
    rmSync(into, { recursive: true, force: true });
  }
});

test('a training that fails rejects with the reason from the worker', async () => {
  const api = await stcApi();
  const file = workspaceFile('one-label.csv');
  writeFileSync(file, 'text,label\nfine,a\ngood,a\nnice,a\n');
  try {
    await assert.rejects(
      api.trainOnFiles({ train: file, model: await fixtureModel(), allowRemote: false, device: 'cpu', name: 'one-label' }),
      (e: unknown) => e instanceof Error && e.message.includes('one-label.csv'),
    );
    assert.equal(existsSync(workspaceFile('.stc/models/one-label.stc')), false);
  } finally {
    rmSync(file, { force: true });
  }
});

test('the data search skips files over the size limit with a notice', async () => {
  const config = vscode.workspace.getConfiguration('stcLens');
  const big = workspaceFile('big.csv');
  writeFileSync(big, 'text,label\n' + 'a long enough line of text,x\n'.repeat(50_000));
  await config.update('data.maxFileSizeMB', 1, vscode.ConfigurationTarget.Workspace);
  try {
    void vscode.commands.executeCommand('stc.train');
    await waitForText('STC: train on which data?', 20_000);
    await waitForText('skipped 1 data file(s) over 1 MB');
    await pressKey('Escape');
    await vscode.commands.executeCommand('notifications.clearAll');
  } finally {
    await config.update('data.maxFileSizeMB', undefined, vscode.ConfigurationTarget.Workspace);
    rmSync(big, { force: true });
  }
});
