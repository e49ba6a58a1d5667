// What inline classification and the hover (src/extension/inline) get from the core: the active
// classifier and the worker's classify and explain, run with the device setting.
import * as vscode from 'vscode';
import { CLASSIFY } from '../worker/protocol';
import type { StcContext } from './context';
import type { InlineDeps } from './inline/deps';

export function inlineDeps(ctx: StcContext): InlineDeps {
  return {
    active: () => {
      const active = ctx.active;
      return active && ctx.trusted ? { name: active.manifest.name, dir: active.dir, labels: active.manifest.labels } : undefined;
    },
    onDidChangeActive: (listener: () => unknown, thisArgs?: unknown, disposables?: vscode.Disposable[]) =>
      ctx.onDidChangeActive(() => void listener.call(thisArgs), undefined, disposables),
    classify: async (texts, token) => {
      const predictions = await ctx.worker.request(CLASSIFY, { dir: ctx.activeDir(), device: ctx.settings.device, texts: [...texts] }, token);
      return predictions.map((p) => ({ label: p.label, labelIndex: p.labelIndex, proba: p.proba }));
    },
    explain: (text, token) => ctx.explainActive(text, token),
    canRun: () => vscode.workspace.isTrusted,
    log: ctx.log,
  };
}
