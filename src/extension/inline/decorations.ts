// Draws each visible document's labels: debounced after edits and scrolls, units in view first,
// cached predictions at once, the rest in batches, a newer run cancelling the older one.
import * as vscode from 'vscode';
import type { ResultCache } from './cache';
import type { InlineClassifier, InlineDeps } from './deps';
import type { DocumentUnits } from './document-units';
import { escapeMarkdown } from './markdown';
import { inlineText, labelColour } from './palette';
import { inlineLabels, planUnits } from './plan';
import type { InlineLabel, LineSpan, UnitPrediction } from './plan';
import { appliesTo } from './settings';
import type { InlineSettings } from './settings';
import type { Unit } from './units';

/** Texts per classify request: the first batch (units in view) shows quickly, and a cancelled run
 *  stops within one batch. */
const BATCH = 32;

interface DocumentRun {
  timer?: ReturnType<typeof setTimeout>;
  cancel?: vscode.CancellationTokenSource;
  labels: readonly InlineLabel[];
}

export class InlineDecorations implements vscode.Disposable {
  private readonly labelType = vscode.window.createTextEditorDecorationType({
    after: { margin: '0 0 0 2em', fontStyle: 'italic' },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  private readonly mismatchType = vscode.window.createTextEditorDecorationType({
    isWholeLine: true,
    backgroundColor: new vscode.ThemeColor('stcLens.mismatchBackground'),
    overviewRulerColor: new vscode.ThemeColor('editorWarning.foreground'),
    overviewRulerLane: vscode.OverviewRulerLane.Right,
  });
  private readonly runs = new Map<string, DocumentRun>();
  /** Documents whose over-the-limit notice was shown (once per document and session). */
  private readonly noticed = new Set<string>();
  private lastError: string | undefined;
  private errorShown = false;

  constructor(
    private readonly deps: InlineDeps,
    private readonly units: DocumentUnits,
    private readonly cache: ResultCache<UnitPrediction>,
    private readonly settings: () => InlineSettings,
  ) {}

  /** Labels drawn in a document. */
  labelsFor(uri: vscode.Uri): readonly InlineLabel[] {
    return this.runs.get(uri.toString())?.labels ?? [];
  }

  /** Re-labels a document after the debounce (0: at once). */
  schedule(document: vscode.TextDocument, delay = this.settings().debounceMs): void {
    const run = this.runFor(document.uri);
    clearTimeout(run.timer);
    run.timer = setTimeout(() => void this.start(document), delay);
  }

  /** Re-labels every visible document now; resolves when done. */
  async refreshVisible(): Promise<void> {
    const documents = new Set(vscode.window.visibleTextEditors.map((e) => e.document));
    await Promise.all([...documents].map((d) => this.start(d)));
  }

  scheduleVisible(delay?: number): void {
    for (const document of new Set(vscode.window.visibleTextEditors.map((e) => e.document))) this.schedule(document, delay);
  }

  /** Removes every label and stops every run (feature off, classifier changed, settings changed). */
  clearAll(): void {
    for (const [key, run] of this.runs) {
      this.stop(run);
      run.labels = [];
      this.draw(key, []);
    }
  }

  forget(uri: vscode.Uri): void {
    const key = uri.toString();
    const run = this.runs.get(key);
    if (run !== undefined) this.stop(run);
    this.runs.delete(key);
    this.noticed.delete(key);
  }

  dispose(): void {
    for (const run of this.runs.values()) this.stop(run);
    this.runs.clear();
    this.labelType.dispose();
    this.mismatchType.dispose();
  }

  private runFor(uri: vscode.Uri): DocumentRun {
    const key = uri.toString();
    let run = this.runs.get(key);
    if (run === undefined) {
      run = { labels: [] };
      this.runs.set(key, run);
    }
    return run;
  }

  private stop(run: DocumentRun): void {
    clearTimeout(run.timer);
    run.cancel?.cancel();
    run.cancel?.dispose();
    run.cancel = undefined;
  }

  private start(document: vscode.TextDocument): Promise<void> {
    const run = this.runFor(document.uri);
    this.stop(run);
    const cancel = new vscode.CancellationTokenSource();
    run.cancel = cancel;
    return this.label(document, run, cancel.token).finally(() => {
      if (run.cancel === cancel) {
        run.cancel = undefined;
        cancel.dispose();
      }
    });
  }

  private async label(document: vscode.TextDocument, run: DocumentRun, token: vscode.CancellationToken): Promise<void> {
    const settings = this.settings();
    const classifier = this.deps.active();
    const key = document.uri.toString();
    const visible = this.visibleLines(key);
    if (visible.length === 0) return; // labelled again when it comes into view
    if (!settings.enabled || !this.deps.canRun() || classifier === undefined || !appliesTo(settings, document) || document.isClosed) {
      run.labels = [];
      this.draw(key, []);
      return;
    }
    const { units, problem } = this.units.get(document, settings.unit);
    if (problem !== undefined) this.deps.log.debug(`Inline labels: ${document.uri.fsPath} is not read as a table: ${problem}`);
    const plan = planUnits(units, visible, settings.maxUnits, (t) => this.cache.get(classifier.dir, t) !== undefined);
    if (plan.overLimit > 0) this.noticeLimit(document, units.length, settings.maxUnits);
    this.show(key, run, plan.units, classifier);
    for (let i = 0; i < plan.pending.length; i += BATCH) {
      const batch = plan.pending.slice(i, i + BATCH);
      let predictions: UnitPrediction[];
      try {
        predictions = await this.deps.classify(batch, token);
      } catch (e) {
        if (!token.isCancellationRequested) this.reportError(classifier, e);
        return;
      }
      if (token.isCancellationRequested || this.deps.active()?.dir !== classifier.dir) return;
      batch.forEach((text, j) => {
        const p = predictions[j];
        if (p !== undefined) this.cache.set(classifier.dir, text, p);
      });
      this.show(key, run, plan.units, classifier);
    }
  }

  private show(key: string, run: DocumentRun, units: readonly Unit[], classifier: InlineClassifier): void {
    run.labels = inlineLabels(units, (t) => this.cache.get(classifier.dir, t), classifier.labels);
    this.draw(key, run.labels);
  }

  private draw(key: string, labels: readonly InlineLabel[]): void {
    const hoverOff = !this.settings().hover;
    const texts: vscode.DecorationOptions[] = labels.map((l) => {
      const at = new vscode.Position(l.line, l.character);
      return {
        range: new vscode.Range(at, at),
        renderOptions: {
          after: { contentText: inlineText(l.label, l.confidence, l.mismatch ? l.gold : undefined), color: new vscode.ThemeColor(labelColour(l.labelIndex)) },
        },
      };
    });
    const mismatches: vscode.DecorationOptions[] = labels
      .filter((l) => l.mismatch)
      .map((l) => ({
        range: new vscode.Range(l.startLine, 0, l.line, l.character),
        // The hover provider says this (with the explanation) unless hovers are off.
        ...(hoverOff ? { hoverMessage: mismatchNote(l) } : {}),
      }));
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document.uri.toString() !== key) continue;
      editor.setDecorations(this.labelType, texts);
      editor.setDecorations(this.mismatchType, mismatches);
    }
  }

