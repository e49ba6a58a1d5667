// Extension entry point. Feature modules register themselves here; each owns its disposables.
import * as vscode from 'vscode';

export function activate(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('stc.train', () =>
      vscode.window.showInformationMessage(
        'STC Lens: training from the editor is not available yet. The engine is under construction; this command will train on your workspace data once it lands.',
      ),
    ),
  );
}

export function deactivate(): void {}
