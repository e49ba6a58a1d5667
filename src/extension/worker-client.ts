// The extension host's side of the worker (src/worker): starts it with VS Code's own Node, sends
// typed requests, routes progress notifications to the request that asked, and restarts it on the
// next request after it stopped. Nothing the worker holds is the only copy of anything: classifiers
// live on disk, so a crash loses at most the request in flight.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import {
  createMessageConnection,
  ErrorCodes,
  ResponseError,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
  type RequestType,
} from 'vscode-jsonrpc/node';
import {
  EVALUATE_PROGRESS,
  INITIALIZE,
  LOG,
  REQUEST_CANCELLED,
  TRAIN_PROGRESS,
  type InitializeParams,
} from '../worker/protocol';

/** A request stopped because its cancellation token fired. */
export class CancelledError extends Error {
  override readonly name = 'AbortError';
  constructor() {
    super('cancelled');
  }
}

interface Running {
  readonly child: ChildProcess;
  readonly connection: MessageConnection;
  readonly ready: Promise<void>;
}

type JobListener = (params: unknown) => void;

export class WorkerClient implements vscode.Disposable {
  private running: Running | undefined;
  private readonly jobs = new Map<string, JobListener>();
  private disposed = false;

  constructor(
    private readonly workerScript: string,
    private readonly log: vscode.LogOutputChannel,
    private readonly initializeParams: () => InitializeParams,
  ) {}

  /** The worker's pid once started (tests use it to check restarts). */
  get pid(): number | undefined {
    return this.running?.child.pid;
  }

  /** Sends a request, starting the worker when it is not running. */
  async request<P, R>(type: RequestType<P, R, void>, params: P, token?: vscode.CancellationToken): Promise<R> {
    const running = this.start();
    try {
      await running.ready;
      return await running.connection.sendRequest(type, params, token);
    } catch (error) {
      if (error instanceof ResponseError && error.code === REQUEST_CANCELLED) throw new CancelledError();
      if (error instanceof ResponseError && error.code === ErrorCodes.PendingResponseRejected) {
        throw new Error('the STC worker stopped before it answered; see the log (STC: Show Log). It restarts on the next use.', { cause: error });
      }
      throw error instanceof ResponseError ? new Error(error.message, { cause: error }) : error;
    }
  }

  /** A job id for a long request: the worker's progress notifications naming it go to `listener`
   *  until the returned object is disposed. */
  trackJob<G>(listener: (progress: G) => void): { readonly job: string } & vscode.Disposable {
    const job = randomUUID();
    this.jobs.set(job, listener as JobListener);
    return { job, dispose: () => this.jobs.delete(job) };
  }

  /** Stops the worker; the next request starts a fresh one. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start().ready;
  }

  async stop(): Promise<void> {
    const running = this.running;
    this.running = undefined;
    if (!running) return;
    const exited = new Promise<void>((resolve) => {
      if (running.child.exitCode !== null || running.child.signalCode !== null) resolve();
      else running.child.once('exit', () => resolve());
    });
    running.connection.dispose();
    running.child.stdin?.end();
    const timer = setTimeout(() => running.child.kill(), 3000);
    await exited;
    clearTimeout(timer);
  }

  dispose(): void {
    this.disposed = true;
    void this.stop();
  }

  private start(): Running {
    if (this.running) return this.running;
    if (this.disposed) throw new Error('STC Lens is shutting down');
    // ELECTRON_RUN_AS_NODE makes VS Code's executable a plain Node; under a Node extension host
    // (code-server, remote servers) process.execPath already is one and ignores the variable.
    const child = spawn(process.execPath, [this.workerScript], {
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.log.info(`worker: started pid ${child.pid ?? '?'} (${this.workerScript})`);
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      for (const line of chunk.split(/\r?\n/)) if (line.trim() !== '') this.log.info(`worker: ${line}`);
    });
    const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    connection.onNotification(LOG, ({ level, message }) => this.log[level](message));
    connection.onNotification(TRAIN_PROGRESS, (p) => this.jobs.get(p.job)?.(p.progress));
    connection.onNotification(EVALUATE_PROGRESS, (p) => this.jobs.get(p.job)?.(p));
    connection.listen();
    const running: Running = {
      child,
      connection,
      ready: connection.sendRequest(INITIALIZE, this.initializeParams()),
    };
    running.ready.catch(() => undefined);
    child.on('error', (error) => {
      // A process that could not start never exits: end its requests here.
      this.log.error(`worker: ${process.execPath} ${this.workerScript}: ${error.message}`);
      if (this.running === running) this.running = undefined;
      running.connection.dispose();
    });
    child.on('exit', (code, signal) => this.exited(running, code, signal));
    this.running = running;
    return running;
  }

  private exited(running: Running, code: number | null, signal: NodeJS.Signals | null): void {
    const how = signal ? `was killed (${signal})` : `exited with code ${code ?? '?'}`;
    running.connection.dispose();
    if (this.running !== running) {
      this.log.info(`worker: pid ${running.child.pid ?? '?'} ${how}`);
      return;
    }
    this.running = undefined;
    this.log.error(`worker: pid ${running.child.pid ?? '?'} ${how}; it restarts on the next use`);
    if (this.disposed) return;
    void vscode.window.showErrorMessage(`STC worker stopped: it ${how}. It restarts on the next use; saved classifiers are not affected.`, 'Show Log').then((choice) => {
      if (choice === 'Show Log') this.log.show();
    });
  }
}
