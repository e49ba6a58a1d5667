// What the Layer Explorer and the neuron view need from the rest of the extension, and what they
// give back to tests. The extension core (main.ts) implements ExplorerDeps on top of its worker
// client and model registry; these views never run a model themselves.
import type * as vscode from 'vscode';
import type { SavedClassifier } from '../../core/artifact/types';
import type { Explanation, TokenSpan } from '../../core/explain/types';
import type { ToWebview } from '../../../webview/shared/protocol';

/** The active classifier, as far as these views are concerned. */
export interface ExplorerClassifier {
  /** The `.stc` folder. */
  readonly dir: string;
  readonly name: string;
}

/** One neuron's raw value on each token of a text, tokens placed on the text. */
export interface NeuronTokens {
  readonly tokens: readonly TokenSpan[];
  readonly values: readonly number[];
}

/** A line the user hovers (an editor hover the inline feature shows). */
export interface HoveredLine {
  readonly document: vscode.TextDocument;
  readonly line: number;
}

export interface ExplorerDeps {
  /** The classifier to show, or undefined when none is active. */
  active(): ExplorerClassifier | undefined;
  /** Fires when the active classifier changes, is retrained in place, or is unloaded. */
  readonly onDidChangeActive: vscode.Event<unknown>;
  /** Reads a saved classifier with its report and examples (core/artifact's loadClassifier). */
  load(dir: string): Promise<SavedClassifier>;
  /** Explains one text with the active classifier. Rejects (any error) when cancelled. */
  explain(text: string, token: vscode.CancellationToken): Promise<Explanation>;
  /** Optional: one neuron's values on the tokens of each text (ClassifierRuntime.tokenActivations
   *  placed with alignTokens), to highlight the neuron view's training examples. Without it the
   *  examples are shown as plain text. */
  neuronTokens?(texts: readonly string[], neuron: string, token: vscode.CancellationToken): Promise<NeuronTokens[]>;
  /** Optional: hovered lines, explained like a selected line. */
  readonly onDidHoverLine?: vscode.Event<HoveredLine>;
  /** False while models may not run here (an untrusted workspace): the charts still show, nothing is explained. */
  canRun(): boolean;
  readonly log: vscode.LogOutputChannel;
}

/** For the extension's tests (returned from registerExplorer). */
export interface ExplorerApi {
  /** The last message posted to the Layer Explorer view or to the neuron panel. */
  lastPosted(view: 'explorer' | 'neuron'): ToWebview | undefined;
  /** Opens (or reuses) the neuron panel on a classifier neuron; resolves once its model is posted. */
  showNeuron(name: string): Promise<void>;
  /** Explains the active editor's selection (or cursor line) now, without the debounce. */
  explainActiveEditor(): Promise<void>;
}
