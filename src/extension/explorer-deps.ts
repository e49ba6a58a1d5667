// What the Layer Explorer and the neuron view (src/extension/explorer) get from the core: the
// active classifier, its saved folder read in the host (JSON only), and the worker's explain and
// per-token neuron values.
import * as vscode from 'vscode';
import { loadClassifier } from '../core/artifact';
import { EXPLAIN, NEURON_TOKENS } from '../worker/protocol';
import type { StcContext } from './context';
import type { ExplorerDeps } from './explorer/deps';

/** Neurons an explanation places on the tokens. */
const EXPLAIN_TOP = 5;

export function explorerDeps(ctx: StcContext): ExplorerDeps {
  const activeDir = (): string => {
    const active = ctx.active;
    if (!active) throw new Error('no active STC classifier');
    return active.dir;
  };
  return {
    active: () => {
      const active = ctx.active;
      return active && ctx.trusted ? { dir: active.dir, name: active.manifest.name } : undefined;
    },
    onDidChangeActive: ctx.onDidChangeActive,
    load: (dir) => loadClassifier(dir),
    explain: (text, token) => ctx.worker.request(EXPLAIN, { dir: activeDir(), device: ctx.settings.device, text, top: EXPLAIN_TOP }, token),
    neuronTokens: (texts, neuron, token) =>
      ctx.worker.request(NEURON_TOKENS, { dir: activeDir(), device: ctx.settings.device, texts: [...texts], neuron }, token),
    canRun: () => vscode.workspace.isTrusted,
    log: ctx.log,
  };
}
