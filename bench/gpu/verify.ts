// GPU path verification (issue 3, section 7): extracts every feature block of the default model(s)
// on a GPU execution provider and on the CPU, checks the GPU provider really ran (no silent CPU
// fallback), compares the features block by block, and reports throughput both ways. Run through
// bench/gpu/run.sh, which installs the CUDA provider libraries first; see bench/gpu/README.md.
//
//   node --import tsx bench/gpu/verify.ts --data <file.jsonl> [--rows 2000] [--require cuda]
//     [--also webgpu] [--threads 0] [--token-budget 2048] [--dtypes int8,fp32] [--fp32-folder <dir>] [--cpu-stand-in] [--setup-problems '<what run.sh could not prepare>']
//
// Exit status 0 only when the required provider started without falling back and its features
// match the CPU's (min cosine per vector >= 0.999 in every block). Otherwise it prints
// "GPU path not verified: <reason>" and exits 1. --cpu-stand-in runs the whole script with the CPU
// standing in for the GPU, to test the script itself on a machine without one; it writes nothing.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_BATCH_LIMITS } from '../../src/core/extract/batching';
import { openFeatureStore } from '../../src/core/extract/store';
import { resolveModel, type ResolvedModel } from '../../src/core/model/resolve';
import { loadOrt } from '../../src/core/model/runtime';
import { EXECUTION_PROVIDERS, openOrtSession, sessionOptionsFor, type ExecutionProvider } from '../../src/core/model/session';
import { allBlocks } from '../../src/core/neurons';
import { readModelConfig, tapModel } from '../../src/core/onnx';
import { measureExtraction, readTexts, type Measurement } from '../extract-measure';
import { compareStores, worst } from '../extract-parity';
import { REPO_ROOT, RESULTS_DIR, machine, row, writeResult, type BenchResult, type BenchRow } from '../result';

const ROOT = REPO_ROOT;
const MIN_COSINE = 0.999;

const { values: args } = parseArgs({
  options: {
    data: { type: 'string' },
    rows: { type: 'string', default: '2000' },
    require: { type: 'string', default: 'cuda' },
    also: { type: 'string', default: 'webgpu' },
    threads: { type: 'string', default: '0' },
    /** Tokens per batch (padded); a GPU keeps busy with larger batches than the CPU default. */
    'token-budget': { type: 'string', default: String(DEFAULT_BATCH_LIMITS.tokenBudget) },
    /** The fp32 model folder: the export, or bench/gpu/dequantize.py's output where the export cannot travel. */
    'fp32-folder': { type: 'string', default: path.join(ROOT, '.cache/models/all-MiniLM-L6-v2') },
    /** Which graphs to check, in this order (a failed check stops the run). */
    dtypes: { type: 'string', default: 'int8,fp32' },
    'cpu-stand-in': { type: 'boolean', default: false },
    /** From run.sh: what it could not prepare (libraries it could not install or find), ';'-separated. */
    'setup-problems': { type: 'string', default: '' },
  },
});

const VARIANTS = [
  { dtype: 'int8', folder: path.join(ROOT, 'models/all-MiniLM-L6-v2'), onnxFile: 'onnx/model_quantized.onnx' },
  { dtype: 'fp32', folder: path.resolve(args['fp32-folder']), onnxFile: 'onnx/model.onnx' },
] as const;

class NotVerified extends Error {}

function provider(name: string): ExecutionProvider {
  if (!(EXECUTION_PROVIDERS as readonly string[]).includes(name)) throw new Error(`Unknown provider "${name}"; use one of ${EXECUTION_PROVIDERS.join(', ')}.`);
  return name as ExecutionProvider;
}

function gpuDescription(): string {
  const smi = spawnSync('nvidia-smi', ['--query-gpu=name,driver_version,memory.total', '--format=csv,noheader'], { encoding: 'utf8' });
  return smi.status === 0 ? smi.stdout.trim().split('\n').join('; ') : 'nvidia-smi not available';
}

/** Whether every node of the tapped graph can run on `p`: ORT refuses the session when CPU fallback
 *  is disabled and some node is placed on the CPU. Shape computations may legitimately be placed
 *  there, so this is reported, not required. */
