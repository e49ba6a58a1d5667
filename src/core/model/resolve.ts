// Turning what the user wrote for "model" into files on disk with a content identity. A model spec
// is one of: the embedded default (`default` or empty), a local folder, or a hub id such as
// `Xenova/bert-base-uncased` (downloaded into the model cache only when downloads are allowed).
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DTYPE_PREFERENCE, dtypeOfFileName, onnxFileName, type ModelDtype } from './dtypes';
import { sha256File } from './hash';
import { fetchHubModel, hubCacheFolder, isHubId, type DownloadProgress } from './hub';
import { packageRoot } from './package-root';

export const DEFAULT_MODEL_DIR = 'models/all-MiniLM-L6-v2';

export interface ResolveOptions {
  /** Download hub models that are not in the cache yet. Off by default: nothing leaves the machine
   *  unless the user asked for a hub model and allowed it. */
  readonly allowRemote?: boolean;
  /** Weight precision to use; default: the first present in DTYPE_PREFERENCE. */
  readonly dtype?: ModelDtype;
  /** An ONNX file relative to the model folder, for folders that do not follow the
   *  `onnx/model{suffix}.onnx` naming; overrides `dtype`. */
  readonly onnxFile?: string;
  /** Where hub models are cached; default: defaultModelCacheDir(). */
  readonly cacheDir?: string;
  readonly onDownload?: (p: DownloadProgress) => void;
}

export interface ModelFile {
  /** Relative to the model folder, with forward slashes. */
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
}

export interface ResolvedModel {
  readonly source: 'embedded' | 'folder' | 'hub';
  /** Hub id, the embedded model's name, or the folder's absolute path. */
  readonly id: string;
  readonly folder: string;
  readonly onnxFile: string;
  /** External weight files next to the ONNX file (`model.onnx_data`, `model.onnx_data_1`, ...). */
  readonly externalDataFiles: readonly string[];
  /** Undefined when `onnxFile` named a file outside the dtype naming convention. */
  readonly dtype: ModelDtype | undefined;
  /** Every file that determines the features: config, tokenizer files, ONNX file and its data. */
  readonly files: readonly ModelFile[];
  /** One hash over `files` (their paths and hashes). */
  readonly sha256: string;
}

/** STC Lens's own cache folder: `$XDG_CACHE_HOME/stc-lens`, else `~/.cache/stc-lens`. */
export function defaultCacheRoot(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'stc-lens');
}

export function defaultModelCacheDir(): string {
  return path.join(defaultCacheRoot(), 'models');
}

function looksLikePath(spec: string): boolean {
  return spec.startsWith('.') || spec.startsWith('~') || path.isAbsolute(spec) || spec.includes('\\') || /^[A-Za-z]:/.test(spec);
}

function expandHome(spec: string): string {
  return spec === '~' || spec.startsWith('~/') ? path.join(os.homedir(), spec.slice(1)) : spec;
}

export async function resolveModel(spec: string, options: ResolveOptions = {}): Promise<ResolvedModel> {
  const trimmed = spec.trim();
  if (trimmed === '' || trimmed === 'default') {
    const folder = path.join(packageRoot(), DEFAULT_MODEL_DIR);
    return resolveFolder(folder, 'embedded', path.basename(folder), options);
  }
  const asPath = path.resolve(expandHome(trimmed));
  if (looksLikePath(trimmed) || fs.existsSync(asPath)) {
    if (!fs.existsSync(asPath)) throw new Error(`Model folder ${asPath} does not exist. Give an existing folder, "default", or a hub id such as Xenova/bert-base-uncased.`);
    return resolveFolder(asPath, 'folder', asPath, options);
  }
  if (!isHubId(trimmed)) {
    throw new Error(`"${trimmed}" is neither a folder nor a hub id. Give a model folder path, "default", or a hub id such as Xenova/bert-base-uncased.`);
  }
  const cacheDir = options.cacheDir ?? defaultModelCacheDir();
  const cached = hubCacheFolder(cacheDir, trimmed);
  if (!isUsableFolder(cached, options)) {
    if (!options.allowRemote) {
      throw new Error(`Hub model "${trimmed}" is not in the model cache (${cached}) and downloads are off. Allow model downloads, or give a local model folder. (No folder ${asPath} exists either.)`);
    }
    await fetchHubModel(trimmed, { cacheDir, dtype: options.dtype, onDownload: options.onDownload });
  }
  return resolveFolder(cached, 'hub', trimmed, options);
}

