// Features of a dataset under a model, from the store when an identical extraction finished
// before, otherwise computed (resuming an interrupted run): tap the graph, open a session on the
// chosen execution provider, run the batches, return the finished store. Either way the stores
// under the root are kept within the size cap. The store comes back leased for reading, so no run's
// pruning deletes it until the caller releases it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { modelMaxLength } from '../model/max-length';
import type { ResolvedModel } from '../model/resolve';
import { openOrtSession, type ExecutionProvider, type ProviderFallback, type SessionSettings } from '../model/session';
import { loadTokenizer } from '../model/tokenizer';
import { blockName, type FeatureBlock } from '../neurons';
import { readModelConfig, tapModel } from '../onnx';
import { REWRITE_VERSION } from '../onnx/cache';
import type { BatchLimits } from './batching';
import { featureStoreKey } from './key';
import { ortBatchRunner } from './ort-runner';
import type { ExtractProgress } from './progress';
import { runExtraction } from './runner';
import { isStoreComplete, openFeatureStore, pruneOutdatedStores, pruneStoreCache, type DeletedStore, type FeatureStore } from './store';
import { leaseForReading } from './store-lock';
import { FeatureStoreWriter } from './store-writer';
import type { TokenEncoder } from './types';

export interface ExtractFeaturesOptions {
  readonly model: ResolvedModel;
  /** Default: the model folder's own tokenizer. */
  readonly encoder?: TokenEncoder;
  readonly texts: readonly string[];
  readonly blocks: readonly FeatureBlock[];
  /** Feature stores live in `{storeRoot}/{key}/`. */
  readonly storeRoot: string;
  /** Cap on the stores under storeRoot, least recently used deleted first (pruneStoreCache); 0 or undefined: no cap. */
  readonly maxStoreBytes?: number;
  /** Rewritten (tapped) graphs are cached here. */
  readonly graphCacheDir: string;
  /** Default: the model's own maximum (see modelMaxLength). */
  readonly maxLength?: number;
  readonly session?: SessionSettings;
  readonly limits?: Partial<BatchLimits>;
  readonly checkpointMs?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: ExtractProgress) => void;
  readonly onFallback?: (f: ProviderFallback) => void;
  /** Stores the size cap deleted, least recently used first; not called when none was. */
  readonly onStoresDeleted?: (deleted: readonly DeletedStore[]) => void;
}

export interface ExtractFeaturesResult {
  readonly store: FeatureStore;
  readonly maxLength: number;
  /** Undefined when the features came from the store without running the model. */
  readonly provider: ExecutionProvider | undefined;
  readonly fallbacks: readonly ProviderFallback[];
  readonly rowsResumed: number;
  readonly batchesRun: number;
  /** Ends this read lease of the store; until then no process's cache pruning deletes it. A
   *  process that exits without calling it leaves a lease that stops counting with it. */
  readonly release: () => void;
}

/** A lease on a finished store, or undefined when there is none to read (never extracted, or
 *  deleted by another run's pruning just now). */
function leaseFinished(dir: string): (() => void) | undefined {
  let release: () => void;
  try {
    release = leaseForReading(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  if (isStoreComplete(dir)) return release;
  release();
  return undefined;
}

export async function extractFeatures(o: ExtractFeaturesOptions): Promise<ExtractFeaturesResult> {
  const maxLength = o.maxLength ?? modelMaxLength(o.model.folder).maxLength;
  if (!Number.isInteger(maxLength) || maxLength < 1) throw new Error(`The maximum length must be a whole number >= 1, got ${maxLength}.`);
  const key = featureStoreKey({ modelSha256: o.model.sha256, texts: o.texts, maxLength, blocks: o.blocks, tapVersion: String(REWRITE_VERSION) });
  const dir = path.join(o.storeRoot, key);
  const pruneCache = () => {
    const deleted = pruneStoreCache(o.storeRoot, { maxBytes: o.maxStoreBytes, keep: dir });
    if (deleted.length > 0) o.onStoresDeleted?.(deleted);
  };
  const reused = leaseFinished(dir);
  if (reused) {
    try {
      // Reading is use: the cap deletes the stores used least recently.
      const now = new Date();
      fs.utimesSync(dir, now, now);
      pruneCache();
      return { store: openFeatureStore(dir), maxLength, provider: undefined, fallbacks: [], rowsResumed: o.texts.length, batchesRun: 0, release: reused };
    } catch (e) {
      reused(); // the caller gets no store to release
      throw e;
    }
  }

  pruneOutdatedStores(o.storeRoot);
  o.onProgress?.({ stage: 'preparing', rowsDone: 0, rowsTotal: o.texts.length, rowsResumed: 0, batchesDone: 0, batchesTotal: 0, tokensPerSecond: undefined, rowsPerSecond: undefined, etaSeconds: undefined });
  const encoder = o.encoder ?? (await loadTokenizer(o.model.folder));
  const tapped = await tapModel({ modelFile: o.model.onnxFile, config: readModelConfig(o.model.folder), blocks: [...o.blocks], cacheDir: o.graphCacheDir });
  const opened = await openOrtSession(tapped.modelPath, o.session ?? {}, { onFallback: o.onFallback, cpuBoundOps: tapped.cpuBoundOps });
  try {
    const writer = FeatureStoreWriter.open(
      dir,
      {
        key,
        rows: o.texts.length,
        blocks: tapped.outputs.map((out) => ({ name: blockName(out.block), dim: out.dim })),
        info: { model: o.model.id, modelSha256: o.model.sha256, onnxFile: path.basename(o.model.onnxFile), maxLength },
      },
      { checkpointMs: o.checkpointMs },
    );
    try {
      // Now that its files exist at their full length, the cap counts this store too.
      pruneCache();
      const result = await runExtraction({
        texts: o.texts,
        encoder,
        maxLength,
        graph: tapped,
        run: await ortBatchRunner(opened.session),
        store: writer,
        limits: o.limits,
        signal: o.signal,
        onProgress: o.onProgress,
      });
      const store = openFeatureStore(dir);
      // Leased while the writer's lock still holds it, so no pruning can slip in between.
      return { store, maxLength, provider: opened.provider, fallbacks: opened.fallbacks, rowsResumed: result.rowsResumed, batchesRun: result.batchesRun, release: leaseForReading(dir) };
    } finally {
      await writer.close();
    }
  } finally {
    await opened.session.release();
  }
}
