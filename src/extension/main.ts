// Extension entry point: builds the one context and lets each feature module register itself.
import * as vscode from 'vscode';
import type { StcTestApi } from './api';
import { StcContext } from './context';
import { registerInline } from './inline';
import { inlineDeps } from './inline-deps';
import { registerExplorer } from './explorer';
import { explorerDeps } from './explorer-deps';
import { deleteClassifier, evaluate, registerModels } from './models/commands';
import { registerStatusBar } from './status';
import { registerTrainCommand } from './train/command';
import { runTraining } from './train/run';

export function activate(extension: vscode.ExtensionContext): StcTestApi {
  const ctx = new StcContext(extension);
  extension.subscriptions.push(ctx);
  registerTrainCommand(ctx);
  const models = registerModels(ctx);
  registerStatusBar(ctx);
  const inline = registerInline(extension, inlineDeps(ctx));
  const explorer = registerExplorer(extension, explorerDeps(ctx, inline.onDidHoverLine));
  extension.subscriptions.push(
    vscode.commands.registerCommand('stc.showLog', () => ctx.log.show()),
    vscode.commands.registerCommand('stc.restartWorker', async () => {
      await ctx.worker.restart();
      ctx.log.info('worker: restarted on request');
      const active = ctx.active;
      if (active) await ctx.setActive(active.dir);
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void ctx.restoreActive()),
  );
  void ctx.restoreActive();

  return {
    activeClassifier: () => ctx.active,
    trainOnFiles: (request) => runTraining(ctx, request),
    listClassifiers: async () => (await models.classifiers()).map((c) => ({ dir: c.dir, name: c.name, error: c.error })),
    evaluate: async (dir, data) => {
      const listed = (await models.classifiers()).find((c) => c.dir === dir);
      if (!listed) throw new Error(`${dir} is not among the workspace's classifiers`);
      return (await evaluate(ctx, listed, data))?.getText();
    },
    deleteClassifier: (dir) => deleteClassifier(ctx, dir),
    workerPid: () => ctx.worker.pid,
    inline,
    explorer,
  };
}

export function deactivate(): void {}
