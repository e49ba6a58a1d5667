// The HTML shell of both webviews: the bundled script and stylesheet only, under a strict
// Content-Security-Policy (nothing remote, scripts only with this page's nonce).
import { randomBytes } from 'node:crypto';

export type WebviewKind = 'explorer' | 'neuron';

export interface ShellOptions {
  readonly view: WebviewKind;
  readonly title: string;
  /** webview.cspSource */
  readonly cspSource: string;
  /** webview.asWebviewUri of dist/webview.js and dist/webview.css */
  readonly scriptUri: string;
  readonly styleUri: string;
  readonly nonce?: string;
}

export function newNonce(): string {
  return randomBytes(18).toString('base64url');
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [`default-src 'none'`, `style-src ${cspSource}`, `script-src 'nonce-${nonce}'`, `img-src ${cspSource}`].join('; ');
}

export function webviewHtml(o: ShellOptions): string {
  const nonce = o.nonce ?? newNonce();
  const a = escapeAttribute;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${a(contentSecurityPolicy(o.cspSource, nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${a(o.styleUri)}">
<title>${a(o.title)}</title>
</head>
<body data-view="${o.view}">
<main id="app" aria-label="${a(o.title)}"><p class="empty">Loading...</p></main>
<script type="module" nonce="${a(nonce)}" src="${a(o.scriptUri)}"></script>
</body>
</html>
`;
}
