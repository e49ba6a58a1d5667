// Registers the Layer Explorer view, the neuron panel and their commands, and explains what the
// editor shows (the selection, the cursor's line or a hovered line) into both.
import * as vscode from 'vscode';
import type { SavedClassifier } from '../../core/artifact/types';
import { parseNeuronName } from '../../core/neurons';
import type { ToWebview } from '../../../webview/shared/protocol';
import { WebviewChannel } from './channel';
import type { ExplorerApi, ExplorerDeps } from './deps';
import { editorText, lineText, type EditorText } from './editor-text';
import { webviewHtml, type WebviewKind } from './html';
import { NEURON_PANEL_TYPE, NeuronPanel } from './neuron-panel';
import { explanationView, explorerModel, neuronModel, type TokenValues } from './view-model';

export type { ExplorerApi, ExplorerDeps } from './deps';

export const VIEW_ID = 'stc.layerExplorer';
/** Editor events closer together than this are explained once (typing, dragging a selection). */
const DEBOUNCE_MS = 300;
const NO_CLASSIFIER = 'No active classifier. Train one with "STC: Train STC on Workspace Data", or choose one in the Models view.';

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function registerExplorer(context: vscode.ExtensionContext, deps: ExplorerDeps): ExplorerApi {
  const { log } = deps;
  const dist = vscode.Uri.joinPath(context.extensionUri, 'dist');
  const setup = (webview: vscode.Webview, view: WebviewKind, title: string) => {
    webview.options = { enableScripts: true, localResourceRoots: [dist] };
    webview.html = webviewHtml({
      view,
      title,
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.css')).toString(),
    });
  };

  // The active classifier's saved folder, read once per activation (its report can be large).
  let loaded: { dir: string; saved: Promise<SavedClassifier> } | undefined;
  const activeClassifier = async (): Promise<SavedClassifier | undefined> => {
    const active = deps.active();
    if (!active) return undefined;
    if (loaded?.dir !== active.dir) loaded = { dir: active.dir, saved: deps.load(active.dir) };
    return loaded.saved;
  };

  const explorer = new WebviewChannel('Layer Explorer', log, (m) => {
    if (m.type === 'openNeuron') void showNeuron(m.name);
  });
  let explorerView: vscode.WebviewView | undefined;

  const describeNeuron = async (name: string, post: (m: ToWebview) => void): Promise<void> => {
    const saved = await activeClassifier().catch((err: unknown) => {
      post({ type: 'neuronMissing', name, reason: `the active classifier could not be read: ${message(err)}` });
      return null;
    });
    if (saved === null) return;
    if (!saved) return post({ type: 'neuronMissing', name, reason: NO_CLASSIFIER });
    const model = neuronModel(saved.report, saved.manifest.name, saved.examples, name);
    if (!model) return post({ type: 'neuronMissing', name, reason: `not a neuron of the classifier ${saved.manifest.name} (it keeps ${saved.report.classifier.neurons.length}).` });
    post({ type: 'neuron', neuron: model });
    const rows = [...model.top, ...model.bottom].filter((e) => e.text !== null);
    if (!deps.neuronTokens || !deps.canRun() || rows.length === 0) return;
    const source = new vscode.CancellationTokenSource();
    try {
      const values = await deps.neuronTokens(
        rows.map((e) => e.text as string),
        name,
        source.token,
      );
      const byRow = new Map<number, TokenValues>(rows.map((e, i) => [e.row, values[i]]));
      const highlighted = neuronModel(saved.report, saved.manifest.name, saved.examples, name, byRow);
      if (highlighted) post({ type: 'neuron', neuron: highlighted });
    } catch (err) {
      log.warn(`Neuron view: token values of ${name} on its training examples: ${message(err)}`);
    } finally {
      source.dispose();
    }
  };
  const panel = new NeuronPanel((webview, title) => setup(webview, 'neuron', title), log, describeNeuron, (name) => void showNeuron(name));

  async function showNeuron(name: string): Promise<void> {
    try {
      parseNeuronName(name);
    } catch (err) {
      void vscode.window.showErrorMessage(`STC: ${message(err)}`);
      return;
    }
    await panel.show(name);
  }

  const refreshModel = async (): Promise<void> => {
    const active = deps.active();
    try {
      const saved = await activeClassifier();
      explorer.post(saved ? { type: 'model', model: explorerModel(saved.report, saved.manifest.name) } : { type: 'empty', reason: NO_CLASSIFIER });
    } catch (err) {
      log.error(`Layer Explorer: reading ${active?.dir ?? 'the classifier'}: ${message(err)}`);
      explorer.post({ type: 'empty', reason: `The classifier in ${active?.dir ?? '?'} could not be read: ${message(err)}` });
    }
  };

  // Explanations: the newest request wins; older ones are cancelled.
  let pending: vscode.CancellationTokenSource | undefined;
  let lastText: string | undefined;
  const explain = async (target: EditorText | undefined, force = false): Promise<void> => {
    if (!target || !deps.canRun() || !deps.active()) return;
    if (!force && (target.text === lastText || !(explorerView?.visible || panel.isOpen))) return;
    lastText = target.text;
    pending?.cancel();
    const source = new vscode.CancellationTokenSource();
    pending = source;
    explorer.post({ type: 'explaining', source: target.source });
    try {
      const e = await deps.explain(target.text, source.token);
      if (source.token.isCancellationRequested) return;
      explorer.post({ type: 'explanation', explanation: explanationView(e, target.source) });
      panel.explained(e, target.source);
    } catch (err) {
      if (source.token.isCancellationRequested) return;
      lastText = undefined;
      explorer.post({ type: 'explainError', source: target.source, message: message(err) });
      panel.explainFailed(target.source, message(err));
    }
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const explainSoon = (target: () => EditorText | undefined) => {
    clearTimeout(timer);
    timer = setTimeout(() => void explain(target()), DEBOUNCE_MS);
  };

  const pickNeuron = async (): Promise<string | undefined> => {
    const saved = await activeClassifier();
    if (!saved) {
      void vscode.window.showInformationMessage(`STC: ${NO_CLASSIFIER}`);
      return undefined;
    }
    const neurons = [...saved.report.classifier.neurons].sort((a, b) => b.importance - a.importance);
    const pick = await vscode.window.showQuickPick(
      neurons.map((n) => ({ label: n.name, description: `importance ${n.importance.toPrecision(3)}` })),
      { title: `Neurons of ${saved.manifest.name}`, placeHolder: 'Open a neuron' },
    );
    return pick?.label;
  };

  context.subscriptions.push(
    explorer,
    panel,
    { dispose: () => clearTimeout(timer) },
    vscode.window.registerWebviewViewProvider(VIEW_ID, {
      resolveWebviewView(view) {
        explorerView = view;
        setup(view.webview, 'explorer', 'Layer Explorer');
        explorer.attach(view.webview);
        view.onDidDispose(() => (explorerView = undefined));
        view.onDidChangeVisibility(() => {
          if (view.visible && vscode.window.activeTextEditor) explainSoon(() => editorText(vscode.window.activeTextEditor as vscode.TextEditor));
        });
        void refreshModel();
      },
    }),
    vscode.window.registerWebviewPanelSerializer(NEURON_PANEL_TYPE, {
      deserializeWebviewPanel: (restored) => panel.restore(restored),
    }),
    vscode.commands.registerCommand('stc.openLayerExplorer', () => vscode.commands.executeCommand(`${VIEW_ID}.focus`)),
    vscode.commands.registerCommand('stc.showNeuron', async (name?: unknown) => {
      const chosen = typeof name === 'string' ? name : await pickNeuron();
      if (chosen) await showNeuron(chosen);
    }),
    deps.onDidChangeActive(() => {
      loaded = undefined;
      lastText = undefined;
      void refreshModel();
      void panel.refresh();
    }),
    vscode.window.onDidChangeTextEditorSelection((e) => explainSoon(() => editorText(e.textEditor))),
    vscode.window.onDidChangeActiveTextEditor((editor) => {
      if (editor) explainSoon(() => editorText(editor));
    }),
  );
  if (deps.onDidHoverLine) context.subscriptions.push(deps.onDidHoverLine((h) => explainSoon(() => lineText(h.document, h.line))));

  return {
    lastPosted: (view) => (view === 'explorer' ? explorer.last : panel.last),
    showNeuron,
    explainActiveEditor: async () => {
      const editor = vscode.window.activeTextEditor;
      if (editor) await explain(editorText(editor), true);
    },
  };
}
