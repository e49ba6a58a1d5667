// The `stcLens.*` settings, read in one place with their defaults (package.json describes each).
import * as vscode from 'vscode';
import type { ProviderSetting } from '../core/model/session';

export const SECTION = 'stcLens';

export interface Settings {
  /** Where trained classifiers are saved, relative to the workspace folder (or absolute). */
  readonly modelsDirectory: string;
  /** Base model for training: 'default', a folder, or a hub id. */
  readonly model: string;
  readonly device: ProviderSetting;
  readonly dataInclude: string;
  readonly dataExclude: string;
  readonly maxDataFileMB: number;
  /** Tokens per text; 0: the model's limit. */
  readonly maxLength: number;
  /** Worker threads (ONNX Runtime per operator, training fits); 0: the defaults. */
  readonly threads: number;
  /** Hub model cache; empty: ~/.cache/stc-lens/models. */
  readonly modelCacheDirectory: string;
  /** Cap on the training feature stores, in GB; 0: no cap. */
  readonly featureCacheMaxSizeGB: number;
}

export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration(SECTION);
  return {
    modelsDirectory: c.get<string>('modelsDirectory') || '.stc/models',
    model: c.get<string>('model') || 'default',
    device: c.get<ProviderSetting>('device') ?? 'auto',
    dataInclude: c.get<string>('data.include') || '**/*.{csv,tsv,jsonl,ndjson,json,txt}',
    dataExclude: c.get<string>('data.exclude') ?? '',
    maxDataFileMB: c.get<number>('data.maxFileSizeMB') ?? 256,
    maxLength: c.get<number>('maxLength') ?? 0,
    threads: c.get<number>('threads') ?? 0,
    modelCacheDirectory: c.get<string>('modelCacheDirectory') ?? '',
    featureCacheMaxSizeGB: c.get<number>('featureCache.maxSizeGB') ?? 10,
  };
}

export function affectsSettings(e: vscode.ConfigurationChangeEvent, key?: string): boolean {
  return e.affectsConfiguration(key ? `${SECTION}.${key}` : SECTION);
}
