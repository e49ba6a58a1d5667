// Running one training in the worker behind a cancellable progress notification, then making the
// result the active classifier and saying how it scored against the baseline.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ClassificationMetrics } from '../../core/learn/metrics';
import type { ProviderSetting } from '../../core/model/session';
import type { BaselineName } from '../../core/stc/report';
import type { TrainProgress } from '../../core/workflow/train';
import { TRAIN, type TrainReply } from '../../worker/protocol';
import { message, type StcContext } from '../context';
import { CancelledError } from '../worker-client';

export interface TrainRequest {
  readonly train: string;
  readonly dev?: string;
  readonly test?: string;
  readonly textColumn?: string;
  readonly labelColumn?: string;
  /** 'default' | folder | hub id. */
  readonly model: string;
  readonly allowRemote: boolean;
  readonly device: ProviderSetting;
  /** The classifier's name: it is saved as `<models directory>/<name>.stc`. */
  readonly name: string;
  /** The workspace folder whose models directory receives it; default: the first. */
  readonly folder?: vscode.WorkspaceFolder;
}

const STAGE_TITLES: Record<TrainProgress['stage'], string> = {
  loading: 'Reading the data',
  model: 'Loading the model',
  extracting: 'Extracting neuron activations',
  probe: 'Probing layers',
  aggregate: 'Aggregating layers',
  baseline: 'Training baselines',
  test: 'Scoring the test split',
  saving: 'Saving',
};

/** Share of the bar where each stage starts; extraction dominates the time. */
const STAGE_START: Record<TrainProgress['stage'], number> = {
  loading: 0,
  model: 2,
  extracting: 5,
  probe: 60,
  aggregate: 82,
  baseline: 92,
  test: 96,
  saving: 99,
};
const STAGE_ORDER = Object.keys(STAGE_START) as TrainProgress['stage'][];

export function classifierFolder(ctx: StcContext, name: string, folder?: vscode.WorkspaceFolder): string {
  const dirs = ctx.modelsDirectories();
  const target = dirs.find((d) => d.folder === folder) ?? dirs[0];
  if (!target) throw new Error('open a folder first: STC Lens saves classifiers inside the workspace');
  return path.join(target.dir, `${name}.stc`);
}

/** Trains, saves and activates; undefined when the user cancelled or the workspace is untrusted.
 *  Rejects when training failed (logged; the caller tells the user). */
export async function runTraining(ctx: StcContext, request: TrainRequest): Promise<TrainReply | undefined> {
  if (!ctx.requireTrust('train')) return undefined;
  const out = classifierFolder(ctx, request.name, request.folder);
  const settings = ctx.settings;
  const columns = [request.textColumn && `text column "${request.textColumn}"`, request.labelColumn && `label column "${request.labelColumn}"`].filter(Boolean);
  ctx.log.info(
    `training ${request.name}: train ${request.train}${request.dev ? `, dev ${request.dev}` : ''}${request.test ? `, test ${request.test}` : ''}` +
      `${columns.length > 0 ? ` (${columns.join(', ')})` : ''}; model ${request.model}; device ${request.device}; saving to ${out}`,
  );
  let reply: TrainReply;
  try {
    reply = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `STC: training ${request.name}`, cancellable: true },
      async (progress, token) => {
        let shown = 0;
        let downloading: string | undefined;
        const job = ctx.worker.trackJob<TrainProgress>((p) => {
          if (isDownload(p) && p.item !== downloading) {
            downloading = p.item;
            ctx.log.info(`training ${request.name}: downloading ${p.item ?? 'a file'} of ${request.model}${p.total > 0 ? ` (${megabytes(p.total)} MB)` : ''}`);
          }
          const percent = overallPercent(p);
          progress.report({ message: describeProgress(p), increment: Math.max(0, percent - shown) });
          shown = Math.max(shown, percent);
        });
        try {
          return await ctx.worker.request(
            TRAIN,
            {
              job: job.job,
              train: request.train,
              dev: request.dev,
              test: request.test,
              textColumn: request.textColumn,
              labelColumn: request.labelColumn,
              model: request.model,
              allowRemote: request.allowRemote,
              device: request.device,
              maxLength: settings.maxLength > 0 ? settings.maxLength : undefined,
              out,
              name: request.name,
              workDir: path.join(ctx.storageDir, 'work'),
              maxFeatureCacheBytes: settings.featureCacheMaxSizeGB * 1e9,
            },
            token,
          );
        } finally {
          job.dispose();
        }
      },
    );
  } catch (error) {
    if (error instanceof CancelledError) {
      ctx.log.info(`training ${request.name}: cancelled`);
      void vscode.window.showInformationMessage(`STC: training ${request.name} was cancelled; nothing was saved.`);
      return undefined;
    }
    ctx.log.error(`training ${request.name} failed: ${message(error)}`);
    throw error;
  }
  for (const w of reply.warnings) ctx.log.warn(`training ${request.name}: ${w}`);
  ctx.fireClassifiersChanged();
  await ctx.setActive(reply.dir);
  const summary = scoreSummary(reply);
  ctx.log.info(`training ${request.name}: saved ${reply.dir}; ${summary}`);
  void vscode.window.showInformationMessage(`STC: ${request.name} is trained and active. ${summary}`, 'Open Layer Explorer', 'Show Log').then((choice) => {
    if (choice === 'Open Layer Explorer') void vscode.commands.executeCommand('stc.openLayerExplorer');
    if (choice === 'Show Log') ctx.log.show();
  });
  return reply;
}

