// The status bar item: the active classifier and the device it runs on; a click picks another.
import * as vscode from 'vscode';
import type { StcContext } from './context';

export function registerStatusBar(ctx: StcContext): void {
  const item = vscode.window.createStatusBarItem('stc.active', vscode.StatusBarAlignment.Right, 100);
  item.name = 'STC Lens: active classifier';
  item.command = 'stc.setActive';
  const update = (): void => {
    const active = ctx.active;
    if (active) {
      item.text = `$(symbol-class) ${active.manifest.name} · ${active.provider}`;
      item.tooltip = `STC classifier ${active.manifest.name} (${active.manifest.labels.join(', ')}) on ${active.provider}\n${active.dir}\nClick to choose another.`;
    } else {
      item.text = '$(symbol-class) STC: none';
      item.tooltip = ctx.trusted ? 'No active STC classifier. Click to choose one.' : 'STC Lens loads no classifier in an untrusted workspace.';
    }
    item.show();
  };
  update();
  ctx.extension.subscriptions.push(item, ctx.onDidChangeActive(update), vscode.workspace.onDidGrantWorkspaceTrust(update));
}
