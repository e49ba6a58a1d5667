// A small worker_threads pool that fits independent paths in parallel (the pipeline's probes).
// The solver is pure, so a path fitted in a worker is bit-identical to one fitted in process.
//
// Data crosses to the worker by structured clone: a design backed by an ordinary ArrayBuffer is
// copied (cheap next to a fit), one backed by a SharedArrayBuffer is shared without a copy.
// Callbacks cannot cross threads, so a job has no `onPoint`; early stopping uses `validation`.

import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Design } from './matrix';
import type { Path, PathOptions } from './path';

export interface PathJob {
  readonly X: Design;
  readonly y: Int32Array;
  readonly options?: Omit<PathOptions, 'onPoint'>;
}

export interface PoolRequest {
  readonly id: number;
  readonly job: PathJob;
}

export type PoolReply = { readonly id: number; readonly path: Path } | { readonly id: number; readonly error: string };

/**
 * The worker: `workerScript` when given, else `learn-worker.js` next to the bundle (esbuild entry
 * point `learn-worker: src/core/learn/pool-worker.ts`), or, when running from source (tests, tsx),
 * the TypeScript source loaded through tsx's require hook (a worker does not inherit the parent's
 * `--import` loader).
 */
function startWorker(workerScript: string | undefined): Worker {
  if (workerScript) return new Worker(workerScript);
  const source = join(__dirname, 'pool-worker.ts');
  if (existsSync(source)) return new Worker(`require('tsx/cjs'); require(${JSON.stringify(source)});`, { eval: true });
  return new Worker(join(__dirname, 'learn-worker.js'));
}

interface Slot {
  readonly worker: Worker;
  busy: boolean;
}

interface Pending {
  readonly id: number;
  readonly job: PathJob;
  readonly resolve: (path: Path) => void;
  readonly reject: (error: Error) => void;
}

export class LearnPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private readonly running = new Map<number, Pending & { slot: Slot }>();
  private nextId = 0;
  private closed = false;

  /** `size` workers (default: one per available CPU core); `workerScript` overrides where the
   *  worker code is found. */
  constructor(size = availableParallelism(), workerScript?: string) {
    if (!(size >= 1) || !Number.isInteger(size)) throw new Error(`pool size ${size} must be a positive integer`);
    for (let i = 0; i < size; i++) {
      const slot: Slot = { worker: startWorker(workerScript), busy: false };
      slot.worker.on('message', (reply: PoolReply) => this.settle(slot, reply));
      slot.worker.on('error', (error) => this.fail(slot, error));
      slot.worker.unref();
      this.slots.push(slot);
    }
  }

  get size(): number {
    return this.slots.length;
  }

  /** Fits a path on the first free worker; jobs queue in submission order. */
  fitPath(job: PathJob): Promise<Path> {
    if (this.closed) return Promise.reject(new Error('the learning pool is closed'));
    return new Promise<Path>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, job, resolve, reject });
      this.dispatch();
    });
  }

  /**
   * Stops the workers; queued and running jobs are rejected. It does not wait for the workers to
   * exit: the promise of `worker.terminate()` did not always settle for a worker stopped in the
   * middle of a job (an abort during the probes hung 7 of 12 runs with the bundled worker, Node 20),
   * which left the caller waiting on an empty event loop. The workers are unref'd, so a stopping
   * worker never holds the process open.
   */
  close(): Promise<void> {
    this.closed = true;
    const error = new Error('the learning pool was closed before the job finished');
    for (const p of this.queue.splice(0)) p.reject(error);
    for (const p of this.running.values()) p.reject(error);
    this.running.clear();
    for (const slot of this.slots) {
      slot.worker.unref();
      void slot.worker.terminate();
    }
    return Promise.resolve();
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.busy) continue;
      const next = this.queue.shift();
      if (!next) return;
      slot.busy = true;
      slot.worker.ref();
      this.running.set(next.id, { ...next, slot });
      const request: PoolRequest = { id: next.id, job: next.job };
      slot.worker.postMessage(request);
    }
  }

  private settle(slot: Slot, reply: PoolReply): void {
    const pending = this.running.get(reply.id);
    this.running.delete(reply.id);
    slot.busy = false;
    slot.worker.unref();
    if (pending) {
      if ('error' in reply) pending.reject(new Error(reply.error));
      else pending.resolve(reply.path);
    }
    this.dispatch();
  }

  private fail(slot: Slot, error: Error): void {
    for (const [id, pending] of this.running) {
      if (pending.slot !== slot) continue;
      this.running.delete(id);
      pending.reject(new Error(`a learning worker crashed: ${error.message}`));
    }
    // A crashed worker is not replaced: the pool carries on with the others.
    this.slots.splice(this.slots.indexOf(slot), 1);
    if (this.slots.length === 0) {
      for (const p of this.queue.splice(0)) p.reject(new Error('every learning worker crashed'));
      return;
    }
    this.dispatch();
  }
}
