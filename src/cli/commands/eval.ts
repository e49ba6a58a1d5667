// stc eval <classifier> <data>: scores a saved classifier on a labelled file.
import { evaluateClassifier, formatEvaluation } from '../../core/workflow/evaluate';
import { flag, stringOption } from '../args';
import type { CommandSpec, ParsedArgs } from '../args';
import type { CliContext } from '../context';
import { writeLine } from '../context';
import { createProgress } from '../progress';
import { openRuntime, RUNTIME_OPTIONS } from '../runtime';
import { COLUMN_OPTIONS, DATA_FORMATS } from './train';

export const evalSpec: CommandSpec = {
  name: 'eval',
  usage: '<classifier> <data> [options]',
  summary: 'Scores a saved classifier on a labelled data file: accuracy, macro-F1, per-class precision/recall/F1 and the confusion matrix.',
  options: {
    ...COLUMN_OPTIONS,
    json: { type: 'boolean', help: 'print the evaluation (metrics and every row\'s prediction) as JSON' },
    ...RUNTIME_OPTIONS,
  },
  positionals: [2, 2],
  details: [DATA_FORMATS, 'A label the classifier does not know is an error naming it and its rows (exit 65).'],
};

export async function evalCommand(ctx: CliContext, args: ParsedArgs): Promise<void> {
  const [classifier, data] = args.positionals as [string, string];
  const textColumn = stringOption(args, 'text-column');
  const labelColumn = stringOption(args, 'label-column');
  const { runtime } = await openRuntime(ctx, args, classifier);
  const progress = createProgress(ctx);
  try {
    const evaluation = await evaluateClassifier(runtime, {
      data,
      ...(textColumn !== undefined && { textColumn }),
      ...(labelColumn !== undefined && { labelColumn }),
      signal: ctx.signal,
      onProgress: (done, total) => progress.update({ stage: 'classifying', done, total }),
    });
    progress.finish();
    writeLine(ctx.stdout, flag(args, 'json') ? JSON.stringify(evaluation) : formatEvaluation(evaluation));
  } finally {
    progress.finish();
    await runtime.close();
  }
}
