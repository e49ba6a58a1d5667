// Each open document's units, split once per version and unit mode; shared by decorations and hover.
import type * as vscode from 'vscode';
import { splitDocument } from './units';
import type { SplitResult, UnitMode } from './units';

export class DocumentUnits {
  private readonly byUri = new Map<string, { version: number; mode: UnitMode; result: SplitResult }>();

  get(document: vscode.TextDocument, mode: UnitMode): SplitResult {
    const key = document.uri.toString();
    const known = this.byUri.get(key);
    if (known !== undefined && known.version === document.version && known.mode === mode) return known.result;
    const result = splitDocument(document.getText(), document.uri.path, mode, document.languageId);
    this.byUri.set(key, { version: document.version, mode, result });
    return result;
  }

  forget(uri: vscode.Uri): void {
    this.byUri.delete(uri.toString());
  }
}
