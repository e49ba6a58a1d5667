// "Train STC on Workspace Data" on a file whose text and label columns cannot be told apart by
// their names: the command asks, and the classifier is trained on the columns picked. Runs after
// workflow.vscode.ts (name order), whose quick-pick test leaves the fixture model remembered.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { test } from './harness';
import { extensionLog, fixtureModel, stcApi, until, workspaceFile } from './stc';
import { pressKey, screenshot, typeText, waitForText } from './workbench';

/** The cells of one column of a small CSV file (quoted cells may hold commas and quotes). */
function csvColumn(file: string, column: string): Set<string> {
  const [header = '', ...rows] = readFileSync(file, 'utf8').trim().split('\n');
  const index = csvRow(header).indexOf(column);
  assert.ok(index >= 0, `${file} has a column ${column}`);
  return new Set(rows.map((row) => csvRow(row)[index] ?? ''));
}

function csvRow(line: string): string[] {
  return [...line.matchAll(/(?:^|,)(?:"((?:[^"]|"")*)"|([^,]*))/g)].map((m) => (m[1] !== undefined ? m[1].replace(/""/g, '"') : (m[2] ?? '')));
}

test(
  'ambiguous columns: the train command asks for the text and the label column and trains on them',
  async () => {
    const api = await stcApi();
    const file = workspaceFile('ambiguous/train.csv');
    const config = vscode.workspace.getConfiguration('stcLens');
    await config.update('model', await fixtureModel(), vscode.ConfigurationTarget.Workspace);
    try {
      const command = vscode.commands.executeCommand('stc.train');
      await waitForText('STC: train on which data?', 20_000);
      await waitForText('60 rows · text: summary · label: mood (2 labels) (ambiguous: you will be asked)');
      await typeText('ambiguous');
      await waitForText('STC: which column of train.csv holds the text?');
      await waitForText('best guess');
      await screenshot('train-pick-text-column');
      await typeText('opinion');
      await waitForText('STC: which column of train.csv holds the label?');
      await typeText('genre');
      await waitForText('STC: which base model?');
      await pressKey('Enter'); // the fixture model: remembered by the workflow tests, or the setting
      await waitForText('STC: which device runs the model?');
      await typeText('cpu');
      await waitForText('STC: name of the classifier');
      await typeText('by-genre');
      await waitForText('by-genre is trained and active', 60_000);
      await command;
    } finally {
      await config.update('model', undefined, vscode.ConfigurationTarget.Workspace);
    }
    const active = api.activeClassifier();
    assert.equal(active?.dir, workspaceFile('.stc/models/by-genre.stc'));
    assert.equal(active.manifest.model.source, 'folder');
    // Trained on the label column picked (genre, three classes), not the guess (mood, two).
    assert.deepEqual(active.manifest.labels, ['comedy', 'drama', 'horror']);
    // The rows the report cites carry the text of the column picked (opinion), not the guess (summary).
    const examples = (JSON.parse(readFileSync(path.join(active.dir, 'examples.json'), 'utf8')) as { examples: { text: string; label: string }[] }).examples;
    assert.ok(examples.length > 0, 'the classifier cites training rows');
    const opinions = csvColumn(file, 'opinion');
    const genres = csvColumn(file, 'genre');
    for (const e of examples) {
      assert.ok(opinions.has(e.text), `"${e.text}" is an opinion`);
      assert.ok(genres.has(e.label), `"${e.label}" is a genre`);
    }
    const logged = /training by-genre: .*\(text column "opinion", label column "genre"\)/;
    await until(() => logged.test(extensionLog()), 'the log to name the columns picked', 5_000);
    await vscode.commands.executeCommand('notifications.clearAll');
  },
  { timeoutMs: 120_000 },
);
