// Cancellation. A run checks its AbortSignal between fits and at every point of a regularisation
// path, and stops with an error named `AbortError` (the DOM convention that fetch and the worker
// protocol's cancellation also use), so callers tell "cancelled" apart from "failed".

export class StcAbortError extends Error {
  override readonly name = 'AbortError';
  constructor() {
    super('STC training was cancelled');
  }
}

export function isAbortError(e: unknown): boolean {
  return e instanceof Error && e.name === 'AbortError';
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new StcAbortError();
}

/** Lets pending events (a cancel request, a progress write) run between two long synchronous steps. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
