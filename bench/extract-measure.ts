// One timed extraction run of the engine, the unit every extraction benchmark is made of: all
// blocks into a fresh feature store (`tapped`), or, as a diagnostic, the model's own untapped graph
// on the same batches (`plain`). Timing starts when tokenisation starts and ends when the features
// are in the store, as extract_torch.py times its side; tapping, tokenizer load and session start
// are measured apart.
import * as path from 'node:path';
import { loadDataset } from '../src/core/data';
import { extractFeatures } from '../src/core/extract';
import { DEFAULT_BATCH_LIMITS, planAllRows, type BatchLimits } from '../src/core/extract/batching';
import { buildFeeds } from '../src/core/extract/feeds';
import { ortBatchRunner } from '../src/core/extract/ort-runner';
import type { TokenEncoder } from '../src/core/extract/types';
import { modelMaxLength } from '../src/core/model/max-length';
import type { ResolvedModel } from '../src/core/model/resolve';
import { openOrtSession, type ExecutionProvider, type ProviderFallback, type SessionSettings } from '../src/core/model/session';
import { loadTokenizer } from '../src/core/model/tokenizer';
import { allBlocks } from '../src/core/neurons';
import { readModelConfig, tapModel, type TappedGraph } from '../src/core/onnx';
import { paddedFlops, realFlops, type PaddedBatch } from './extract-flops';

export type RunMode = 'tapped' | 'plain';

export interface MeasureOptions {
  readonly model: ResolvedModel;
  readonly texts: readonly string[];
  readonly mode: RunMode;
  /** Fresh folder: the graph cache and the feature store go under it. */
  readonly workDir: string;
  readonly session: SessionSettings;
  readonly limits?: Partial<BatchLimits>;
}

export interface Measurement {
  readonly mode: RunMode;
  readonly onnxFile: string;
  readonly provider: ExecutionProvider | undefined;
  readonly fallbacks: readonly ProviderFallback[];
  readonly rows: number;
  /** Real tokens, special tokens included, padding excluded. */
  readonly tokens: number;
  readonly paddedTokens: number;
  readonly batches: number;
  readonly blocks: number;
  readonly maxLength: number;
  /** Tokenisation start to features stored (the figure compared with PyTorch). */
  readonly seconds: number;
  readonly tokenizeSeconds: number;
  /** Rewriting the graph with a cold cache (one-off: cached on disk afterwards). */
  readonly tapSeconds: number;
  /** Tokenizer load and ONNX Runtime session start (graph optimisation included). */
  readonly setupSeconds: number;
  /** Tapped mode: from the last batch stored to the store marked complete (rewriting every block
   *  in dataset order, with fsync); part of `seconds`. */
  readonly finishSeconds: number;
  readonly flopsPadded: number;
  readonly flopsReal: number;
  /** Token count of every row, in dataset order. */
  readonly lengths: number[];
  /** Tapped mode: the finished store (in workDir). */
  readonly storeDir: string | undefined;
}

const now = (): number => performance.now() / 1000;

export async function readTexts(file: string, limit: number | undefined): Promise<string[]> {
  const texts = [...(await loadDataset(file)).texts];
  return limit === undefined ? texts : texts.slice(0, limit);
}

/** The tokenizer, timing its calls and keeping each row's token count. */
class TimedEncoder implements TokenEncoder {
  firstCallAt: number | undefined;
  seconds = 0;
  readonly lengths: number[] = [];
  readonly padTokenId: number | undefined;
  readonly emptyTextTokenId: number | undefined;

  constructor(private readonly inner: TokenEncoder) {
    this.padTokenId = inner.padTokenId;
    this.emptyTextTokenId = inner.emptyTextTokenId;
  }

  async encode(texts: readonly string[], maxLength: number): Promise<{ ids: number[][]; typeIds?: number[][] }> {
    const start = now();
    this.firstCallAt ??= start;
    const encoded = await this.inner.encode(texts, maxLength);
    this.seconds += now() - start;
    // An empty row runs as one stand-in token (see runner.ts).
    for (const ids of encoded.ids) this.lengths.push(Math.max(1, ids.length));
    return { ids: encoded.ids, ...(encoded.typeIds && { typeIds: encoded.typeIds }) };
  }
}