function overallPercent(p: TrainProgress): number {
  const i = STAGE_ORDER.indexOf(p.stage);
  const start = STAGE_START[p.stage];
  const next = i + 1 < STAGE_ORDER.length ? STAGE_START[STAGE_ORDER[i + 1]!] : 100;
  const fraction = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
  return start + (next - start) * fraction;
}

/** During 'model', counts above one are the bytes of a hub download. */
function isDownload(p: TrainProgress): boolean {
  return p.stage === 'model' && p.total > 1;
}

function megabytes(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(1);
}

function describeProgress(p: TrainProgress): string {
  if (isDownload(p)) return `Downloading the model ${megabytes(p.done)}/${megabytes(p.total)} MB${p.item ? ` · ${p.item}` : ''}`;
  const parts = [`${STAGE_TITLES[p.stage]}${p.total > 1 ? ` ${p.done}/${p.total}` : ''}`];
  if (p.rowsPerSecond !== undefined) parts.push(`${p.rowsPerSecond.toFixed(p.rowsPerSecond < 10 ? 1 : 0)} rows/s`);
  if (p.etaSeconds !== undefined) parts.push(`ETA ${formatSeconds(p.etaSeconds)}`);
  if (p.item) parts.push(p.item);
  return parts.join(' · ');
}

function formatSeconds(s: number): string {
  if (s < 60) return `${Math.ceil(s)} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${Math.round(s % 60)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** "Test accuracy 0.912, baseline 0.874 (last layer, mean-pooled); 42 neurons." */
export function scoreSummary(reply: Pick<TrainReply, 'manifest' | 'baseline'>): string {
  const { metrics, classifier } = reply.manifest;
  const metric = metrics.metric === 'macroF1' ? 'macro-F1' : metrics.metric;
  const count = classifier.neurons.length;
  const neurons = `${count} neuron${count === 1 ? '' : 's'}`;
  if (!metrics.test) return `Validation ${metric} ${metrics.validation.toFixed(3)} (no test file); ${neurons}.`;
  const b = reply.baseline;
  const baseline = b ? `, baseline ${score(b.test, metrics.metric).toFixed(3)} (${BASELINE_TITLES[b.name]}, ${b.block})` : '';
  return `Test ${metric} ${score(metrics.test, metrics.metric).toFixed(3)}${baseline}; ${neurons}.`;
}

const BASELINE_TITLES: Record<BaselineName, string> = {
  'last-hid-mean': 'last layer, mean-pooled',
  'last-hid-single': 'last layer, one token',
  'best-probe': 'best single layer',
};

function score(m: ClassificationMetrics, metric: string): number {
  return metric === 'accuracy' ? m.accuracy : m.macroF1;
}
