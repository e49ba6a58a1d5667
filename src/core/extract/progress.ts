// Progress of an extraction: rows, rates and an ETA. The ETA is measured in padded tokens
// (rows x padded length), the unit the work scales with, so it stays honest while batches go from
// few long rows to many short ones.

/** `preparing`: rewriting the graph and opening the session, before any row is processed. */
export type ExtractStage = 'preparing' | 'tokenizing' | 'extracting' | 'done';

export interface ExtractProgress {
  readonly stage: ExtractStage;
  readonly rowsDone: number;
  readonly rowsTotal: number;
  /** Rows found finished in the store from an earlier, interrupted run. */
  readonly rowsResumed: number;
  readonly batchesDone: number;
  readonly batchesTotal: number;
  /** Real (unpadded) tokens per second in this run; undefined before the first batch. */
  readonly tokensPerSecond: number | undefined;
  readonly rowsPerSecond: number | undefined;
  readonly etaSeconds: number | undefined;
}

export class RateMeter {
  private readonly start: number;
  private rows = 0;
  private tokens = 0;
  private work = 0;

  constructor(
    private readonly totalWork: number,
    private readonly now: () => number,
  ) {
    this.start = now();
  }

  add(rows: number, tokens: number, work: number): void {
    this.rows += rows;
    this.tokens += tokens;
    this.work += work;
  }

  rates(): Pick<ExtractProgress, 'tokensPerSecond' | 'rowsPerSecond' | 'etaSeconds'> {
    const seconds = (this.now() - this.start) / 1000;
    if (this.work === 0 || seconds <= 0) return { tokensPerSecond: undefined, rowsPerSecond: undefined, etaSeconds: undefined };
    return {
      tokensPerSecond: this.tokens / seconds,
      rowsPerSecond: this.rows / seconds,
      etaSeconds: ((this.totalWork - this.work) * seconds) / this.work,
    };
  }
}
