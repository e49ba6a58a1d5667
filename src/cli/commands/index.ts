// The commands `stc` knows, in the order its help lists them.
import type { CommandSpec, ParsedArgs } from '../args';
import type { CliContext } from '../context';
import { classifyCommand, classifySpec } from './classify';
import { demoCommand, demoSpec } from './demo';
import { evalCommand, evalSpec } from './eval';
import { explainCommand, explainSpec } from './explain';
import { inspectCommand, inspectSpec } from './inspect';
import { trainCommand, trainSpec } from './train';

export interface Command {
  readonly spec: CommandSpec;
  run(ctx: CliContext, args: ParsedArgs): Promise<void>;
}

export const COMMANDS: readonly Command[] = [
  { spec: trainSpec, run: trainCommand },
  { spec: evalSpec, run: evalCommand },
  { spec: classifySpec, run: classifyCommand },
  { spec: explainSpec, run: explainCommand },
  { spec: inspectSpec, run: inspectCommand },
  { spec: demoSpec, run: demoCommand },
];