/** The batches the runner makes of these lengths (same planner, same limits). */
function enginePlan(lengths: readonly number[], limits: BatchLimits, masked: boolean): PaddedBatch[] {
  return planAllRows(lengths, limits, !masked).batches.map((b) => ({ rows: b.to - b.from, paddedLength: b.paddedLength }));
}

export async function measureExtraction(o: MeasureOptions): Promise<Measurement> {
  const config = readModelConfig(o.model.folder);
  const blocks = allBlocks(config.numLayers);
  const maxLength = modelMaxLength(o.model.folder).maxLength;
  const limits = { ...DEFAULT_BATCH_LIMITS, ...o.limits };
  const graphCacheDir = path.join(o.workDir, 'graphs');

  let t = now();
  const tapped = await tapModel({ modelFile: o.model.onnxFile, config, blocks, cacheDir: graphCacheDir });
  const tapSeconds = now() - t;

  t = now();
  const encoder = new TimedEncoder(await loadTokenizer(o.model.folder));
  let run: { provider: ExecutionProvider | undefined; fallbacks: readonly ProviderFallback[]; storeDir: string | undefined; setupSeconds: number };
  let lastBatchAt: number | undefined;
  let doneAt: number | undefined;
  if (o.mode === 'tapped') {
    const result = await extractFeatures({
      model: o.model,
      encoder,
      texts: o.texts,
      blocks,
      storeRoot: path.join(o.workDir, 'store'),
      graphCacheDir,
      maxLength,
      session: o.session,
      limits,
      onProgress: (p) => {
        if (p.stage === 'extracting' && p.batchesDone === p.batchesTotal) lastBatchAt = now();
        if (p.stage === 'done') doneAt = now();
      },
    });
    run = { provider: result.provider, fallbacks: result.fallbacks, storeDir: result.store.dir, setupSeconds: (encoder.firstCallAt ?? t) - t };
  } else {
    const opened = await openOrtSession(o.model.onnxFile, o.session);
    const setupSeconds = now() - t;
    try {
      await runPlainGraph(opened.session, tapped, encoder, o.texts, maxLength, limits);
    } finally {
      await opened.session.release();
    }
    run = { provider: opened.provider, fallbacks: opened.fallbacks, storeDir: undefined, setupSeconds };
  }
  const seconds = now() - (encoder.firstCallAt ?? t);

  const plan = enginePlan(encoder.lengths, limits, tapped.masked);
  return {
    mode: o.mode,
    onnxFile: o.model.onnxFile,
    provider: run.provider,
    fallbacks: run.fallbacks,
    rows: o.texts.length,
    tokens: encoder.lengths.reduce((a, b) => a + b, 0),
    paddedTokens: plan.reduce((n, b) => n + b.rows * b.paddedLength, 0),
    batches: plan.length,
    blocks: o.mode === 'tapped' ? blocks.length : 0,
    maxLength,
    seconds,
    tokenizeSeconds: encoder.seconds,
    tapSeconds,
    setupSeconds: run.setupSeconds,
    finishSeconds: lastBatchAt !== undefined && doneAt !== undefined ? doneAt - lastBatchAt : 0,
    flopsPadded: paddedFlops(config, plan),
    flopsReal: realFlops(config, encoder.lengths),
    lengths: encoder.lengths,
    storeDir: run.storeDir,
  };
}

/** The model's own graph (last hidden state out, no pooling) over the runner's batches. */
async function runPlainGraph(
  session: Awaited<ReturnType<typeof openOrtSession>>['session'],
  graph: TappedGraph,
  encoder: TimedEncoder,
  texts: readonly string[],
  maxLength: number,
  limits: BatchLimits,
): Promise<void> {
  const run = await ortBatchRunner(session);
  const encoded = await encoder.encode(texts, maxLength);
  const tokens = {
    ids: encoded.ids.map((ids) => Int32Array.from(ids.length ? ids : [encoder.emptyTextTokenId ?? 0])),
    typeIds: encoded.typeIds?.map((ids) => Int32Array.from(ids)),
  };
  const { order, batches } = planAllRows(encoder.lengths, limits, !graph.masked);
  for (const batch of batches) {
    const feeds = buildFeeds(graph.inputs, { rows: order.subarray(batch.from, batch.to), paddedLength: batch.paddedLength, padTokenId: encoder.padTokenId ?? 0 }, tokens);
    await run(feeds, graph.originalOutputs);
  }
}

