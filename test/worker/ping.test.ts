import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { PING } from '../../src/worker/protocol';

test('the worker bundle answers the typed protocol over stdio', async () => {
  const child = spawn(process.execPath, [join(__dirname, '..', '..', 'dist', 'worker.js')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  connection.listen();
  try {
    const result = await connection.sendRequest(PING);
    assert.equal(result.pid, child.pid);
    assert.equal(result.node, process.versions.node);
  } finally {
    connection.dispose();
    child.kill();
  }
});
