// What inline classification and the hover (src/extension/inline) get from the core: the active
// classifier and the worker's classify and explain, run with the device setting.
import * as vscode from 'vscode';
import { CLASSIFY, EXPLAIN } from '../worker/protocol';
import type { StcContext } from './context';
import type { InlineDeps } from './inline/deps';

/** Neurons an explanation places on the tokens (the hover shows the first few). */
const EXPLAIN_TOP = 5;

export function inlineDeps(ctx: StcContext): InlineDeps {
  const activeDir = (): string => {
    const active = ctx.active;
    if (!active) throw new Error('no active STC classifier');
    return active.dir;
  };
  return {
    active: () => {
      const active = ctx.active;
      return active && ctx.trusted ? { name: active.manifest.name, dir: active.dir, labels: active.manifest.labels } : undefined;
    },
    onDidChangeActive: (listener: () => unknown, thisArgs?: unknown, disposables?: vscode.Disposable[]) =>
      ctx.onDidChangeActive(() => void listener.call(thisArgs), undefined, disposables),
    classify: async (texts, token) => {
      const predictions = await ctx.worker.request(CLASSIFY, { dir: activeDir(), device: ctx.settings.device, texts: [...texts] }, token);
      return predictions.map((p) => ({ label: p.label, labelIndex: p.labelIndex, proba: p.proba }));
    },
    explain: (text, token) => ctx.worker.request(EXPLAIN, { dir: activeDir(), device: ctx.settings.device, text, top: EXPLAIN_TOP }, token),
    canRun: () => vscode.workspace.isTrusted,
    log: ctx.log,
  };
}
