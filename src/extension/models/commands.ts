// The models view and its actions: set active, evaluate on a file, reveal in the Layer Explorer,
// export (copy the folder), delete (confirmed).
import { cp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EVALUATE, UNLOAD_CLASSIFIER, type EvaluateProgressParams } from '../../worker/protocol';
import { message, type StcContext } from '../context';
import { CancelledError } from '../worker-client';
import { workspaceRelative } from '../train/command';
import { discoverDatasets } from '../train/discover';
import type { ListedClassifier } from './registry';
import { ModelsTree, type ModelNode } from './view';

export function registerModels(ctx: StcContext): ModelsTree {
  const tree = new ModelsTree(ctx);
  const view = vscode.window.createTreeView('stc.models', { treeDataProvider: tree, showCollapseAll: false });
  const updateMessage = (): void => {
    view.message = ctx.trusted ? undefined : 'STC Lens lists and loads no classifiers in an untrusted workspace. Trust the workspace to use them.';
  };
  updateMessage();

  const watchers = ctx.modelsDirectories().map(({ dir }) => {
    const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dir), '*/manifest.json'));
    w.onDidCreate(() => tree.refresh());
    w.onDidDelete(() => tree.refresh());
    w.onDidChange(() => tree.refresh());
    return w;
  });

  /** The classifier a command acts on: the tree node or a `.stc` folder path, else one picked from the list. */
  const target = async (node: ModelNode | string | undefined, title: string): Promise<ListedClassifier | undefined> => {
    if (typeof node === 'object' && node.kind === 'classifier') return node.item;
    const all = await tree.classifiers();
    if (typeof node === 'string') {
      const found = all.find((c) => c.dir === node);
      if (!found) void vscode.window.showErrorMessage(`STC: ${node} is not a classifier of this workspace (${ctx.settings.modelsDirectory}).`);
      return found;
    }
    const listed = all.filter((c) => c.saved);
    if (listed.length === 0) {
      void vscode.window.showInformationMessage('STC: no saved classifier in this workspace yet. Train one with "STC: Train STC on Workspace Data".');
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      listed.map((c) => ({ label: c.name, description: c.dir === ctx.active?.dir ? 'active' : undefined, detail: c.dir, c })),
      { title },
    );
    return picked?.c;
  };

  ctx.extension.subscriptions.push(
    view,
    ...watchers,
    ctx.onDidChangeActive(() => tree.refresh()),
    ctx.onDidChangeClassifiers(() => tree.refresh()),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      updateMessage();
      tree.refresh();
    }),
    vscode.commands.registerCommand('stc.refreshModels', () => tree.refresh()),
    vscode.commands.registerCommand('stc.setActive', async (node?: ModelNode | string) => {
      if (!ctx.requireTrust('load classifiers')) return;
      const c = await target(node, 'STC: make which classifier active?');
      if (!c) return;
      try {
        await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `STC: opening ${c.name}` }, () => ctx.setActive(c.dir));
      } catch (error) {
        void vscode.window.showErrorMessage(`STC: ${c.name} could not be opened: ${message(error)}`);
      }
    }),
    vscode.commands.registerCommand('stc.evaluate', async (node?: ModelNode | string, dataFile?: string) => {
      if (!ctx.requireTrust('load classifiers')) return;
      const c = await target(node, 'STC: evaluate which classifier?');
      if (!c) return;
      const data = dataFile ?? (await pickEvaluationData(ctx));
      if (!data) return;
      await evaluate(ctx, c, data);
    }),
    vscode.commands.registerCommand('stc.revealInLayerExplorer', async (node?: ModelNode | string) => {
      const c = await target(node, 'STC: show which classifier in the Layer Explorer?');
      if (!c) return;
      // The Layer Explorer shows the active classifier.
      if (ctx.active?.dir !== c.dir) {
        if (!ctx.requireTrust('load classifiers')) return;
        try {
          await ctx.setActive(c.dir);
        } catch (error) {
          void vscode.window.showErrorMessage(`STC: ${c.name} could not be opened: ${message(error)}`);
          return;
        }
      }
      await vscode.commands.executeCommand('stc.openLayerExplorer');
    }),
    vscode.commands.registerCommand('stc.exportClassifier', async (node?: ModelNode | string, into?: string) => {
      const c = await target(node, 'STC: export which classifier?');
      if (!c) return;
      const folder =
        into ??
        (await vscode.window.showOpenDialog({ title: `STC: export ${c.name} into which folder?`, canSelectFolders: true, canSelectFiles: false, openLabel: 'Export here' }))?.[0]
          ?.fsPath;
      if (!folder) return;
      const destination = path.join(folder, path.basename(c.dir));
      if (existsSync(destination)) {
        const replace = await vscode.window.showWarningMessage(`${destination} exists. Replace it?`, { modal: true }, 'Replace');
        if (replace !== 'Replace') return;
        await rm(destination, { recursive: true, force: true });
      }
      await cp(c.dir, destination, { recursive: true });
      void vscode.window.showInformationMessage(`STC: exported ${c.name} to ${destination}`);
    }),
    vscode.commands.registerCommand('stc.deleteClassifier', async (node?: ModelNode | string) => {
      const c = await target(node, 'STC: delete which classifier?');
      if (!c) return;
      const ok = await vscode.window.showWarningMessage(`Delete the classifier ${c.name}?`, { modal: true, detail: `This removes ${c.dir}.` }, 'Delete');
      if (ok !== 'Delete') return;
      await deleteClassifier(ctx, c.dir);
      tree.refresh();
    }),
  );
  return tree;
}

