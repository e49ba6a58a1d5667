// Fetching a hub model into the local model cache. transformers.js decides *which* files a model
// needs (its ModelRegistry knows the dtype file names and the external-data chunk convention) and
// owns the network settings (`env.fetch`, `env.remoteHost`, `env.remotePathTemplate`): replacing
// `env.fetch` is how tests serve a fake hub. `HF_ENDPOINT`, the Hugging Face convention for a
// mirror or a private hub, sets `env.remoteHost`. The download itself is done here because
// transformers.js only exposes file downloads inside model construction, which would also build an
// inference session. Files land at `{cacheDir}/{id}/{file}`, the layout of transformers.js's own
// file cache, so its tokenizer loader finds them there too.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadTransformers } from './runtime';
import { DTYPE_PREFERENCE, isModelDtype, type ModelDtype } from './dtypes';

export interface DownloadProgress {
  readonly file: string;
  readonly loaded: number;
  readonly total: number | undefined;
}

export interface HubFetchOptions {
  readonly cacheDir: string;
  readonly dtype?: ModelDtype;
  readonly onDownload?: (p: DownloadProgress) => void;
}

/** transformers.js's rule for repository ids (`owner/name` or `name`). */
const REPO_ID = /^(\b[\w\-.]+\b\/)?\b[\w\-.]{1,96}\b$/;

export function isHubId(s: string): boolean {
  return REPO_ID.test(s) && !s.includes('..') && !s.includes('--') && !s.endsWith('.git');
}

export function hubCacheFolder(cacheDir: string, id: string): string {
  return path.join(cacheDir, ...id.split('/'));
}

const GATED_HINT = 'The repository is private or gated: accept its licence on the hub and set HF_TOKEN.';
const REQUIRED = new Set(['config.json', 'tokenizer.json']);

/** Downloads what `id` needs for feature extraction into the cache and returns the folder. */
export async function fetchHubModel(id: string, options: HubFetchOptions): Promise<string> {
  const t = await loadTransformers(true);
  const endpoint = hubEndpoint();
  if (endpoint) t.env.remoteHost = endpoint;
  const cacheDir = options.cacheDir;
  const config = await t.AutoConfig.from_pretrained(id, { cache_dir: cacheDir }).catch((e: unknown) => {
    const message = (e instanceof Error ? e.message : String(e)).replace(/\.+$/, '');
    const hint = /unauthori[sz]ed|forbidden/i.test(message) ? GATED_HINT : 'Check the id and your network, or use a local model folder.';
    throw new Error(`Cannot fetch config.json of hub model "${id}": ${message}. ${hint}`, { cause: e });
  });
  let dtype = options.dtype;
  if (!dtype) {
    const available = await t.ModelRegistry.get_available_dtypes(id, { config, cache_dir: cacheDir });
    dtype = DTYPE_PREFERENCE.find((d) => available.includes(d));
    if (!dtype) {
      const offered = available.filter(isModelDtype);
      throw new Error(`Hub model "${id}" has no ONNX weights under onnx/ (found dtypes: ${offered.join(', ') || 'none'}). Pick a repository exported for transformers.js (for example an onnx-community/ or Xenova/ one).`);
    }
  }
  const modelFiles = await t.ModelRegistry.get_model_files(id, { config, dtype });
  // A tokenizer is always needed; tokenizer_config.json carries the maximum length and special tokens.
  const files = [...new Set([...modelFiles, 'tokenizer.json', 'tokenizer_config.json'])];
  const folder = hubCacheFolder(cacheDir, id);
  for (const file of files) {
    const dest = path.join(folder, file);
    if (fs.existsSync(dest)) continue;
    const isOnnx = file.endsWith('.onnx') || /\.onnx_data(_\d+)?$/.test(file);
    await download(t.env, id, file, dest, REQUIRED.has(file) || isOnnx, options.onDownload);
  }
  return folder;
}

/** `HF_ENDPOINT` as transformers.js wants a host (with a trailing slash); undefined when unset. */
export function hubEndpoint(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env.HF_ENDPOINT?.trim();
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`HF_ENDPOINT is "${value}", which is not a URL. Set it to the hub's address, such as https://huggingface.co, or unset it.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`HF_ENDPOINT is "${value}": use an http:// or https:// address, or unset it.`);
  }
  return url.href.endsWith('/') ? url.href : `${url.href}/`;
}

interface HubEnv {
  readonly remoteHost: string;
  readonly remotePathTemplate: string;
  readonly fetch: (input: string | URL, init?: RequestInit) => Promise<Response>;
}

function fileUrl(env: HubEnv, id: string, file: string): string {
  const repoPath = env.remotePathTemplate.replaceAll('{model}', id).replaceAll('{revision}', 'main');
  return [env.remoteHost, repoPath, file].map((p, i) => (i === 0 ? p.replace(/\/+$/, '') : p.replace(/^\/+|\/+$/g, ''))).join('/');
}

function authHeaders(url: string): Record<string, string> {
  // Gated and private repositories (Llama, ...) need the user's token, and only the hub gets it.
  const token = process.env.HF_TOKEN ?? process.env.HF_ACCESS_TOKEN;
  const host = new URL(url).hostname;
  return token && (host === 'huggingface.co' || host === 'hf.co') ? { Authorization: `Bearer ${token}` } : {};
}

async function download(env: HubEnv, id: string, file: string, dest: string, required: boolean, onDownload?: (p: DownloadProgress) => void): Promise<void> {
  const url = fileUrl(env, id, file);
  const response = await env.fetch(url, { headers: authHeaders(url) });
  if (response.status === 404 && !required) return;
  if (!response.ok || !response.body) {
    const hint = response.status === 401 || response.status === 403 ? ` ${GATED_HINT}` : '';
    throw new Error(`Downloading ${file} of hub model "${id}" from ${url} failed: HTTP ${response.status}.${hint}`);
  }
  const lengthHeader = response.headers.get('content-length');
  const total = lengthHeader ? Number(lengthHeader) : undefined;
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  // Write to a temporary name and rename, so an interrupted download never looks complete.
  const tmp = `${dest}.part-${process.pid}`;
  const fd = fs.openSync(tmp, 'w');
  try {
    let loaded = 0;
    for await (const chunk of response.body) {
      fs.writeSync(fd, chunk);
      loaded += chunk.byteLength;
      onDownload?.({ file, loaded, total });
    }
    fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw new Error(`Downloading ${file} of hub model "${id}" from ${url} was interrupted: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  fs.closeSync(fd);
  fs.renameSync(tmp, dest);
}
