// A stand-in for the Hugging Face Hub on loopback: serves fixture model folders in the hub's URL
// layout (`/{id}/resolve/main/{file}`), so that the extension's hub download runs for real with
// HF_ENDPOINT pointing here and nothing leaves the machine. ONNX files trickle out over a few
// seconds, long enough for a test to see the download's progress notification.
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

export interface HubServer {
  /** `http://127.0.0.1:PORT`: the value of HF_ENDPOINT. */
  url: string;
  close(): Promise<void>;
}

/** How long one ONNX file takes to send, in chunks. */
const SLOW_FILE_MS = 3_000;
const SLOW_FILE_CHUNKS = 20;

/** Serves `models`: hub id (`owner/name`) -> model folder. */
export async function startHubServer(models: Record<string, string>): Promise<HubServer> {
  const server = createServer((req, res) => {
    serve(models, req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(error instanceof Error ? error.message : String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function serve(models: Record<string, string>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const file = fileOf(models, new URL(req.url ?? '/', 'http://hub').pathname);
  const size = file === undefined ? undefined : statSync(file, { throwIfNoEntry: false });
  if (file === undefined || !size?.isFile() || (req.method !== 'GET' && req.method !== 'HEAD')) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Entry not found');
    return;
  }
  // transformers.js asks for the first byte to learn whether a file exists and its size.
  if (req.headers.range === 'bytes=0-0') {
    res.writeHead(206, { 'content-length': '1', 'content-range': `bytes 0-0/${size.size}` });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file, { start: 0, end: 0 }).pipe(res);
    return;
  }
  res.writeHead(200, { 'content-length': String(size.size), 'content-type': 'application/octet-stream' });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  if (!file.endsWith('.onnx')) {
    createReadStream(file).pipe(res);
    return;
  }
  const chunk = Math.ceil(size.size / SLOW_FILE_CHUNKS);
  for await (const part of createReadStream(file, { highWaterMark: chunk })) {
    if (res.destroyed) return;
    res.write(part);
    await new Promise((resolve) => setTimeout(resolve, SLOW_FILE_MS / SLOW_FILE_CHUNKS));
  }
  res.end();
}

/** The model file a hub URL names; undefined for other URLs, unknown ids and paths that leave the folder. */
function fileOf(models: Record<string, string>, pathname: string): string | undefined {
  const match = /^\/(.+?\/[^/]+)\/resolve\/main\/(.+)$/.exec(decodeURIComponent(pathname));
  const [, id, name] = match ?? [];
  const folder = id !== undefined && Object.hasOwn(models, id) ? models[id] : undefined;
  if (folder === undefined || name === undefined) return undefined;
  const file = path.resolve(folder, name);
  return file.startsWith(folder + path.sep) ? file : undefined;
}
