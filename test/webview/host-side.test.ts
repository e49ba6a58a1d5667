// The host side of the webviews without VS Code: the message channel and the editor text picked.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type * as vscode from 'vscode';
import { WebviewChannel } from '../../src/extension/explorer/channel';
import { editorText, lineText, MAX_TEXT } from '../../src/extension/explorer/editor-text';
import type { FromWebview, ToWebview } from '../../webview/shared/protocol';

function fakeWebview() {
  let listener: ((data: unknown) => void) | undefined;
  const sent: unknown[] = [];
  const webview = {
    postMessage: (m: unknown) => {
      sent.push(m);
      return Promise.resolve(true);
    },
    onDidReceiveMessage: (l: (data: unknown) => void) => {
      listener = l;
      return { dispose: () => (listener = undefined) };
    },
  } as unknown as vscode.Webview;
  return { webview, sent, receive: (data: unknown) => listener?.(data) };
}

function fakeLog() {
  const warnings: string[] = [];
  return { log: { warn: (m: string) => warnings.push(m) } as unknown as vscode.LogOutputChannel, warnings };
}

test('the channel holds messages until the page is ready, then replays the latest of each type', () => {
  const { webview, sent, receive } = fakeWebview();
  const { log } = fakeLog();
  const received: FromWebview[] = [];
  const channel = new WebviewChannel('test', log, (m) => received.push(m));
  channel.attach(webview);
  channel.post({ type: 'empty', reason: 'none yet' });
  channel.post({ type: 'explaining', source: 'a.txt:1' });
  channel.post({ type: 'explaining', source: 'a.txt:2' });
  assert.deepEqual(sent, []);
  receive({ type: 'ready' });
  assert.deepEqual(sent, [
    { type: 'empty', reason: 'none yet' },
    { type: 'explaining', source: 'a.txt:2' },
  ]);
  channel.post({ type: 'explainError', source: 'a.txt:2', message: 'cancelled' });
  assert.equal(sent.length, 3);
  assert.deepEqual(channel.last, { type: 'explainError', source: 'a.txt:2', message: 'cancelled' });
  assert.deepEqual(received, [{ type: 'ready' }]);
});

test('the channel refuses to send a malformed message and ignores malformed replies', () => {
  const { webview, receive } = fakeWebview();
  const { log, warnings } = fakeLog();
  const received: FromWebview[] = [];
  const channel = new WebviewChannel('test', log, (m) => received.push(m));
  channel.attach(webview);
  assert.throws(() => channel.post({ type: 'empty' } as unknown as ToWebview), /reason: expected a string/);
  receive({ type: 'openNeuron', name: ['x'] });
  receive({ type: 'openNeuron', name: 'L1.act.max#3' });
  receive({ type: 'error', message: 'boom' });
  assert.deepEqual(received, [
    { type: 'openNeuron', name: 'L1.act.max#3' },
    { type: 'error', message: 'boom' },
  ]);
  assert.match(warnings[0] ?? '', /test: ignored an invalid message from the webview: name: expected a string, got an array/);
  assert.match(warnings[1] ?? '', /test webview: boom/);
});

function fakeEditor(lines: string[], selection: { start: [number, number]; end: [number, number] }, scheme = 'file') {
  const document = {
    uri: { scheme, fsPath: '/w/notes.txt', path: '/w/notes.txt' },
    isUntitled: false,
    lineCount: lines.length,
    lineAt: (line: number) => ({ text: lines[line] ?? '' }),
    getText: () => {
      const [[l0, c0], [l1, c1]] = [selection.start, selection.end];
      if (l0 === l1) return (lines[l0] ?? '').slice(c0, c1);
      return [(lines[l0] ?? '').slice(c0), ...lines.slice(l0 + 1, l1), (lines[l1] ?? '').slice(0, c1)].join('\n');
    },
  };
  const isEmpty = selection.start[0] === selection.end[0] && selection.start[1] === selection.end[1];
  const sel = { isEmpty, start: { line: selection.start[0] }, end: { line: selection.end[0] }, active: { line: selection.end[0] } };
  return { document, selection: sel } as unknown as vscode.TextEditor;
}

test('the editor text is the selection, else the cursor line; blank lines and output panes are skipped', () => {
  const lines = ['  Great food, slow service.  ', '', 'Never again.'];
  assert.deepEqual(editorText(fakeEditor(lines, { start: [0, 3], end: [0, 3] })), { text: 'Great food, slow service.', source: 'notes.txt:1' });
  assert.deepEqual(editorText(fakeEditor(lines, { start: [0, 8], end: [2, 5] })), { text: 'food, slow service.  \n\nNever', source: 'notes.txt:1-3' });
  assert.equal(editorText(fakeEditor(lines, { start: [1, 0], end: [1, 0] })), undefined);
  assert.equal(editorText(fakeEditor(lines, { start: [0, 0], end: [0, 0] }, 'output')), undefined);
  const long = fakeEditor(['x'.repeat(MAX_TEXT + 10)], { start: [0, 0], end: [0, 0] });
  assert.equal(lineText(long.document, 0)?.text.length, MAX_TEXT);
  assert.equal(lineText(long.document, 5), undefined);
});
