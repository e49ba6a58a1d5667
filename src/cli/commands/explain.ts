// stc explain <classifier> <text>: why the classifier chose its label for one text.
import { explainText } from '../../core/explain';
import { flag, integerOption } from '../args';
import type { CommandSpec, ParsedArgs } from '../args';
import type { CliContext } from '../context';
import { writeLine } from '../context';
import { formatExplanation } from '../format';
import { openRuntime, RUNTIME_OPTIONS } from '../runtime';
import { argumentTexts, readStdinTexts } from '../texts';

export const explainSpec: CommandSpec = {
  name: 'explain',
  usage: '<classifier> <text|-> [options]',
  summary:
    'Explains one prediction: the label and probabilities, every kept neuron ranked by its contribution ' +
    '(weight x standardised value), and the top neurons\' values on each token of the text. "-" reads the text from standard input.',
  options: {
    top: { type: 'string', value: 'N', help: 'neurons shown on the tokens (default 5); the ranking lists 3 x N' },
    json: { type: 'boolean', help: 'print the explanation as one JSON object' },
    ...RUNTIME_OPTIONS,
  },
  positionals: [2, 2],
};

export async function explainCommand(ctx: CliContext, args: ParsedArgs): Promise<void> {
  const [classifier, given] = args.positionals as [string, string];
  const top = integerOption(args, 'top', 1) ?? 5;
  const texts = given === '-' ? await readStdinTexts(ctx) : argumentTexts([given]);
  // Standard input may hold a text with line breaks: explain it whole.
  const text = texts.join('\n');
  const { runtime, model } = await openRuntime(ctx, args, classifier);
  try {
    const explanation = await explainText(runtime, text, { top, modelFolder: model.folder });
    writeLine(ctx.stdout, flag(args, 'json') ? JSON.stringify(explanation) : formatExplanation(explanation, 3 * top));
  } finally {
    await runtime.close();
  }
}
