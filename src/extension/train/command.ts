// "STC: Train STC on Workspace Data": pick a dataset found in the workspace, its columns when they
// are ambiguous, the base model and the device (remembered per workspace), a name; then train.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { sniff, type SniffResult } from '../../core/data';
import { EXECUTION_PROVIDERS, type ProviderSetting } from '../../core/model/session';
import { message, type StcContext } from '../context';
import { describeSniff, discoverDatasets, type DiscoveredDataset } from './discover';
import { classifierFolder, runTraining } from './run';

const MODEL_KEY = 'stc.train.model';
const DEVICE_KEY = 'stc.train.device';

interface ModelChoice {
  readonly spec: string;
  readonly allowRemote: boolean;
}

export function registerTrainCommand(ctx: StcContext): void {
  ctx.extension.subscriptions.push(
    vscode.commands.registerCommand('stc.train', async () => {
      try {
        await trainInteractively(ctx);
      } catch (error) {
        ctx.log.error(`train: ${message(error)}`);
        void vscode.window.showErrorMessage(`STC: training failed: ${message(error)}`, 'Show Log').then((choice) => {
          if (choice) ctx.log.show();
        });
      }
    }),
  );
}

async function trainInteractively(ctx: StcContext): Promise<void> {
  if (!ctx.requireTrust('train')) return;
  if (ctx.modelsDirectories().length === 0) {
    void vscode.window.showInformationMessage('STC: open a folder first. Training reads labeled data from the workspace and saves the classifier there.');
    return;
  }
  const dataset = await pickDataset(ctx);
  if (!dataset) return;
  const columns = await pickColumns(dataset.train);
  if (!columns) return;
  const model = await pickModel(ctx);
  if (!model) return;
  const device = await pickDevice(ctx);
  if (!device) return;
  const name = await pickName(ctx, dataset.name);
  if (!name) return;
  await runTraining(ctx, {
    train: dataset.train.path,
    dev: dataset.dev?.path,
    test: dataset.test?.path,
    ...columns,
    model: model.spec,
    allowRemote: model.allowRemote,
    device,
    name,
  });
}

type DatasetItem = vscode.QuickPickItem & { dataset?: DiscoveredDataset; browse?: true };

