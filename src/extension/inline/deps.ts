// What inline classification needs from the rest of the extension, and what it gives back to
// tests. The extension core (main.ts) implements InlineDeps on top of its worker client and model
// registry; this feature never runs a model itself.
import type * as vscode from 'vscode';
import type { Explanation } from '../../core/explain/types';
import type { InlineLabel, UnitPrediction } from './plan';

export type { InlineLabel, UnitPrediction } from './plan';

/** The active classifier, as far as this feature is concerned. */
export interface InlineClassifier {
  readonly name: string;
  /** The `.stc` folder: part of every cache key. */
  readonly dir: string;
  readonly labels: readonly string[];
}

export interface InlineDeps {
  /** The classifier to label with, or undefined when none is active (or none may be loaded). */
  active(): InlineClassifier | undefined;
  /** Fires when the active classifier changes, is retrained in place, or is unloaded. */
  readonly onDidChangeActive: vscode.Event<void>;
  /** Classifies texts with the active classifier, one prediction per text in order. Rejects (any
   *  error) when cancelled; the caller ignores results of a cancelled request. */
  classify(texts: readonly string[], token: vscode.CancellationToken): Promise<UnitPrediction[]>;
  /** Explains one text with the active classifier (top neurons: at least 5). */
  explain(text: string, token: vscode.CancellationToken): Promise<Explanation>;
  /** False while models may not run here (an untrusted workspace): no labels, no hovers. */
  canRun(): boolean;
  readonly log: vscode.LogOutputChannel;
}

/** For the extension's tests (returned from activate()). */
export interface InlineApi {
  /** The labels currently drawn in the document, in document order ([] when none). */
  decorationsFor(uri: vscode.Uri): readonly InlineLabel[];
  /** Classifies the visible documents now, without waiting for the debounce; resolves once their
   *  labels are drawn (or the run was superseded by a newer one). */
  refresh(): Promise<void>;
  /** Whether inline labels are on (the `stcLens.inline.enabled` setting). */
  enabled(): boolean;
  /** Fires for each line a hover is shown on. */
  readonly onDidHoverLine: vscode.Event<{ readonly document: vscode.TextDocument; readonly line: number }>;
}
