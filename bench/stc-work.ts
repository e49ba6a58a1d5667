// The STC benchmark's work folders (one per dataset, row caps and seed) and our search run on one
// of them in a process of its own, shared by bench/stc.ts and the seed study bench/stc-seeds.ts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lastJsonLine, runMeasured } from './proc-tree';
import type { Caps } from './stc-data';
import type { StcReport } from '../src/core/stc';
import type { StcRunResult } from './stc-run';

/** The row-cap specs as the command line gives them: `1500,emotion=400` is 1500 for every
 *  dataset but emotion; no dev spec means the test cap. */
export interface CapSpecs {
  readonly maxTrain: string;
  readonly maxDev: string | undefined;
  readonly maxTest: string;
}

function capFor(spec: string, dataset: string): number {
  let value = NaN;
  for (const part of spec.split(',')) {
    const [key, n] = part.includes('=') ? part.split('=') : [undefined, part];
    if (key === undefined || key.trim() === dataset) value = Number(n);
    if (key?.trim() === dataset) break;
  }
  if (!(value >= 1)) throw new Error(`No row cap for ${dataset} in "${spec}": give a default (e.g. 1500) or ${dataset}=N.`);
  return value;
}

export function capsFor(dataset: string, specs: CapSpecs, seed: number): Caps {
  const maxTest = capFor(specs.maxTest, dataset);
  return { maxTrain: capFor(specs.maxTrain, dataset), maxTest, maxDev: specs.maxDev ? capFor(specs.maxDev, dataset) : maxTest, seed };
}

export const workFolder = (root: string, dataset: string, caps: Caps): string => path.join(root, `${dataset}-${caps.maxTrain}-${caps.maxDev}-${caps.maxTest}-s${caps.seed}`);

/** The feature store a work folder's rows were extracted into (named by its npy/meta.json, which
 *  exportForReference writes), and the model's block count. */
export function workStore(root: string, work: string): { storeDir: string; numLayers: number } {
  const meta = JSON.parse(fs.readFileSync(path.join(work, 'npy', 'meta.json'), 'utf8')) as { num_layers: number; store: string };
  return { storeDir: path.join(root, 'features', meta.store), numLayers: meta.num_layers };
}

export interface OurSearch {
  readonly storeDir: string;
  readonly layoutFile: string;
  readonly numLayers: number;
  readonly space: 'paper' | 'extended';
  readonly metric: string;
  readonly threads: string;
  readonly reportOut: string;
  /** false: ship the train-only fit (trainStc's refit off). Default true. */
  readonly refit?: boolean;
}

/** bench/stc-run.ts on one work folder's rows: its figures, wall time and the peak RSS of its
 *  process tree. */
export async function runOurSearch(s: OurSearch): Promise<StcRunResult & { processSeconds: number; treeRssMB: number }> {
  const argv = ['--import', 'tsx', path.join(__dirname, 'stc-run.ts'), '--store', s.storeDir, '--layout', s.layoutFile, '--num-layers', String(s.numLayers), '--space', s.space, '--metric', s.metric, '--threads', s.threads, '--report-out', s.reportOut, ...(s.refit === false ? ['--no-refit'] : [])];
  const r = await runMeasured(process.execPath, argv, path.join(__dirname, '..'));
  const out = lastJsonLine<StcRunResult>(`stc-run ${s.space}`, r);
  return { ...out, processSeconds: r.seconds, treeRssMB: r.peakTreeRssMB };
}

/** The shipped classifier in one phrase: its configuration, or its members' when it averages several. */
export function classifierName(report: Pick<StcReport, 'ensemble'>): string {
  const one = (m: StcReport['chosen']) => `${m.config.kinds.join('+')}.${m.config.poolings.join('+')} eta ${m.eta} k ${m.k} ${m.penalty.toUpperCase()}`;
  const { members } = report.ensemble;
  return members.length === 1 ? one(members[0] as StcReport['chosen']) : `average of ${members.map(one).join(' | ')}`;
}
