// stc inspect <classifier>: what a saved classifier is, without running it.
import { loadClassifier } from '../../core/artifact';
import { flag } from '../args';
import type { CommandSpec, ParsedArgs } from '../args';
import type { CliContext } from '../context';
import { writeLine } from '../context';
import { formatInspect } from '../format';

export const inspectSpec: CommandSpec = {
  name: 'inspect',
  usage: '<classifier> [options]',
  summary:
    'Describes a saved classifier: base model, labels, k (blocks run), kept neurons per layer, metrics, ' +
    'the per-layer probe table and the baselines. Loading checks the folder\'s hashes; the model is not run.',
  options: {
    json: { type: 'boolean', help: 'print the manifest as JSON' },
  },
  positionals: [1, 1],
};

export async function inspectCommand(ctx: CliContext, args: ParsedArgs): Promise<void> {
  const saved = await loadClassifier(args.positionals[0] as string);
  writeLine(ctx.stdout, flag(args, 'json') ? JSON.stringify(saved.manifest, null, 2) : formatInspect(saved));
}
