// The extension under test, as the extension host loaded it from the repository root.
import * as vscode from 'vscode';
import manifest from '../../../package.json';

export const EXTENSION_ID = `${manifest.publisher}.${manifest.name}`;

/** Finds the extension and activates it (a no-op when it is already active). */
export async function activateExtension(): Promise<vscode.Extension<unknown>> {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  if (!extension) throw new Error(`${EXTENSION_ID} is not loaded: is extensionDevelopmentPath the repository root?`);
  await extension.activate();
  return extension;
}
