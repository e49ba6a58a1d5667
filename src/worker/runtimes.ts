// The classifiers the worker keeps open, by folder: opening one compiles its early-exit graph and
// starts an ONNX Runtime session, so every request after the first reuses it.
import { loadClassifier, resolveClassifierModel } from '../core/artifact';
import { openClassifier, type ClassifierRuntime } from '../core/infer';
import { describeFallback, type ProviderFallback } from '../core/model/session';
import type { InitializeParams, LoadParams } from './protocol';

export interface OpenRuntime {
  readonly runtime: ClassifierRuntime;
  readonly device: LoadParams['device'];
  readonly fallbacks: readonly ProviderFallback[];
  /** The base model's folder (its tokenizer.json places tokens on texts). */
  readonly modelFolder: string;
}

export class Runtimes {
  private readonly open = new Map<string, Promise<OpenRuntime>>();

  constructor(
    private readonly settings: () => InitializeParams,
    private readonly log: (message: string) => void,
  ) {}

  /** The runtime of `params.dir`, opened on first use or when the device asked for changed. */
  async get(params: LoadParams): Promise<OpenRuntime> {
    const cached = this.open.get(params.dir);
    if (cached) {
      const current = await cached.catch(() => undefined);
      if (current && current.device === params.device) return current;
      await this.close(params.dir);
    }
    const opening = this.openRuntime(params);
    this.open.set(params.dir, opening);
    // A failed open is not cached: the next request tries again (the user may have fixed the cause).
    opening.catch(() => {
      if (this.open.get(params.dir) === opening) this.open.delete(params.dir);
    });
    return opening;
  }

  async close(dir?: string): Promise<void> {
    const dirs = dir === undefined ? [...this.open.keys()] : [dir];
    await Promise.all(
      dirs.map(async (d) => {
        const opening = this.open.get(d);
        this.open.delete(d);
        const opened = await opening?.catch(() => undefined);
        await opened?.runtime.close();
      }),
    );
  }

  private async openRuntime(params: LoadParams): Promise<OpenRuntime> {
    const { graphCacheDir, modelCacheDir, threads } = this.settings();
    const saved = await loadClassifier(params.dir);
    const model = await resolveClassifierModel(saved, { modelFolder: params.modelFolder, cacheDir: modelCacheDir, allowRemote: false });
    const fallbacks: ProviderFallback[] = [];
    const runtime = await openClassifier(saved, {
      model,
      graphCacheDir,
      session: { provider: params.device, intraOpNumThreads: threads },
      onFallback: (f) => {
        fallbacks.push(f);
        this.log(`${saved.manifest.name}: ${describeFallback(f)}`);
      },
    });
    this.log(`opened ${saved.manifest.name} (${params.dir}) on ${runtime.provider}`);
    return { runtime, device: params.device, fallbacks, modelFolder: model.folder };
  }
}
