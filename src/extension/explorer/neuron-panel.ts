// The neuron view: one editor panel, reused for every neuron the user opens.
import * as vscode from 'vscode';
import type { Explanation } from '../../core/explain/types';
import type { ToWebview } from '../../../webview/shared/protocol';
import { WebviewChannel } from './channel';
import { selectionActivation } from './view-model';

/** Also in package.json's activation events, so a panel left open is restored after a reload. */
export const NEURON_PANEL_TYPE = 'stc.neuron';

export class NeuronPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private neuron: string | undefined;
  private readonly channel: WebviewChannel;

  constructor(
    private readonly setup: (webview: vscode.Webview, title: string) => void,
    log: vscode.LogOutputChannel,
    /** Posts the neuron's model (possibly twice: plain, then with highlighted tokens). */
    private readonly describe: (name: string, post: (m: ToWebview) => void) => Promise<void>,
    onOpenNeuron: (name: string) => void,
  ) {
    this.channel = new WebviewChannel('Neuron view', log, (m) => {
      if (m.type === 'openNeuron') onOpenNeuron(m.name);
    });
  }

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  get last(): ToWebview | undefined {
    return this.channel.last;
  }

  async show(name: string): Promise<void> {
    if (this.panel) {
      this.panel.title = name;
      this.panel.reveal(undefined, true);
    } else {
      this.adopt(vscode.window.createWebviewPanel(NEURON_PANEL_TYPE, name, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { enableScripts: true }));
    }
    await this.describeNeuron(name);
  }

  /** A panel VS Code brings back after a reload: its title is the neuron it showed. */
  async restore(panel: vscode.WebviewPanel): Promise<void> {
    if (this.panel) {
      // Only one neuron panel: a second restored one would not follow the editor.
      panel.dispose();
      return;
    }
    this.adopt(panel);
    await this.describeNeuron(panel.title);
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.setup(panel.webview, panel.title);
    this.channel.attach(panel.webview);
    panel.onDidDispose(() => {
      this.panel = undefined;
      this.neuron = undefined;
    });
    this.panel = panel;
  }

  private async describeNeuron(name: string): Promise<void> {
    this.neuron = name;
    await this.describe(name, (m) => {
      if (this.neuron === name) this.channel.post(m);
    });
  }

  /** The active classifier changed: show the same neuron again (or say it is gone). */
  async refresh(): Promise<void> {
    if (this.panel && this.neuron) await this.describe(this.neuron, (m) => this.channel.post(m));
  }

  explained(e: Explanation, source: string): void {
    if (!this.panel || !this.neuron) return;
    const activation = selectionActivation(e, this.neuron, source);
    this.channel.post({ type: 'selection', activation: activation ?? null, message: activation ? undefined : `${this.neuron} is not a neuron of the active classifier.` });
  }

  explainFailed(source: string, message: string): void {
    if (this.panel) this.channel.post({ type: 'selection', activation: null, message: `${source}: ${message}` });
  }

  dispose(): void {
    this.panel?.dispose();
    this.channel.dispose();
  }
}
