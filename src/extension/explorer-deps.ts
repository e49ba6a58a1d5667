// What the Layer Explorer and the neuron view (src/extension/explorer) get from the core: the
// active classifier, its saved folder read in the host (JSON only), and the worker's explain and
// per-token neuron values, and the lines the inline hover is shown on.
import * as vscode from 'vscode';
import { loadClassifier } from '../core/artifact';
import { NEURON_TOKENS } from '../worker/protocol';
import type { StcContext } from './context';
import type { ExplorerDeps, HoveredLine } from './explorer/deps';

export function explorerDeps(ctx: StcContext, onDidHoverLine: vscode.Event<HoveredLine>): ExplorerDeps {
  return {
    active: () => {
      const active = ctx.active;
      return active && ctx.trusted ? { dir: active.dir, name: active.manifest.name } : undefined;
    },
    onDidChangeActive: ctx.onDidChangeActive,
    load: (dir) => loadClassifier(dir),
    explain: (text, token) => ctx.explainActive(text, token),
    neuronTokens: (texts, neuron, token) =>
      ctx.worker.request(NEURON_TOKENS, { dir: ctx.activeDir(), device: ctx.settings.device, texts: [...texts], neuron }, token),
    onDidHoverLine,
    canRun: () => vscode.workspace.isTrusted,
    log: ctx.log,
  };
}
