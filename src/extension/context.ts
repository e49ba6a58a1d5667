// The one context every feature module receives: the worker, the log, the settings, workspace
// trust, and the active classifier with its change event. Features register their own commands
// and views around it (the structure of rust-analyzer's editors/code).
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ClassifierManifest } from '../core/artifact/types';
import type { Explanation } from '../core/explain/types';
import { describeFallback, type ExecutionProvider } from '../core/model/session';
import { EXPLAIN, LOAD_CLASSIFIER, UNLOAD_CLASSIFIER } from '../worker/protocol';
import { affectsSettings, readSettings, type Settings } from './settings';
import { WorkerClient } from './worker-client';

export interface ActiveClassifier {
  /** Absolute path of the `.stc` folder. */
  readonly dir: string;
  readonly manifest: ClassifierManifest;
  /** The device the worker runs it on (after any fallback to the CPU). */
  readonly provider: ExecutionProvider;
}

const ACTIVE_KEY = 'stc.activeClassifier';
/** Neurons an explanation places on the tokens (the hover shows the first few). */
const EXPLAIN_TOP = 5;

export class StcContext implements vscode.Disposable {
  readonly log: vscode.LogOutputChannel;
  readonly worker: WorkerClient;
  private activeValue: ActiveClassifier | undefined;
  private readonly activeChanged = new vscode.EventEmitter<ActiveClassifier | undefined>();
  /** Fires when the active classifier changes (set, retrained, cleared). */
  readonly onDidChangeActive = this.activeChanged.event;
  private readonly classifiersChanged = new vscode.EventEmitter<void>();
  /** Fires when classifiers were saved or deleted. */
  readonly onDidChangeClassifiers = this.classifiersChanged.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(readonly extension: vscode.ExtensionContext) {
    this.log = vscode.window.createOutputChannel('STC Lens', { log: true });
    this.worker = new WorkerClient(extension.asAbsolutePath('dist/worker.js'), this.log, () => ({
      graphCacheDir: path.join(this.storageDir, 'graphs'),
      modelCacheDir: this.settings.modelCacheDirectory || undefined,
      threads: this.settings.threads,
    }));
    this.disposables.push(
      this.log,
      this.worker,
      this.activeChanged,
      this.classifiersChanged,
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (affectsSettings(e, 'device') && this.activeValue) void this.reloadActive();
        if (affectsSettings(e, 'modelsDirectory')) this.classifiersChanged.fire();
        if (affectsSettings(e, 'threads') || affectsSettings(e, 'modelCacheDirectory')) void this.worker.stop();
      }),
    );
  }

  get settings(): Settings {
    return readSettings();
  }

  get trusted(): boolean {
    return vscode.workspace.isTrusted;
  }

  get active(): ActiveClassifier | undefined {
    return this.activeValue;
  }

  /** The active classifier's folder, for the worker requests features make only while one is active. */
  activeDir(): string {
    const active = this.activeValue;
    if (!active) throw new Error('no active STC classifier');
    return active.dir;
  }

  /** Explains one text with the active classifier, on the device setting. */
  explainActive(text: string, token?: vscode.CancellationToken): Promise<Explanation> {
    return this.worker.request(EXPLAIN, { dir: this.activeDir(), device: this.settings.device, text, top: EXPLAIN_TOP }, token);
  }

  /** Per-workspace storage for feature stores and compiled graphs (global storage without a folder). */
  get storageDir(): string {
    return (this.extension.storageUri ?? this.extension.globalStorageUri).fsPath;
  }

  /** The classifiers folder of each workspace folder. */
  modelsDirectories(): { folder: vscode.WorkspaceFolder; dir: string }[] {
    const setting = this.settings.modelsDirectory;
    return (vscode.workspace.workspaceFolders ?? []).map((folder) => ({
      folder,
      dir: path.isAbsolute(setting) ? setting : path.join(folder.uri.fsPath, setting),
    }));
  }

  /**
   * Says why an action is refused in an untrusted workspace and returns false there; `action`
   * completes "STC Lens does not ... in an untrusted workspace".
   */
  requireTrust(action: string): boolean {
    if (this.trusted) return true;
    void vscode.window
      .showWarningMessage(
        `STC Lens does not ${action} in an untrusted workspace: classifiers, models and data files from an untrusted folder could run code or exhaust the machine. Trust the workspace to use them.`,
        'Manage Workspace Trust',
      )
      .then((choice) => {
        if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
      });
    return false;
  }

  /** Opens the classifier in the worker and makes it the active one (remembered per workspace). */
  async setActive(dir: string): Promise<ActiveClassifier> {
    const reply = await this.worker.request(LOAD_CLASSIFIER, { dir, device: this.settings.device });
    // With 'auto', trying providers that are not there or do not suit the model is expected: only
    // the log hears of it.
    const asked = this.settings.device;
    for (const f of reply.fallbacks) {
      const line = `${describeFallback(f)}; ${reply.manifest.name} runs on ${reply.provider}`;
      this.log.info(line);
      if (asked !== 'auto') void vscode.window.showWarningMessage(`STC Lens: ${line}.`);
    }
    this.activeValue = { dir, manifest: reply.manifest, provider: reply.provider };
    await this.extension.workspaceState.update(ACTIVE_KEY, dir);
    this.activeChanged.fire(this.activeValue);
    return this.activeValue;
  }

  async clearActive(): Promise<void> {
    const dir = this.activeValue?.dir;
    this.activeValue = undefined;
    await this.extension.workspaceState.update(ACTIVE_KEY, undefined);
    this.activeChanged.fire(undefined);
    if (dir) await this.worker.request(UNLOAD_CLASSIFIER, { dir }).catch(() => undefined);
  }

  /** Makes the classifier remembered for this workspace active again; quietly forgets a missing one. */
  async restoreActive(): Promise<void> {
    const dir = this.extension.workspaceState.get<string>(ACTIVE_KEY);
    if (!dir || !this.trusted || this.activeValue) return;
    try {
      await this.setActive(dir);
    } catch (error) {
      this.log.warn(`the classifier active last time (${dir}) could not be opened: ${message(error)}`);
    }
  }

  /** The saved classifiers changed on disk (trained, deleted): views refresh. */
  fireClassifiersChanged(): void {
    this.classifiersChanged.fire();
  }

  private async reloadActive(): Promise<void> {
    const dir = this.activeValue?.dir;
    if (!dir) return;
    try {
      await this.setActive(dir);
    } catch (error) {
      void vscode.window.showErrorMessage(`STC Lens: could not reopen ${path.basename(dir)}: ${message(error)}`);
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

export function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
