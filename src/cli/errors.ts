// Exit codes (sysexits.h where one fits) and how an error becomes one clear line for the user.
// The table is repeated in `stc --help` and src/cli/README.md.
import { ArtifactError } from '../core/artifact/errors';
import { DataError } from '../core/data/errors';
import { isAbortError } from '../core/stc/abort';

export const EXIT = {
  ok: 0,
  /** An error the engine explained (a model that cannot be loaded, settings it refuses, ...). */
  failed: 1,
  usage: 64, // EX_USAGE
  data: 65, // EX_DATAERR: a data file, text or classifier that is malformed, damaged or inconsistent
  noInput: 66, // EX_NOINPUT: a data file or classifier that does not exist or cannot be read
  unavailable: 69, // EX_UNAVAILABLE: the base model cannot be found (and downloads are off)
  internal: 70, // EX_SOFTWARE: a bug
  cannotCreate: 73, // EX_CANTCREAT: the output exists (without --force) or cannot be written
  interrupted: 130, // 128 + SIGINT
} as const;

export const EXIT_CODE_HELP: readonly (readonly [number, string])[] = [
  [EXIT.ok, 'success'],
  [EXIT.failed, 'the command failed for a reason it names (e.g. a model that cannot be loaded)'],
  [EXIT.usage, 'usage error: unknown command or option, missing or invalid argument'],
  [EXIT.data, 'bad data: malformed, binary or non-UTF-8 input, empty text, unknown labels, a damaged classifier, the wrong base model'],
  [EXIT.noInput, 'a data file or classifier does not exist or cannot be read'],
  [EXIT.unavailable, 'the base model cannot be found (downloads are off)'],
  [EXIT.internal, 'internal error (a bug: rerun with STC_DEBUG=1 and report it)'],
  [EXIT.cannotCreate, 'the output exists (use --force) or cannot be written'],
  [EXIT.interrupted, 'interrupted (Ctrl-C); nothing was saved'],
];

/** Wrong command line: the message is followed by a pointer to the command's help. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** An error the CLI itself detects, with the exit code it ends with. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

const ARTIFACT_EXIT: Record<ArtifactError['code'], number> = {
  'missing-folder': EXIT.noInput,
  unreadable: EXIT.noInput,
  'not-a-classifier': EXIT.data,
  'missing-file': EXIT.data,
  'invalid-json': EXIT.data,
  'newer-version': EXIT.data,
  'invalid-manifest': EXIT.data,
  'invalid-report': EXIT.data,
  'invalid-examples': EXIT.data,
  'hash-mismatch': EXIT.data,
  'model-mismatch': EXIT.data,
  'model-not-found': EXIT.unavailable,
  'save-failed': EXIT.cannotCreate,
};

/** Programming errors, as opposed to errors whose message is meant for the user. */
function isBug(e: unknown): boolean {
  return e instanceof TypeError || e instanceof RangeError || e instanceof ReferenceError || e instanceof SyntaxError || !(e instanceof Error);
}

export function exitCodeOf(e: unknown): number {
  if (isAbortError(e)) return EXIT.interrupted;
  if (e instanceof UsageError) return EXIT.usage;
  if (e instanceof CliError) return e.exitCode;
  if (e instanceof DataError) return e.code === 'not-found' ? EXIT.noInput : EXIT.data;
  if (e instanceof ArtifactError) return ARTIFACT_EXIT[e.code];
  return isBug(e) ? EXIT.internal : EXIT.failed;
}

/** What to print: one message, the stack only with STC_DEBUG=1. */
export function describeError(e: unknown, debug: boolean): string {
  if (debug && e instanceof Error && e.stack) return e.stack;
  if (isAbortError(e)) return 'interrupted; nothing was saved.';
  const message = e instanceof Error ? e.message : String(e);
  return isBug(e) ? `internal error: ${message} (rerun with STC_DEBUG=1 for the stack trace, and please report it)` : message;
}
