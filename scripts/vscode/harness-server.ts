// The runner's side of the callbacks the suite makes from the extension host (see
// test/vscode/suite/protocol.ts): a loopback HTTP server with one POST route per call.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HarnessCall, HarnessCalls, HarnessReply } from '../../test/vscode/suite/protocol';

export type HarnessHandlers = {
  [C in HarnessCall]: (request: HarnessCalls[C]['request']) => Promise<HarnessCalls[C]['response']>;
};

export interface HarnessServer {
  url: string;
  close(): Promise<void>;
}

export async function startHarnessServer(handlers: HarnessHandlers): Promise<HarnessServer> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void answer(req.method, req.url, Buffer.concat(chunks).toString('utf8')).then((reply) => {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
      });
    });
  });

  async function answer(method: string | undefined, url: string | undefined, body: string): Promise<HarnessReply<HarnessCall>> {
    const name = url?.slice(1) ?? '';
    if (method !== 'POST' || !isCall(name)) return { ok: false, error: `no harness call ${method ?? ''} ${url ?? ''}` };
    try {
      // The only client is the suite built from the same protocol file, on this machine.
      const request = JSON.parse(body) as never;
      return { ok: true, value: await handlers[name](request) };
    } catch (error) {
      return { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
  }

  function isCall(name: string): name is HarnessCall {
    return Object.hasOwn(handlers, name);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
