// The extraction loop: tokenise every row, sort by length, run the batches a previous run did not
// finish, and write each batch's pooled vectors into the store at their dataset rows.
import { blockName } from '../neurons';
import { DEFAULT_BATCH_LIMITS, planBatches, remainingRanges, sortByLength, type Batch, type BatchLimits } from './batching';
import { buildFeeds, type TokenizedRows } from './feeds';
import { RateMeter, type ExtractProgress } from './progress';
import type { FeatureStoreWriter } from './store-writer';
import { tokenizeTexts } from './tokenize';
import type { BatchRunner, GraphIO, TokenEncoder } from './types';

export interface ExtractionJob {
  readonly texts: readonly string[];
  readonly encoder: TokenEncoder;
  /** Longer texts keep their first `maxLength` tokens (special tokens included). */
  readonly maxLength: number;
  readonly graph: GraphIO;
  readonly run: BatchRunner;
  /** Opened for this job's key; the caller closes it. */
  readonly store: FeatureStoreWriter;
  readonly limits?: Partial<BatchLimits>;
  /** Checked between batches: the batch in flight finishes and is kept. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: ExtractProgress) => void;
  /** Clock in ms, replaceable in tests. */
  readonly now?: () => number;
}

export interface ExtractionResult {
  readonly rows: number;
  readonly rowsResumed: number;
  /** Batches computed by this run (0 when the store was already complete). */
  readonly batchesRun: number;
}

const TOKENIZE_CHUNK = 512;

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new DOMException('Feature extraction was cancelled.', 'AbortError');
}

async function tokenize(job: ExtractionJob, report: (rowsDone: number) => void): Promise<TokenizedRows> {
  const ids: Int32Array[] = [];
  let typeIds: Int32Array[] | undefined;
  for (let start = 0; start < job.texts.length; start += TOKENIZE_CHUNK) {
    checkAborted(job.signal);
    const chunk = await tokenizeTexts(job.encoder, job.texts.slice(start, start + TOKENIZE_CHUNK), job.maxLength, start);
    chunk.ids.forEach((rowIds, i) => {
      ids.push(rowIds);
      const rowTypes = chunk.typeIds?.[i];
      if (rowTypes) (typeIds ??= [])[start + i] = rowTypes;
    });
    report(Math.min(start + TOKENIZE_CHUNK, job.texts.length));
  }
  return { ids, typeIds };
}

export async function runExtraction(job: ExtractionJob): Promise<ExtractionResult> {
  const rowsTotal = job.texts.length;
  const store = job.store;
  if (store.layout.rows !== rowsTotal) throw new Error(`The feature store holds ${store.layout.rows} rows but the dataset has ${rowsTotal}.`);
  const now = job.now ?? Date.now;
  const emit = (p: Omit<ExtractProgress, 'rowsTotal'>) => job.onProgress?.({ ...p, rowsTotal });
  const idle = { tokensPerSecond: undefined, rowsPerSecond: undefined, etaSeconds: undefined };
  if (store.isComplete) {
    emit({ stage: 'done', rowsDone: rowsTotal, rowsResumed: rowsTotal, batchesDone: 0, batchesTotal: 0, ...idle });
    return { rows: rowsTotal, rowsResumed: rowsTotal, batchesRun: 0 };
  }

  const tokens = await tokenize(job, (rowsDone) => emit({ stage: 'tokenizing', rowsDone, rowsResumed: 0, batchesDone: 0, batchesTotal: 0, ...idle }));
  const lengths = tokens.ids.map((ids) => ids.length);
  const order = sortByLength(lengths);
  const sortedLengths = Array.from(order, (row) => lengths[row] ?? 0);
  const done = store.resume(order);
  const rowsResumed = done.reduce((n, r) => n + r.to - r.from, 0);
  const batches = planBatches(sortedLengths, remainingRanges(rowsTotal, done), { ...DEFAULT_BATCH_LIMITS, ...job.limits }, !job.graph.masked);

  const work = (b: { from: number; to: number; paddedLength: number }) => (b.to - b.from) * b.paddedLength;
  const meter = new RateMeter(batches.reduce((n, b) => n + work(b), 0), now);
  const outputNames = job.graph.outputs.map((o) => o.name);
  const padTokenId = job.encoder.padTokenId ?? 0;
  let rowsDone = rowsResumed;
  const report = (stage: ExtractProgress['stage'], batchesDone: number) =>
    emit({ stage, rowsDone, rowsResumed, batchesDone, batchesTotal: batches.length, ...meter.rates() });
  report('extracting', 0);

  const start = (batch: Batch) =>
    job.run(buildFeeds(job.graph.inputs, { rows: order.subarray(batch.from, batch.to), paddedLength: batch.paddedLength, padTokenId }, tokens), outputNames);
  // The next batch starts before this one's features are stored: storing runs on this thread while
  // ONNX Runtime computes on its own threads, filling the gaps its operators leave between them.
  let pending: ReturnType<BatchRunner> | undefined;
  try {
    for (const [i, batch] of batches.entries()) {
      checkAborted(job.signal); // finished batches are kept: closing the store checkpoints them
      const outputs = await (pending ?? start(batch));
      const following = batches[i + 1];
      pending = following && !job.signal?.aborted ? start(following) : undefined;
      const rows = batch.to - batch.from;
      for (const output of job.graph.outputs) {
        const data = outputs[output.name];
        if (!data || data.length !== rows * output.dim) {
          throw new Error(`Graph output ${output.name} (${blockName(output.block)}) gave ${data?.length ?? 'no'} values for ${rows} rows of dimension ${output.dim}.`);
        }
        store.writeRows(blockName(output.block), batch.from, data);
      }
      store.markDone(batch);
      rowsDone += rows;
      meter.add(rows, sortedLengths.slice(batch.from, batch.to).reduce((a, b) => a + b, 0), work(batch));
      report('extracting', i + 1);
    }
  } finally {
    // Never leave a run in flight behind an error or a cancellation: its result is dropped, unstored.
    await pending?.catch(() => undefined);
  }
  await store.complete();
  report('done', batches.length);
  return { rows: rowsTotal, rowsResumed, batchesRun: batches.length };
}