async function pickDataset(ctx: StcContext): Promise<DiscoveredDataset | undefined> {
  const found = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: 'STC: looking for labeled data' },
    (_, token) => discoverDatasets(ctx, token),
  );
  if (found.tooLarge.length > 0) {
    const list = found.tooLarge.map((f) => `${vscode.workspace.asRelativePath(f.path)} (${(f.bytes / 2 ** 20).toFixed(0)} MB)`);
    ctx.log.info(`data discovery: skipped files over stcLens.data.maxFileSizeMB: ${list.join(', ')}`);
    void vscode.window.showInformationMessage(
      `STC: skipped ${found.tooLarge.length} data file(s) over ${ctx.settings.maxDataFileMB} MB (setting stcLens.data.maxFileSizeMB): ${list.slice(0, 3).join(', ')}${list.length > 3 ? ', ...' : ''}`,
    );
  }
  if (found.truncated) ctx.log.warn('data discovery: stopped after 2000 files; narrow stcLens.data.include to see the rest');
  // Datasets with a test file first (they give a test score), then the larger ones.
  const datasets = [...found.datasets].sort((a, b) => Number(b.test !== undefined) - Number(a.test !== undefined) || b.train.rows - a.train.rows);
  const items: DatasetItem[] = datasets.map((d) => ({
    label: d.name,
    description: workspaceRelative(d.dir),
    detail: [
      `train: ${path.basename(d.train.path)}${d.train.format === 'folder' ? '/' : ''} · ${describeSniff(d.train)}`,
      d.dev ? `dev: ${path.basename(d.dev.path)} (${d.dev.rows} rows)` : undefined,
      d.test ? `test: ${path.basename(d.test.path)} (${d.test.rows} rows)` : 'no test file',
    ]
      .filter((s) => s !== undefined)
      .join(' · '),
    dataset: d,
  }));
  items.push({ label: '$(folder-opened) Choose a file or folder...', browse: true, alwaysShow: true });
  const picked = await vscode.window.showQuickPick(items, {
    title: 'STC: train on which data?',
    placeHolder: found.datasets.length > 0 ? 'Labeled data found in the workspace (train/dev/test paired by name)' : 'No labeled data found in the workspace: choose a file',
    matchOnDescription: true,
    matchOnDetail: true,
  });
  if (!picked) return undefined;
  if (picked.dataset) return picked.dataset;
  const uris = await vscode.window.showOpenDialog({
    title: 'STC: labeled training data (CSV, TSV, JSONL, JSON, or a folder with one subfolder per label)',
    canSelectFiles: true,
    canSelectFolders: true,
    canSelectMany: false,
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  const file = uris?.[0]?.fsPath;
  if (!file) return undefined;
  try {
    const train = await sniff(file);
    return { name: path.basename(file).replace(/\.[^.]+$/, ''), dir: path.dirname(file), train };
  } catch (error) {
    void vscode.window.showErrorMessage(`STC: ${file} cannot be used for training: ${message(error)}`);
    return undefined;
  }
}

/** The text and label columns: asked only when the detection was a guess between several (or
 *  when the text column picked is the one detected as the label). */
async function pickColumns(train: SniffResult): Promise<{ textColumn?: string; labelColumn?: string } | undefined> {
  const detected = train.detected;
  if (!detected) return {};
  const file = path.basename(train.path);
  let textColumn = detected.text.column;
  let labelColumn = detected.label.column;
  if (detected.text.ambiguous) {
    const picked = await pickColumn(train.columns, detected.text.candidates, undefined, {
      title: `STC: which column of ${file} holds the text?`,
      placeHolder: `Several columns could hold the text (${detected.text.candidates.join(', ')})`,
    });
    if (!picked) return undefined;
    textColumn = picked;
  }
  if (detected.label.ambiguous || labelColumn === textColumn) {
    const picked = await pickColumn(train.columns, detected.label.candidates, textColumn, {
      title: `STC: which column of ${file} holds the label?`,
      placeHolder: detected.label.ambiguous ? `Several columns could hold the label (${detected.label.candidates.join(', ')})` : `"${textColumn}" holds the text now`,
    });
    if (!picked) return undefined;
    labelColumn = picked;
  }
  return { textColumn, labelColumn };
}

/** The candidates first (the best guess on top), then the other columns but `exclude`. */
async function pickColumn(all: readonly string[], candidates: readonly string[], exclude: string | undefined, options: vscode.QuickPickOptions): Promise<string | undefined> {
  const ordered = [...candidates, ...all.filter((c) => !candidates.includes(c))].filter((c) => c !== exclude);
  const items = ordered.map((column, i) => ({
    label: column,
    description: i === 0 && candidates.includes(column) ? 'best guess' : candidates.includes(column) ? 'plausible' : undefined,
  }));
  return (await vscode.window.showQuickPick(items, options))?.label;
}

type ModelItem = vscode.QuickPickItem & { choice?: ModelChoice; action?: 'folder' | 'hub' };

async function pickModel(ctx: StcContext): Promise<ModelChoice | undefined> {
  const remembered = ctx.extension.workspaceState.get<ModelChoice>(MODEL_KEY);
  const configured = ctx.settings.model;
  const items: ModelItem[] = [];
  if (remembered && remembered.spec !== 'default') items.push({ label: `$(history) ${remembered.spec}`, description: 'used last time', choice: remembered });
  if (configured !== 'default' && configured !== remembered?.spec) {
    items.push({ label: `$(settings-gear) ${configured}`, description: 'setting stcLens.model', choice: { spec: configured, allowRemote: false } });
  }
  items.push(
    { label: '$(package) Embedded default', description: 'all-MiniLM-L6-v2, ships with STC Lens, runs offline', choice: { spec: 'default', allowRemote: false } },
    { label: '$(folder-opened) Local model folder...', description: 'an ONNX export with its tokenizer (config.json, tokenizer.json, onnx/model.onnx)', action: 'folder' },
    { label: '$(cloud-download) Hugging Face Hub model...', description: 'an id such as Xenova/bert-base-uncased; downloaded once if you allow it', action: 'hub' },
  );
  const picked = await vscode.window.showQuickPick(items, { title: 'STC: which base model?' });
  if (!picked) return undefined;
  let choice = picked.choice;
  if (picked.action === 'folder') {
    const uris = await vscode.window.showOpenDialog({ title: 'STC: base model folder', canSelectFolders: true, canSelectFiles: false });
    const folder = uris?.[0]?.fsPath;
    if (!folder) return undefined;
    choice = { spec: folder, allowRemote: false };
  } else if (picked.action === 'hub') {
    const id = await vscode.window.showInputBox({
      title: 'STC: Hugging Face Hub model id',
      prompt: 'An ONNX export usable by transformers.js, e.g. Xenova/bert-base-uncased',
      validateInput: (v) => (/^[\w.-]+\/[\w.-]+$/.test(v.trim()) ? undefined : 'owner/name'),
    });
    if (!id) return undefined;
    if (!(await allowDownload(id.trim()))) return undefined;
    choice = { spec: id.trim(), allowRemote: true };
  }
  if (!choice) return undefined;
  await ctx.extension.workspaceState.update(MODEL_KEY, choice);
  return choice;
}

/** Asks before anything is downloaded: a step of the quick-pick flow, like the others (VS Code
 *  also refuses modal dialogs to extension tests, so a modal would leave this step untested). */
async function allowDownload(id: string): Promise<boolean> {
  // HF_ENDPOINT (a mirror or a private hub) is where core/model/hub.ts downloads from; the worker inherits this environment.
  const host = process.env.HF_ENDPOINT?.trim() || 'https://huggingface.co';
  const items = [
    { label: '$(cloud-download) Download', description: `from ${host}`, allow: true },
    { label: '$(close) Cancel', allow: false },
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: `STC: download ${id} from the Hugging Face Hub?`,
    placeHolder: 'STC Lens downloads nothing without your permission; a model already in the cache is not downloaded again',
    ignoreFocusOut: true,
  });
  return picked?.allow === true;
}

