// stc demo: trains on the bundled SMS spam sample with the embedded model, then classifies and
// explains two sentences. Everything it writes goes to the work folder.
import * as path from 'node:path';
import { explainText } from '../../core/explain';
import { resolveClassifierModel } from '../../core/artifact';
import { packageRoot } from '../../core/model/package-root';
import type { CommandSpec, ParsedArgs } from '../args';
import type { CliContext } from '../context';
import { writeLine } from '../context';
import { formatExplanation, formatLayerTable, formatPrediction, formatScores } from '../format';
import { formatDuration } from '../progress';
import { DEVICE_OPTION, deviceOf, FEATURE_CACHE_OPTION, featureCacheBytesOf, startRuntime, THREADS_OPTION, threadsOf, WORK_DIR_OPTION, workDirOf } from '../runtime';
import { runTraining } from './train';

export const DEMO_DATA = 'examples/sms-spam';
export const DEMO_SENTENCES = [
  'Congratulations! You have been selected to receive a free holiday. Call 09061701461 now to claim your prize.',
  'Are we still meeting for lunch tomorrow? I can be there around noon.',
] as const;

export const demoSpec: CommandSpec = {
  name: 'demo',
  usage: '[options]',
  summary:
    `Trains a classifier on the bundled SMS spam sample (${DEMO_DATA}: 300 training, 100 test messages) with the embedded ` +
    'all-MiniLM-L6-v2 model, prints the per-layer table and the test scores, then classifies and explains two sentences.',
  options: { device: DEVICE_OPTION, threads: THREADS_OPTION, 'work-dir': WORK_DIR_OPTION, 'feature-cache-gb': FEATURE_CACHE_OPTION },
  positionals: [0, 0],
};

export async function demoCommand(ctx: CliContext, args: ParsedArgs): Promise<void> {
  const started = performance.now();
  const data = path.join(packageRoot(), DEMO_DATA);
  const workDir = workDirOf(args, ctx.env);
  const device = deviceOf(args);
  const threads = threadsOf(args);
  const out = path.join(workDir, 'demo', 'sms-spam.stc');
  writeLine(ctx.stdout, `Training on ${path.join(data, 'train.csv')} (test: test.csv; validation: a seeded 10% of train) with the embedded all-MiniLM-L6-v2 model.`);
  const { saved } = await runTraining(ctx, {
    train: path.join(data, 'train.csv'),
    test: path.join(data, 'test.csv'),
    model: 'default',
    out,
    workDir,
    maxFeatureCacheBytes: featureCacheBytesOf(args),
    signal: ctx.signal,
    ...(device && { device }),
    ...(threads !== undefined && { threads }),
  });
  writeLine(ctx.stdout);
  writeLine(ctx.stdout, formatLayerTable(saved.report));
  writeLine(ctx.stdout);
  writeLine(ctx.stdout, formatScores(saved.report));
  writeLine(ctx.stdout);
  writeLine(ctx.stdout, `Saved ${saved.dir}`);

  const model = await resolveClassifierModel(saved);
  const runtime = await startRuntime(ctx, saved, model, { device, threads, workDir });
  try {
    writeLine(ctx.stdout, '\nstc classify:');
    const predictions = await runtime.classify(DEMO_SENTENCES, { signal: ctx.signal });
    predictions.forEach((p, i) => writeLine(ctx.stdout, `  ${formatPrediction(p, DEMO_SENTENCES[i] as string)}`));
    for (const sentence of DEMO_SENTENCES) {
      writeLine(ctx.stdout, `\nstc explain "${sentence}"`);
      writeLine(ctx.stdout, formatExplanation(await explainText(runtime, sentence, { top: 3, modelFolder: model.folder }), 8));
    }
  } finally {
    await runtime.close();
  }
  writeLine(ctx.stdout, `\nDemo finished in ${formatDuration((performance.now() - started) / 1000)} (work folder: ${workDir}).`);
}
