import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contentSecurityPolicy, newNonce, webviewHtml } from '../../src/extension/explorer/html';

test('the shell loads only the bundle, under a CSP that allows nothing else', () => {
  const html = webviewHtml({ view: 'neuron', title: 'L3.act.mean#7 "<x>"', cspSource: 'https://file+.vscode-resource.vscode-cdn.net', scriptUri: 'https://r/dist/webview.js', styleUri: 'https://r/dist/webview.css', nonce: 'abc123' });
  const csp = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)?.[1];
  assert.equal(csp, "default-src 'none'; style-src https://file+.vscode-resource.vscode-cdn.net; script-src 'nonce-abc123'; img-src https://file+.vscode-resource.vscode-cdn.net");
  assert.match(html, /<script type="module" nonce="abc123" src="https:\/\/r\/dist\/webview.js"><\/script>/);
  assert.match(html, /<body data-view="neuron">/);
  assert.match(html, /<title>L3.act.mean#7 &quot;&lt;x&gt;&quot;<\/title>/);
  assert.equal((html.match(/<script/g) ?? []).length, 1);
  assert.doesNotMatch(html, /unsafe-inline|unsafe-eval|https?:\/\/(?!r\/|file\+)/);
});

test('nonces are fresh and long enough', () => {
  const a = newNonce();
  assert.notEqual(a, newNonce());
  assert.ok(a.length >= 24 && /^[A-Za-z0-9_-]+$/.test(a));
  assert.match(contentSecurityPolicy('x', a), new RegExp(`'nonce-${a}'`));
});
