// Runs in the extension host of code-server against the extension installed from the .vsix (not
// the repository): it loads, its own onnxruntime-node runs the embedded model, and it trains on
// workspace data and classifies with the result.
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type * as Ort from 'onnxruntime-node';
import type { StcTestApi } from '../../../src/extension/api';
import { EXTENSION_ID } from '../../../test/vscode/suite/extension';
import { test } from '../../../test/vscode/suite/harness';
import { INSTALLED_EXTENSIONS_DIR_ENV } from './env';

const EMBEDDED_MODEL = 'models/all-MiniLM-L6-v2/onnx/model_quantized.onnx';

function installed(): vscode.Extension<StcTestApi> {
  const extension = vscode.extensions.getExtension<StcTestApi>(EXTENSION_ID);
  if (!extension) throw new Error(`${EXTENSION_ID} is not installed`);
  return extension;
}

test('the extension loaded is the one installed from the .vsix', () => {
  const extensionsDir = process.env[INSTALLED_EXTENSIONS_DIR_ENV];
  assert.ok(extensionsDir, `${INSTALLED_EXTENSIONS_DIR_ENV} is not set: run this through scripts/package/verify.ts`);
  const { extensionPath } = installed();
  assert.ok(extensionPath.startsWith(extensionsDir + path.sep), `${EXTENSION_ID} was loaded from ${extensionPath}, not from ${extensionsDir}`);
});

test('it activates and registers stc.train', async () => {
  await installed().activate();
  assert.ok((await vscode.commands.getCommands(true)).includes('stc.train'));
});

test('its onnxruntime-node runs the embedded model in the extension host', async () => {
  process.env.ORT_DISABLE_TELEMETRY = '1';
  const root = installed().extensionPath;
  const ort = createRequire(path.join(root, 'package.json'))('onnxruntime-node') as typeof Ort;
  const session = await ort.InferenceSession.create(path.join(root, EMBEDDED_MODEL));
  // [CLS] hello world [SEP] in the model's WordPiece vocabulary.
  const ids = [101n, 7592n, 2088n, 102n];
  const tensor = (values: bigint[]): Ort.Tensor => new ort.Tensor('int64', BigInt64Array.from(values), [1, values.length]);
  const out = await session.run({ input_ids: tensor(ids), attention_mask: tensor(ids.map(() => 1n)), token_type_ids: tensor(ids.map(() => 0n)) });
  assert.deepEqual(out.last_hidden_state?.dims, [1, 4, 384]);
  await session.release();
});

test(
  'it trains on workspace data with the embedded model and classifies with the result',
  async () => {
    const api = await installed().activate();
    assert.ok(api, "the extension's activate() returned no test API (src/extension/api.ts)");
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'no workspace folder is open');
    const data = path.join(folder.uri.fsPath, 'package-smoke.csv');
    writeFileSync(data, smokeCsv());
    const reply = await api.trainOnFiles({ train: data, model: 'default', allowRemote: false, device: 'cpu', name: 'package-smoke' });
    assert.ok(reply, 'the training was cancelled');
    assert.ok(reply.dir.startsWith(folder.uri.fsPath), `the classifier was saved to ${reply.dir}, outside the workspace`);
    assert.ok(api.workerPid() !== undefined, 'no worker process ran the training');
    const report = await api.evaluate(reply.dir, data);
    assert.ok(report, 'the evaluation returned no report');
    console.log(`# the evaluation report, as the extension opened it:\n${report.replace(/^/gm, '#   ')}`);
    for (const label of ['positive', 'negative']) assert.match(report, new RegExp(label), `the evaluation report does not mention ${label}:\n${report}`);
  },
  { timeoutMs: 300_000 },
);

/** Two plainly separable classes, 24 rows each. */
function smokeCsv(): string {
  const subjects = ['The film', 'This book', 'The show', 'The album'];
  const positive = ['wonderful', 'delightful', 'brilliant', 'moving', 'charming', 'superb'];
  const negative = ['dreadful', 'boring', 'clumsy', 'tedious', 'awful', 'lifeless'];
  const rows = ['text,label'];
  for (const subject of subjects) {
    for (const [i, good] of positive.entries()) {
      rows.push(`${subject} was ${good} and I loved every minute of it.,positive`);
      rows.push(`${subject} was ${negative[i]!} and I regret every minute of it.,negative`);
    }
  }
  return `${rows.join('\n')}\n`;
}
