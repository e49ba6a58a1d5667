// Inline classification and its hover: labels after each unit of text in the documents the
// `stcLens.inline.documentSelector` setting names, and the explanation of a label on hover.
// The extension core passes what the feature needs (InlineDeps); tests get an InlineApi.
import * as vscode from 'vscode';
import type { Explanation } from '../../core/explain/types';
import { ResultCache } from './cache';
import { InlineDecorations } from './decorations';
import type { InlineApi, InlineDeps } from './deps';
import { DocumentUnits } from './document-units';
import { InlineHoverProvider } from './hover';
import type { UnitPrediction } from './plan';
import { appliesTo, readSettings, toggleEnabled } from './settings';
import type { InlineSettings } from './settings';

export type { InlineApi, InlineClassifier, InlineDeps, InlineLabel, UnitPrediction } from './deps';

export const TOGGLE_COMMAND = 'stc.toggleInline';
/** Predictions kept: a few large files' worth. */
const PREDICTIONS_KEPT = 50_000;
/** Explanations kept: the units hovered lately. */
const EXPLANATIONS_KEPT = 200;

export function registerInline(context: vscode.ExtensionContext, deps: InlineDeps): InlineApi {
  let settings: InlineSettings = readSettings(deps.log);
  const current = (): InlineSettings => settings;
  const units = new DocumentUnits();
  const predictions = new ResultCache<UnitPrediction>(PREDICTIONS_KEPT);
  const explanations = new ResultCache<Explanation>(EXPLANATIONS_KEPT);
  const decorations = new InlineDecorations(deps, units, predictions, current);
  const hover = new InlineHoverProvider(deps, units, explanations, current);
  let hoverRegistration = vscode.languages.registerHoverProvider(settings.selector, hover);

  const relabelAll = (): void => {
    decorations.clearAll();
    decorations.scheduleVisible(0);
  };

  context.subscriptions.push(
    decorations,
    hover,
    { dispose: () => void hoverRegistration.dispose() },
    vscode.commands.registerCommand(TOGGLE_COMMAND, async () => {
      const on = await toggleEnabled();
      vscode.window.setStatusBarMessage(`STC Lens: inline labels ${on ? 'on' : 'off'}`, 3000);
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('stcLens.inline') && !e.affectsConfiguration('stcLens.hover')) return;
      const before = settings;
      settings = readSettings(deps.log);
      if (JSON.stringify(before.selector) !== JSON.stringify(settings.selector)) {
        hoverRegistration.dispose();
        hoverRegistration = vscode.languages.registerHoverProvider(settings.selector, hover);
      }
      relabelAll();
    }),
    deps.onDidChangeActive(() => {
      predictions.clear();
      explanations.clear();
      relabelAll();
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => decorations.scheduleVisible(0)),
    vscode.workspace.onDidChangeTextDocument((e) => {
      // Output channels (our own log included) change all the time and are never labelled.
      if (e.contentChanges.length > 0 && appliesTo(settings, e.document)) decorations.schedule(e.document);
    }),
    vscode.window.onDidChangeVisibleTextEditors(() => decorations.scheduleVisible()),
    vscode.window.onDidChangeTextEditorVisibleRanges((e) => decorations.schedule(e.textEditor.document)),
    vscode.workspace.onDidCloseTextDocument((document) => {
      decorations.forget(document.uri);
      units.forget(document.uri);
    }),
  );
  decorations.scheduleVisible(0);

  return {
    decorationsFor: (uri) => decorations.labelsFor(uri),
    refresh: () => decorations.refreshVisible(),
    enabled: () => settings.enabled,
    onDidHoverLine: hover.onDidHoverLine,
  };
}