  private visibleLines(key: string): LineSpan[] {
    return vscode.window.visibleTextEditors
      .filter((e) => e.document.uri.toString() === key)
      .flatMap((e) => e.visibleRanges.map((r) => ({ start: r.start.line, end: r.end.line })));
  }

  private noticeLimit(document: vscode.TextDocument, units: number, maxUnits: number): void {
    const key = document.uri.toString();
    if (this.noticed.has(key)) return;
    this.noticed.add(key);
    const name = document.uri.path.split('/').pop() ?? key;
    void vscode.window
      .showInformationMessage(
        `STC Lens labels ${maxUnits} of the ${units} units in ${name}, those in view first. ` +
          'Raise the "stcLens.inline.maxUnits" setting to label more.',
        'Open Setting',
      )
      .then((choice) => {
        if (choice !== undefined) void vscode.commands.executeCommand('workbench.action.openSettings', 'stcLens.inline.maxUnits');
      });
  }

  /** Logged when it changes (a dead worker fails every run the same way); shown once a session. */
  private reportError(classifier: InlineClassifier, e: unknown): void {
    const message = e instanceof Error ? e.message : String(e);
    if (message !== this.lastError) this.deps.log.error(`Inline labels with ${classifier.name} failed: ${message}`);
    this.lastError = message;
    if (this.errorShown) return;
    this.errorShown = true;
    void vscode.window
      .showWarningMessage(`STC Lens could not label the text with "${classifier.name}": ${message}`, 'Show Log')
      .then((choice) => {
        if (choice !== undefined) this.deps.log.show();
      });
  }
}

function mismatchNote(l: InlineLabel): vscode.MarkdownString {
  return new vscode.MarkdownString(
    `STC Lens predicts **${escapeMarkdown(l.label)}**; the gold label is **${escapeMarkdown(l.gold ?? '')}**: a possible labelling error.`,
  );
}
