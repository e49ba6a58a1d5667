// Training a classifier end to end: read the data, resolve the model, extract every candidate
// feature block of all rows into one store, run Sparsify-then-Classify, save the `.stc` folder.
// A cancelled run rejects with an AbortError and saves nothing (the folder at `out` is untouched).
import * as path from 'node:path';
import { saveClassifier, type SavedClassifier } from '../artifact';
import { citedRows } from '../artifact/examples';
import { extractFeatures } from '../extract';
import { readBlock } from '../extract/store';
import { modelMaxLength } from '../model/max-length';
import { resolveModel } from '../model/resolve';
import { describeFallback, type ExecutionProvider, type ProviderSetting } from '../model/session';
import { blockName, type Kind, type Pooling } from '../neurons';
import { readModelConfig } from '../onnx';
import { StcAbortError, blocksRead, cellName, trainStc, type FeatureSource, type MetricChoice } from '../stc';
import { loadTrainRows } from './train-data';

export interface TrainOptions {
  readonly train: string;
  readonly dev?: string;
  readonly test?: string;
  readonly textColumn?: string;
  readonly labelColumn?: string;
  /** 'default' (the embedded model), a model folder, or a hub id. */
  readonly model?: string;
  /** Download a hub model missing from the cache. */
  readonly allowRemote?: boolean;
  /** Where hub models are cached; default the model cache (see resolveModel). */
  readonly modelCacheDir?: string;
  readonly device?: ProviderSetting;
  /** Tokens per text; default the model's own maximum. */
  readonly maxLength?: number;
  readonly kinds?: Kind[];
  readonly poolings?: Pooling[];
  readonly metric?: MetricChoice;
  /** trainStc's `refit` (default true): false ships the train-only fit validation chose. */
  readonly refit?: boolean;
  /** trainStc's `ensemble` (default 3): configurations the classifier averages; 1 ships the best. */
  readonly ensemble?: number;
  /** Worker threads of the fits (trainStc's `threads`). */
  readonly threads?: number;
  /** The `.stc` folder to write. */
  readonly out: string;
  readonly name?: string;
  /** Feature stores (`features/`) and rewritten graphs (`graphs/`) live here. */
  readonly workDir: string;
  /** Cap on the feature stores in `features/`, least recently used deleted first; 0 or undefined: no cap. */
  readonly maxFeatureCacheBytes?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: TrainProgress) => void;
  readonly onLog?: (line: string) => void;
}

export interface TrainProgress {
  readonly stage: 'loading' | 'model' | 'extracting' | 'probe' | 'aggregate' | 'baseline' | 'test' | 'saving';
  /** Units of the stage: data files (loading); bytes of the file `item` while a hub model
   *  downloads, then 1 of 1 (model); rows (extracting); fits and scorings as trainStc counts them
   *  (probe, aggregate, baseline, test); 1 (saving). `total` is 0 when unknown. */
  readonly done: number;
  readonly total: number;
  readonly rowsPerSecond?: number;
  readonly etaSeconds?: number;
  readonly item?: string;
}

export interface TrainResult {
  readonly saved: SavedClassifier;
  /** Data, provider and training warnings, in that order. */
  readonly warnings: string[];
  /** Undefined when the features came from an earlier run's store. */
  readonly provider?: ExecutionProvider;
}

function diskSize(bytes: number): string {
  return bytes < 1e9 ? `${Math.round(bytes / 1e6)} MB` : `${Number((bytes / 1e9).toFixed(1))} GB`;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new StcAbortError();
}

