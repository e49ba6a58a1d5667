// The typed protocol between the extension host and the worker. Both sides import these names.
import { RequestType0 } from 'vscode-jsonrpc';

export interface PingResult {
  pid: number;
  node: string;
}

export const PING = new RequestType0<PingResult, void>('stc/ping');
