// One webview's side of the protocol: outgoing messages are checked against the shared schema,
// incoming ones are checked before use, and the latest message of each type is replayed when the
// page (re)loads and says it is ready (a view's page reloads whenever it is hidden and shown).
import type * as vscode from 'vscode';
import { MessageError } from '../../../webview/shared/guard';
import { fromWebview, toWebview, type FromWebview, type ToWebview } from '../../../webview/shared/protocol';

export class WebviewChannel implements vscode.Disposable {
  private webview: vscode.Webview | undefined;
  private listener: vscode.Disposable | undefined;
  private ready = false;
  /** Latest message per type, oldest first. */
  private readonly state = new Map<ToWebview['type'], ToWebview>();
  last: ToWebview | undefined;

  constructor(
    private readonly name: string,
    private readonly log: vscode.LogOutputChannel,
    private readonly receive: (message: FromWebview) => void,
  ) {}

  attach(webview: vscode.Webview): void {
    this.listener?.dispose();
    this.webview = webview;
    this.ready = false;
    this.listener = webview.onDidReceiveMessage((data: unknown) => this.onMessage(data));
  }

  post(message: ToWebview): void {
    const checked = toWebview(message, '');
    this.state.delete(checked.type);
    this.state.set(checked.type, checked);
    this.last = checked;
    if (this.ready) void this.webview?.postMessage(checked);
  }

  private onMessage(data: unknown): void {
    let message: FromWebview;
    try {
      message = fromWebview(data, '');
    } catch (err) {
      this.log.warn(`${this.name}: ignored an invalid message from the webview: ${err instanceof MessageError ? err.message : String(err)}`);
      return;
    }
    if (message.type === 'ready') {
      this.ready = true;
      for (const m of this.state.values()) void this.webview?.postMessage(m);
    } else if (message.type === 'error') this.log.warn(`${this.name} webview: ${message.message}`);
    this.receive(message);
  }

  dispose(): void {
    this.listener?.dispose();
    this.webview = undefined;
  }
}