export async function trainClassifier(o: TrainOptions): Promise<TrainResult> {
  const progress = (p: TrainProgress) => o.onProgress?.(p);
  const log = (line: string) => o.onLog?.(line);
  const warnings: string[] = [];
  const warn = (w: string) => {
    warnings.push(w);
    log(`warning: ${w}`);
  };
  throwIfAborted(o.signal);

  progress({ stage: 'loading', done: 0, total: [o.train, o.dev, o.test].filter((f) => f !== undefined).length, item: o.train });
  const data = await loadTrainRows(o, (done, total, file) => progress({ stage: 'loading', done, total, item: file }));
  data.summary.forEach(log);
  data.warnings.forEach(warn);
  throwIfAborted(o.signal);

  const spec = o.model ?? 'default';
  progress({ stage: 'model', done: 0, total: 1, item: spec });
  const model = await resolveModel(spec, {
    allowRemote: o.allowRemote ?? false,
    ...(o.modelCacheDir ? { cacheDir: o.modelCacheDir } : {}),
    // A hub model's download, file by file, in bytes (total 0 while the size is unknown).
    onDownload: (d) => progress({ stage: 'model', done: d.loaded, total: d.total ?? 0, item: d.file }),
  });
  const config = readModelConfig(model.folder);
  const maxLength = o.maxLength ?? modelMaxLength(model.folder).maxLength;
  progress({ stage: 'model', done: 1, total: 1, item: model.id });
  log(`model: ${model.id} (${config.numLayers} blocks, ${path.relative(model.folder, model.onnxFile)}), max length ${maxLength} tokens`);
  throwIfAborted(o.signal);

  const blocks = blocksRead(config.numLayers, o.kinds, o.poolings);
  const extracted = await extractFeatures({
    model,
    texts: data.texts,
    blocks,
    storeRoot: path.join(o.workDir, 'features'),
    maxStoreBytes: o.maxFeatureCacheBytes,
    graphCacheDir: path.join(o.workDir, 'graphs'),
    maxLength,
    session: { provider: o.device ?? 'auto' },
    signal: o.signal,
    onProgress: (p) => progress({ stage: 'extracting', done: p.rowsDone, total: p.rowsTotal, rowsPerSecond: p.rowsPerSecond, etaSeconds: p.etaSeconds }),
    // Under `auto` a missing or unsuited GPU provider is the expected path, not news; a named device
    // that could not be used, or is slow for this model, is.
    onFallback: (f) => (o.device && o.device !== 'auto' ? warn : log)(`execution provider ${describeFallback(f)}`),
    onStoresDeleted: (deleted) => {
      const bytes = deleted.reduce((sum, d) => sum + d.bytes, 0);
      const since = deleted.at(-1)?.lastUsed.toISOString().slice(0, 10);
      log(`feature cache: deleted ${deleted.length} store${deleted.length === 1 ? '' : 's'} (${diskSize(bytes)}) not used since ${since}, cap ${diskSize(o.maxFeatureCacheBytes ?? 0)}`);
    },
  });
  log(extracted.provider ? `features: ${blocks.length} blocks of ${data.texts.length} rows extracted on ${extracted.provider}` : `features: reused ${extracted.store.dir}`);
  const { store } = extracted;
  const source: FeatureSource = { numLayers: config.numLayers, read: (block) => readBlock(store, blockName(block)) };

  // Leased from extraction until training has read what it needs.
  const report = await trainStc(
    {
      source,
      splits: data.splits,
      y: data.y,
      classes: data.classes,
      model: { id: model.id, sha256: model.sha256, source: model.source, onnxFile: path.relative(model.folder, model.onnxFile).split(path.sep).join('/'), maxLength },
      devSource: data.devSource,
    },
    {
      kinds: o.kinds,
      poolings: o.poolings,
      metric: o.metric,
      refit: o.refit,
      ensemble: o.ensemble,
      threads: o.threads,
      signal: o.signal,
      onProgress: (p) => progress({ stage: p.stage, done: p.done, total: p.total, item: p.item }),
    },
  ).finally(extracted.release);
  report.warnings.forEach(warn);
  const { ensemble } = report;
  const configurations = ensemble.members.map(cellName).join('; ');
  const neurons = report.classifier.neurons.length;
  log(
    `chosen: ${ensemble.members.length === 1 ? configurations : `the average of ${configurations} (exit k = ${ensemble.k})`}, ${neurons} neuron${neurons === 1 ? '' : 's'}, validation ${report.settings.metric} ${ensemble.valScore.toFixed(4)}`,
  );
  if (report.classifier.neurons.length === 0) {
    // An intercept-only classifier says the same label for every text and cannot be explained or
    // run early: refuse it rather than save something unusable.
    throw new Error(
      `No neuron separates the labels on validation: the best classifier found predicts the same label for every text, so nothing was saved to ${o.out}. ` +
        'Check that the label column is the one you meant and that the texts say something about the labels; more training examples help.',
    );
  }
  // Cancelling after this point would race the rename; saving takes a moment, so it finishes.
  throwIfAborted(o.signal);

  progress({ stage: 'saving', done: 0, total: 1, item: o.out });
  const examples = citedRows(report).map((row) => ({ row, text: data.texts[row] as string, label: data.classes[data.y[row] as number] as string }));
  const saved = await saveClassifier(o.out, { report, model, config, maxLength, examples, name: o.name });
  progress({ stage: 'saving', done: 1, total: 1, item: saved.dir });
  log(`saved ${saved.dir}`);
  return { saved, warnings, provider: extracted.provider };
}