export async function deleteClassifier(ctx: StcContext, dir: string): Promise<void> {
  if (ctx.active?.dir === dir) await ctx.clearActive();
  else await ctx.worker.request(UNLOAD_CLASSIFIER, { dir }).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
  ctx.log.info(`deleted ${dir}`);
  ctx.fireClassifiersChanged();
}

/** The data files of the workspace, test files first, or one chosen in a dialog. */
async function pickEvaluationData(ctx: StcContext): Promise<string | undefined> {
  const found = await discoverDatasets(ctx);
  const files = found.datasets.flatMap((d) => [d.test, d.dev, d.train].filter((s) => s !== undefined));
  const items: (vscode.QuickPickItem & { file?: string })[] = files.map((s) => ({
    label: path.basename(s.path),
    description: workspaceRelative(path.dirname(s.path)),
    detail: `${s.rows} rows`,
    file: s.path,
  }));
  items.push({ label: '$(folder-opened) Choose a file or folder...', alwaysShow: true });
  const picked = await vscode.window.showQuickPick(items, { title: 'STC: evaluate on which labeled data?' });
  if (!picked) return undefined;
  if (picked.file) return picked.file;
  const uris = await vscode.window.showOpenDialog({ title: 'STC: labeled data to evaluate on', canSelectFiles: true, canSelectFolders: true });
  return uris?.[0]?.fsPath;
}

/** Evaluates in the worker and opens the readable report in an untitled document. */
export async function evaluate(ctx: StcContext, c: ListedClassifier, data: string): Promise<vscode.TextDocument | undefined> {
  try {
    const reply = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `STC: evaluating ${c.name} on ${path.basename(data)}`, cancellable: true },
      async (progress, token) => {
        let shown = 0;
        const job = ctx.worker.trackJob<EvaluateProgressParams>((p) => {
          const percent = p.total > 0 ? (100 * p.done) / p.total : 0;
          progress.report({ message: `${p.done}/${p.total} rows`, increment: percent - shown });
          shown = percent;
        });
        try {
          return await ctx.worker.request(EVALUATE, { job: job.job, dir: c.dir, device: ctx.settings.device, data }, token);
        } finally {
          job.dispose();
        }
      },
    );
    ctx.log.info(`evaluated ${c.name} on ${data}`);
    const doc = await vscode.workspace.openTextDocument({ content: reply.text, language: 'plaintext' });
    await vscode.window.showTextDocument(doc, { preview: false });
    return doc;
  } catch (error) {
    if (error instanceof CancelledError) return undefined;
    void vscode.window.showErrorMessage(`STC: evaluating ${c.name} on ${path.basename(data)} failed: ${message(error)}`);
    return undefined;
  }
}
