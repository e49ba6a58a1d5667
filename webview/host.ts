// The channel to the extension host: every message is checked against the shared protocol on
// the way in and on the way out; a bad one is reported to the host instead of being used.

import { MessageError } from './shared/guard';
import { fromWebview, toWebview, type FromWebview, type ToWebview } from './shared/protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();

export function post(message: FromWebview): void {
  api.postMessage(fromWebview(message, ''));
}

export function onHostMessage(handle: (message: ToWebview) => void): void {
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    let message: ToWebview;
    try {
      message = toWebview(event.data, '');
    } catch (err) {
      const what = err instanceof MessageError ? err.message : String(err);
      post({ type: 'error', message: `webview received an invalid message: ${what}` });
      return;
    }
    handle(message);
  });
}

/** Reports uncaught webview errors to the host's log (a webview's console is hard to find). */
export function reportErrors(): void {
  window.addEventListener('error', (e) => post({ type: 'error', message: `${e.message} (${e.filename}:${e.lineno})` }));
  window.addEventListener('unhandledrejection', (e: PromiseRejectionEvent) => post({ type: 'error', message: String(e.reason) }));
}