async function placementProbe(modelPath: string, p: ExecutionProvider): Promise<string> {
  const ort = await loadOrt();
  try {
    const session = await ort.InferenceSession.create(modelPath, { ...sessionOptionsFor(p, {}), extra: { session: { disable_cpu_ep_fallback: '1' } } });
    await session.release();
    return `every node placed on ${p}`;
  } catch (e) {
    return `some nodes run on the CPU (${(e instanceof Error ? e.message : String(e)).split('\n')[0]?.slice(0, 200)})`;
  }
}

interface ProviderRun {
  readonly provider: ExecutionProvider;
  readonly run: Measurement;
  readonly placement: string;
}

/** Opens a session on `p` to learn, before any long run, whether it starts at all. */
async function startsOn(model: ResolvedModel, p: ExecutionProvider): Promise<string | undefined> {
  const opened = await openOrtSession(model.onnxFile, { provider: p });
  await opened.session.release();
  return opened.provider === p ? undefined : (opened.fallbacks[0]?.reason ?? `it fell back to ${opened.provider}`);
}

async function runOn(model: ResolvedModel, texts: readonly string[], p: ExecutionProvider, work: string, threads: number): Promise<ProviderRun> {
  process.stderr.write(`  ${path.basename(model.onnxFile)} on ${p} ...\n`);
  // The CPU baseline keeps the engine's default batches; only the GPU runs take --token-budget.
  const limits = { ...DEFAULT_BATCH_LIMITS, tokenBudget: p === 'cpu' ? DEFAULT_BATCH_LIMITS.tokenBudget : Number(args['token-budget']) };
  const run = await measureExtraction({ model, texts, mode: 'tapped', workDir: path.join(work, p), session: { provider: p, intraOpNumThreads: threads }, limits });
  if (run.provider !== p) throw new NotVerified(`${p} was asked for but the extraction ran on ${run.provider} (${run.fallbacks.map((f) => `${f.provider}: ${f.reason}`).join('; ')}).`);
  const config = readModelConfig(model.folder);
  const tapped = await tapModel({ modelFile: model.onnxFile, config, blocks: allBlocks(config.numLayers), cacheDir: path.join(work, p, 'graphs') });
  return { provider: p, run, placement: p === 'cpu' ? '' : await placementProbe(tapped.modelPath, p) };
}

