// Worker-thread side of LearnPool: fits the paths it is sent, one at a time.

import { parentPort } from 'node:worker_threads';
import { fitPath } from './path';
import type { PoolReply, PoolRequest } from './pool';

const port = parentPort;
if (!port) throw new Error('pool-worker.ts runs inside a worker thread started by LearnPool');

port.on('message', ({ id, job }: PoolRequest) => {
  let reply: PoolReply;
  try {
    reply = { id, path: fitPath(job.X, job.y, job.options) };
  } catch (e) {
    reply = { id, error: e instanceof Error ? e.message : String(e) };
  }
  port.postMessage(reply);
});
