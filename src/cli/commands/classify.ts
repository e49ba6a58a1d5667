// stc classify <classifier> [text...|-]: one prediction per text.
import { neuronContributions } from '../../core/explain';
import { flag, integerOption } from '../args';
import type { CommandSpec, ParsedArgs } from '../args';
import type { CliContext } from '../context';
import { warn, writeLine } from '../context';
import { formatPrediction, predictionJson } from '../format';
import { createProgress } from '../progress';
import { openRuntime, RUNTIME_OPTIONS } from '../runtime';
import { argumentTexts, readStdinTexts } from '../texts';

/** Below this many texts a progress display is only noise. */
const PROGRESS_MIN_TEXTS = 64;

export const classifySpec: CommandSpec = {
  name: 'classify',
  usage: '<classifier> [text...|-] [options]',
  summary:
    'Classifies texts with a saved classifier (a .stc folder). With no text, or "-", reads standard input: one text per line. ' +
    'Prints one line per text: label, its probability, the text (tab-separated).',
  options: {
    json: { type: 'boolean', help: 'one JSON object per line: text, label, proba (per label), truncated, neurons (top contributions)' },
    top: { type: 'string', value: 'N', help: 'neurons listed per text with --json (default 5)' },
    ...RUNTIME_OPTIONS,
  },
  positionals: [1, Infinity],
  details: ['Empty texts are errors (exit 65); texts longer than the classifier\'s max length are classified on their beginning, with a warning.'],
};

export async function classifyCommand(ctx: CliContext, args: ParsedArgs): Promise<void> {
  const [classifier, ...given] = args.positionals as [string, ...string[]];
  const top = integerOption(args, 'top', 0) ?? 5;
  const fromStdin = given.length === 0 || (given.length === 1 && given[0] === '-');
  const texts = fromStdin ? await readStdinTexts(ctx) : argumentTexts(given);
  const { runtime } = await openRuntime(ctx, args, classifier);
  const progress = createProgress(ctx);
  try {
    const labels = runtime.saved.manifest.labels;
    const predictions = await runtime.classify(texts, {
      signal: ctx.signal,
      ...(texts.length >= PROGRESS_MIN_TEXTS && { onProgress: (done: number, total: number) => progress.update({ stage: 'classifying', done, total }) }),
    });
    progress.finish();
    predictions.forEach((p, i) => {
      const text = texts[i] as string;
      if (p.truncated) warn(ctx, `text ${i + 1} is longer than ${runtime.saved.manifest.tokenizer.maxLength} tokens; only its beginning was classified.`);
      if (flag(args, 'json')) writeLine(ctx.stdout, predictionJson(labels, p, text, neuronContributions(runtime.saved.manifest.classifier, p.values, p.labelIndex).slice(0, top)));
      else writeLine(ctx.stdout, formatPrediction(p, text));
    });
  } finally {
    progress.finish();
    await runtime.close();
  }
}
