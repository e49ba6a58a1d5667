// Hover on a classified unit: the explanation of its prediction (see hover-content.ts).
import * as vscode from 'vscode';
import type { Explanation } from '../../core/explain/types';
import type { ResultCache } from './cache';
import type { InlineDeps } from './deps';
import type { DocumentUnits } from './document-units';
import { HOVER_COMMANDS, hoverMarkdown } from './hover-content';
import { escapeMarkdown } from './markdown';
import { unitAt } from './plan';
import type { InlineSettings } from './settings';

export class InlineHoverProvider implements vscode.HoverProvider, vscode.Disposable {
  private readonly hovered = new vscode.EventEmitter<{ readonly document: vscode.TextDocument; readonly line: number }>();
  /** Fires for each line a hover is shown on (the Layer Explorer follows it). */
  readonly onDidHoverLine = this.hovered.event;

  constructor(
    private readonly deps: InlineDeps,
    private readonly units: DocumentUnits,
    private readonly explanations: ResultCache<Explanation>,
    private readonly settings: () => InlineSettings,
  ) {}

  async provideHover(
    document: vscode.TextDocument,
    position: vscode.Position,
    token: vscode.CancellationToken,
  ): Promise<vscode.Hover | undefined> {
    const settings = this.settings();
    const classifier = this.deps.active();
    if (!settings.hover || !this.deps.canRun() || classifier === undefined) return undefined;
    const unit = unitAt(this.units.get(document, settings.unit).units, position.line, position.character);
    if (unit === undefined) return undefined;
    const range = new vscode.Range(unit.start.line, unit.start.character, unit.end.line, unit.end.character);
    let explanation = this.explanations.get(classifier.dir, unit.text);
    if (explanation === undefined) {
      try {
        explanation = await this.deps.explain(unit.text, token);
      } catch (e) {
        if (token.isCancellationRequested) return undefined;
        const message = e instanceof Error ? e.message : String(e);
        this.deps.log.error(`Hover explanation with ${classifier.name} failed: ${message}`);
        return new vscode.Hover(new vscode.MarkdownString(`STC Lens could not explain this text: ${escapeMarkdown(message)}`), range);
      }
      // A classifier switched meanwhile explained it: neither show nor keep that under this one.
      if (token.isCancellationRequested || this.deps.active()?.dir !== classifier.dir) return undefined;
      this.explanations.set(classifier.dir, unit.text, explanation);
    }
    const markdown = new vscode.MarkdownString(
      hoverMarkdown({ explanation, classifierName: classifier.name, ...(unit.gold === undefined ? {} : { gold: unit.gold }) }),
    );
    markdown.isTrusted = { enabledCommands: [...HOVER_COMMANDS] };
    markdown.supportHtml = false;
    this.hovered.fire({ document, line: position.line });
    return new vscode.Hover(markdown, range);
  }

  dispose(): void {
    this.hovered.dispose();
  }
}