function isUsableFolder(folder: string, options: ResolveOptions): boolean {
  try {
    inspectFolder(folder, options);
    return true;
  } catch {
    return false;
  }
}

function listing(folder: string): string {
  const entries = fs.readdirSync(folder, { withFileTypes: true }).map((e) => (e.isDirectory() ? `${e.name}/` : e.name));
  return entries.length ? entries.sort().join(', ') : 'nothing';
}

const HOW_TO_EXPORT = 'A model folder needs config.json, tokenizer.json and onnx/model*.onnx, as exported for transformers.js (for example `optimum-cli export onnx --model <hub id> <folder>`), or give a hub id.';

interface FolderContents {
  onnxFile: string;
  dtype: ModelDtype | undefined;
  externalDataFiles: string[];
}

/** Validates a model folder and picks its ONNX file, without hashing anything. */
function inspectFolder(folder: string, options: ResolveOptions): FolderContents {
  if (!fs.statSync(folder, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`Model folder ${folder} is not a folder. ${HOW_TO_EXPORT}`);
  for (const required of ['config.json', 'tokenizer.json']) {
    if (!fs.existsSync(path.join(folder, required))) {
      throw new Error(`Model folder ${folder} has no ${required} (found: ${listing(folder)}). ${HOW_TO_EXPORT}`);
    }
  }
  const onnxFile = pickOnnxFile(folder, options);
  return { onnxFile, dtype: dtypeOfFileName(path.basename(onnxFile)), externalDataFiles: externalDataOf(onnxFile) };
}

function pickOnnxFile(folder: string, options: ResolveOptions): string {
  if (options.onnxFile) {
    const file = path.resolve(folder, options.onnxFile);
    if (!fs.existsSync(file)) throw new Error(`Model folder ${folder} has no ${options.onnxFile}. Check the ONNX file setting.`);
    return file;
  }
  // transformers.js keeps weights in onnx/; plain optimum exports put model.onnx next to config.json.
  const dirs = [path.join(folder, 'onnx'), folder];
  const wanted = options.dtype ? [options.dtype] : DTYPE_PREFERENCE;
  for (const dtype of wanted) {
    for (const dir of dirs) {
      const file = path.join(dir, onnxFileName(dtype));
      if (fs.existsSync(file)) return file;
    }
  }
  const found = dirs.flatMap((dir) => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.onnx')).map((f) => path.relative(folder, path.join(dir, f))) : []));
  const what = options.dtype ? `no ${onnxFileName(options.dtype)} (dtype ${options.dtype})` : 'no model*.onnx file';
  const hint = found.length
    ? `It has ${found.join(', ')}: pick another dtype, or name the file with the ONNX file setting.`
    : HOW_TO_EXPORT;
  throw new Error(`Model folder ${folder} has ${what} in onnx/ or at its top level. ${hint}`);
}

function externalDataOf(onnxFile: string): string[] {
  const dir = path.dirname(onnxFile);
  const base = path.basename(onnxFile);
  // Exporters name the weights `model.onnx_data` (transformers.js, optimum; chunked `_1`, `_2`, ...)
  // or `model.onnx.data` (torch.onnx).
  const pattern = new RegExp(`^${base.replace(/\./g, '\\.')}(_data(_\\d+)?|\\.data)$`);
  return fs.readdirSync(dir).filter((f) => pattern.test(f)).sort().map((f) => path.join(dir, f));
}

/** Files besides the weights that change the features: tokenisation and special tokens. */
const TOKENIZER_EXTRAS = ['tokenizer_config.json', 'special_tokens_map.json'];

function resolveFolder(folder: string, source: ResolvedModel['source'], id: string, options: ResolveOptions): ResolvedModel {
  const { onnxFile, dtype, externalDataFiles } = inspectFolder(folder, options);
  const paths = [
    path.join(folder, 'config.json'),
    path.join(folder, 'tokenizer.json'),
    ...TOKENIZER_EXTRAS.map((f) => path.join(folder, f)).filter((f) => fs.existsSync(f)),
    onnxFile,
    ...externalDataFiles,
  ];
  const files = paths.map((file) => ({
    path: path.relative(folder, file).split(path.sep).join('/'),
    bytes: fs.statSync(file).size,
    sha256: sha256File(file),
  }));
  const combined = createHash('sha256');
  for (const f of files) combined.update(`${f.path}\0${f.sha256}\n`);
  return { source, id, folder, onnxFile, externalDataFiles, dtype, files, sha256: combined.digest('hex') };
}
