// Which text of an editor the explorer explains: the selection when there is one, else the
// cursor's line (or the hovered line). Blank text and non-document editors are skipped.
import * as path from 'node:path';
import type * as vscode from 'vscode';

/** Longer selections are cut here: the model reads a few hundred tokens at most anyway. */
export const MAX_TEXT = 4000;
const SCHEMES = new Set(['file', 'untitled', 'vscode-notebook-cell', 'vscode-remote', 'vscode-userdata']);

export interface EditorText {
  readonly text: string;
  /** e.g. `notes.txt:12` or `notes.txt:12-14`. */
  readonly source: string;
}

function sourceOf(document: vscode.TextDocument, first: number, last: number): string {
  const name = document.isUntitled ? document.uri.path : path.basename(document.uri.fsPath || document.uri.path);
  return first === last ? `${name}:${first + 1}` : `${name}:${first + 1}-${last + 1}`;
}

export function lineText(document: vscode.TextDocument, line: number): EditorText | undefined {
  if (!SCHEMES.has(document.uri.scheme) || line < 0 || line >= document.lineCount) return undefined;
  const text = document.lineAt(line).text.trim();
  return text ? { text: text.slice(0, MAX_TEXT), source: sourceOf(document, line, line) } : undefined;
}

export function editorText(editor: vscode.TextEditor): EditorText | undefined {
  const { document, selection } = editor;
  if (selection.isEmpty) return lineText(document, selection.active.line);
  if (!SCHEMES.has(document.uri.scheme)) return undefined;
  const text = document.getText(selection).trim();
  return text ? { text: text.slice(0, MAX_TEXT), source: sourceOf(document, selection.start.line, selection.end.line) } : undefined;
}