async function pickDevice(ctx: StcContext): Promise<ProviderSetting | undefined> {
  const remembered = ctx.extension.workspaceState.get<ProviderSetting>(DEVICE_KEY) ?? ctx.settings.device;
  const describe: Record<ProviderSetting, string> = {
    auto: 'the best available for the model, else the CPU',
    cpu: 'always works',
    cuda: 'NVIDIA GPU (Linux, Windows; needs CUDA libraries)',
    webgpu: 'WebGPU',
    dml: 'DirectML (Windows)',
    coreml: 'Core ML (macOS)',
  };
  const options: ProviderSetting[] = ['auto', ...EXECUTION_PROVIDERS];
  const items = options.map((d) => ({ label: d, description: describe[d] + (d === remembered ? ' · used last time' : ''), device: d }));
  items.sort((a, b) => Number(b.device === remembered) - Number(a.device === remembered));
  const picked = await vscode.window.showQuickPick(items, { title: 'STC: which device runs the model? (A device that cannot start falls back to the CPU.)' });
  if (!picked) return undefined;
  await ctx.extension.workspaceState.update(DEVICE_KEY, picked.device);
  return picked.device;
}

async function pickName(ctx: StcContext, suggested: string): Promise<string | undefined> {
  const name = await vscode.window.showInputBox({
    title: 'STC: name of the classifier',
    prompt: `Saved as ${ctx.settings.modelsDirectory}/<name>.stc`,
    value: safeName(suggested),
    validateInput: (v) => (/^[\w.-]+$/.test(v) ? undefined : 'letters, digits, ".", "-" and "_"'),
  });
  if (!name) return undefined;
  if (existsSync(classifierFolder(ctx, name))) {
    const replace = await vscode.window.showWarningMessage(`A classifier named ${name} exists. Replace it?`, { modal: true }, 'Replace');
    if (replace !== 'Replace') return undefined;
  }
  return name;
}

/** A folder as the workspace names it: relative to its workspace folder, or that folder's name. */
export function workspaceRelative(dir: string): string {
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(dir));
  if (!folder) return dir;
  return path.relative(folder.uri.fsPath, dir) || folder.name;
}

function safeName(s: string): string {
  return s.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '') || 'classifier';
}
