// The one shape every benchmark writes (bench/results/<benchmark>.json); BENCHMARKS.md is generated
// from these files by bench/report.ts. Each row puts a figure beside its anchor from the same run.
import { cpus, totalmem } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface BenchRow {
  dataset?: string;
  metric: string;
  unit: string;
  value: number;
  anchor: string;
  anchor_value: number | null;
  ratio?: number;
}

export interface Machine {
  cpu: string;
  cores: number;
  memory: string;
  node: string;
  onnxruntime: string;
}

export interface BenchResult {
  benchmark: string;
  command: string;
  date: string;
  machine: Machine;
  rows: BenchRow[];
  /** Plain statements a reader needs to judge the rows: what was measured, where a goal is missed. */
  notes?: string[];
}

/** The repository root: bundles of bench scripts (bench/gpu/pack.sh) live in bench/ too, so this holds for them. */
export const REPO_ROOT = join(__dirname, '..');
export const RESULTS_DIR = join(REPO_ROOT, 'bench', 'results');

export function machine(onnxruntimeVersion: string): Machine {
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memory: `${Math.round(totalmem() / 2 ** 30)} GiB`,
    node: process.version,
    onnxruntime: onnxruntimeVersion,
  };
}

/** A row whose ratio is value / anchor_value (left out where there is no anchor figure). */
export function row(r: Omit<BenchRow, 'ratio'>, ratio = true): BenchRow {
  return ratio && r.anchor_value ? { ...r, ratio: r.value / r.anchor_value } : r;
}

export function writeResult(result: BenchResult): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${result.benchmark}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  return file;
}