async function main(): Promise<void> {
  if (!args.data) throw new Error('Usage: bench/gpu/run.sh <data.jsonl> [rows]  (or node --import tsx bench/gpu/verify.ts --data <file>)');
  const standIn = args['cpu-stand-in'];
  const required = standIn ? 'cpu' : provider(args.require);
  const optional = standIn || !args.also ? [] : args.also.split(',').map(provider);
  const threads = Number(args.threads);
  const texts = await readTexts(path.resolve(args.data), Number(args.rows));
  const dtypes = args.dtypes.split(',').map((d) => d.trim());
  const unknown = dtypes.filter((d) => !VARIANTS.some((v) => v.dtype === d));
  if (unknown.length) throw new Error(`--dtypes ${args.dtypes}: unknown ${unknown.join(', ')}; use int8, fp32 or both.`);
  const variants = dtypes.flatMap((d) => VARIANTS.filter((v) => v.dtype === d && fs.existsSync(path.join(v.folder, v.onnxFile))));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'stc-bench-gpu-'));
  const rows: BenchRow[] = [];
  const notes: string[] = [];
  const dataset = `${path.basename(args.data, path.extname(args.data))} (first ${texts.length})`;
  try {
    for (const v of variants) {
      const model = await resolveModel(v.folder, { onnxFile: v.onnxFile });
      const refused = await startsOn(model, required);
      if (refused) throw new NotVerified(`the ${required} execution provider did not start: ${refused}.`);
      const gpuRuns = [await runOn(model, texts, required, path.join(work, v.dtype), threads)];
      for (const p of optional) {
        const reason = await startsOn(model, p);
        if (reason) notes.push(`${v.dtype}: ${p} did not start (${reason}); not measured.`);
        else gpuRuns.push(await runOn(model, texts, p, path.join(work, v.dtype), threads));
      }
      // The CPU baseline needs its own store folder: with the CPU standing in, the "GPU" run used cpu/.
      const cpu = await runOn(model, texts, 'cpu', path.join(work, v.dtype, 'baseline'), threads);
      const anchor = `CPU execution provider, ${threads || 'default'} threads, same script`;
      const cpuRate = cpu.run.rows / cpu.run.seconds;
      for (const g of gpuRuns) {
        if (!g.run.storeDir || !cpu.run.storeDir) throw new Error('A tapped extraction returned no feature store.');
        const parity = worst(compareStores(openFeatureStore(g.run.storeDir), openFeatureStore(cpu.run.storeDir), texts.length));
        const label = `${v.dtype}, ${g.provider}`;
        rows.push(
          row({ dataset, metric: `sentences/s (${label})`, unit: 'sentences/s', value: g.run.rows / g.run.seconds, anchor, anchor_value: cpuRate }),
          row({ dataset, metric: `tokens/s (${label})`, unit: 'tokens/s', value: g.run.tokens / g.run.seconds, anchor, anchor_value: cpu.run.tokens / cpu.run.seconds }),
          row({ dataset, metric: `min cosine per vector vs CPU, worst block (${label})`, unit: '', value: parity.minCosine.minCosine, anchor: 'goal', anchor_value: MIN_COSINE }, false),
          row({ dataset, metric: `max abs diff vs CPU, worst block (${label})`, unit: '', value: parity.maxAbsDiff.maxAbsDiff, anchor: 'CPU features', anchor_value: null }, false),
        );
        notes.push(
          `${label}: ${g.run.rows} rows, ${g.run.tokens} tokens, ${g.run.blocks} blocks in ${g.run.seconds.toFixed(2)} s (CPU ${cpu.run.seconds.toFixed(2)} s); session start ${g.run.setupSeconds.toFixed(2)} s; ${g.placement ? `${g.placement}; ` : ''}worst block ${parity.minCosine.block} (cosine ${parity.minCosine.minCosine.toFixed(6)}), ${parity.maxAbsDiff.block} (max abs diff ${parity.maxAbsDiff.maxAbsDiff.toExponential(2)}).`,
        );
        if (g.provider === required && parity.minCosine.minCosine < MIN_COSINE) {
          throw new NotVerified(`${label}: features differ from the CPU's (block ${parity.minCosine.block}, min cosine ${parity.minCosine.minCosine.toFixed(6)} < ${MIN_COSINE}).`);
        }
      }
    }
    if (!variants.length) throw new NotVerified('no model graph found (models/all-MiniLM-L6-v2/onnx/model_quantized.onnx is missing).');
    const summary = standIn
      ? 'CPU stand-in run: the script works; this says nothing about a GPU.'
      : `GPU path verified: ${required} on ${gpuDescription()}; features match the CPU's (min cosine >= ${MIN_COSINE} in every block).`;
    report({ rows, notes: [summary, ...notes] }, !standIn);
  } catch (e) {
    if (!(e instanceof NotVerified)) throw e;
    const setup = args['setup-problems'].split(';').filter(Boolean);
    const summary = `GPU path not verified: ${e.message}${setup.length ? ` Setup: ${setup.join('; ')}.` : ''}`;
    const covered = 'Provider selection and the fallback to the CPU (with the reason reported) are covered by unit tests (test/model/session.test.ts); GPU parity and throughput are unverified on hardware.';
    report({ rows, notes: [summary, covered, ...notes, `Machine: ${gpuDescription()}.`] }, !standIn && !verifiedResultExists());
    process.exitCode = 1;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** A failed run does not overwrite the record of a run that verified the path. */
function verifiedResultExists(): boolean {
  const file = path.join(RESULTS_DIR, 'gpu.json');
  if (!fs.existsSync(file)) return false;
  const previous = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<BenchResult>;
  return previous.notes?.[0]?.startsWith('GPU path verified') ?? false;
}

function report(result: Pick<BenchResult, 'rows' | 'notes'>, write: boolean): void {
  for (const r of result.rows) {
    const ratio = r.ratio === undefined ? '' : `  (${r.ratio.toFixed(2)}x ${r.anchor}: ${r.anchor_value?.toPrecision(4)})`;
    console.log(`${r.metric.padEnd(60)} ${r.value.toPrecision(6)} ${r.unit}${ratio}`);
  }
  for (const n of result.notes ?? []) console.log(`- ${n}`);
  if (!write) return;
  const ortVersion = (JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/onnxruntime-node/package.json'), 'utf8')) as { version: string }).version;
  const file = writeResult({
    benchmark: 'gpu',
    command: `bench/gpu/run.sh ${args.data ?? ''} ${args.rows} --require ${args.require} --token-budget ${args['token-budget']}`,
    date: new Date().toISOString(),
    machine: machine(ortVersion),
    ...result,
  });
  console.log(`wrote ${path.relative(ROOT, file)}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 2;
});
