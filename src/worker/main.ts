// The worker process: runs models and training outside the extension host, speaking JSON-RPC over
// stdio. It starts with VS Code's own Node (ELECTRON_RUN_AS_NODE=1) or plain Node.
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { PING, type PingResult } from './protocol';

const connection = createMessageConnection(new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout));
connection.onRequest(PING, (): PingResult => ({ pid: process.pid, node: process.versions.node }));
connection.listen();
