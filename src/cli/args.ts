// Command-line parsing: each command declares its options once (type, value name, help line);
// parsing (node:util parseArgs, strict) and the help text are both derived from that declaration.
import { parseArgs } from 'node:util';
import { UsageError } from './errors';

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** Shown in help after the option, e.g. `N` for `--threads N`. */
  readonly value?: string;
  readonly help: string;
}

export interface CommandSpec {
  readonly name: string;
  /** After `stc <name>`, e.g. `<classifier> [text...|-]`. */
  readonly usage: string;
  readonly summary: string;
  /** Extra paragraphs after the options. */
  readonly details?: readonly string[];
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Positionals accepted: [min, max] (max Infinity for a list). */
  readonly positionals: readonly [number, number];
}

export const HELP_OPTION: OptionSpec = { type: 'boolean', short: 'h', help: 'show this help' };

export interface ParsedArgs {
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  readonly positionals: readonly string[];
  readonly help: boolean;
}

export function parseCommand(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const options = Object.fromEntries(
    Object.entries({ ...spec.options, help: HELP_OPTION }).map(([name, o]) => [name, { type: o.type, ...(o.short && { short: o.short }) }]),
  );
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (e) {
    // parseArgs' messages name the option and say what is wrong; its advice about `--` is noise here.
    throw new UsageError(`stc ${spec.name}: ${(e as Error).message.replace(/\s*To specify a positional argument.*$/s, '')}`);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const help = values.help === true;
  const [min, max] = spec.positionals;
  const n = parsed.positionals.length;
  if (!help && (n < min || n > max)) {
    const what = n < min ? 'missing argument' : `unexpected argument "${parsed.positionals[max]}"`;
    throw new UsageError(`stc ${spec.name}: ${what}; usage: stc ${spec.name} ${spec.usage}`);
  }
  return { values, positionals: parsed.positionals, help };
}

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const v = args.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function flag(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true;
}

export function integerOption(args: ParsedArgs, name: string, min: number): number | undefined {
  const v = stringOption(args, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\s*\d+\s*$/.test(v) || !Number.isSafeInteger(n) || n < min) throw new UsageError(`--${name} ${v}: expected a whole number >= ${min}`);
  return n;
}

/** A number >= `min`, decimals allowed (e.g. `--feature-cache-gb 0.5`). */
export function numberOption(args: ParsedArgs, name: string, min: number): number | undefined {
  const v = stringOption(args, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\s*\d+(\.\d+)?\s*$/.test(v) || !Number.isFinite(n) || n < min) throw new UsageError(`--${name} ${v}: expected a number >= ${min}`);
  return n;
}

export function choiceOption<T extends string>(args: ParsedArgs, name: string, choices: readonly T[]): T | undefined {
  const v = stringOption(args, name);
  if (v === undefined) return undefined;
  if (!(choices as readonly string[]).includes(v)) throw new UsageError(`--${name} ${v}: expected one of ${choices.join(', ')}`);
  return v as T;
}

/** A comma-separated subset of `choices`, e.g. `--kinds hid,act`. */
export function listOption<T extends string>(args: ParsedArgs, name: string, choices: readonly T[]): T[] | undefined {
  const v = stringOption(args, name);
  if (v === undefined) return undefined;
  const items = v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const unknown = items.filter((s) => !(choices as readonly string[]).includes(s));
  if (items.length === 0 || unknown.length > 0) throw new UsageError(`--${name} ${v}: expected a comma-separated list of ${choices.join(', ')}`);
  return items as T[];
}

export function formatHelp(spec: CommandSpec): string {
  const entries = Object.entries({ ...spec.options, help: HELP_OPTION }).map(([name, o]) => {
    const left = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.value ? ` ${o.value}` : ''}`;
    return [left, o.help] as const;
  });
  const width = Math.max(...entries.map(([left]) => left.length));
  return [
    `usage: stc ${spec.name} ${spec.usage}`,
    '',
    spec.summary,
    '',
    'options:',
    ...entries.map(([left, help]) => `  ${left.padEnd(width)}  ${help}`),
    ...(spec.details ?? []).flatMap((d) => ['', d]),
  ].join('\n');
}
