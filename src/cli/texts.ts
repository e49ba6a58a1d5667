// The texts `stc classify` and `stc explain` work on: from the command line, or one per line from
// standard input. Input must be UTF-8 text; an empty text is an error, not a silent skip, so that
// output lines always match input lines.
import { DataError } from '../core/data/errors';
import { decodeUtf8 } from '../core/data/decode';
import { StcAbortError, throwIfAborted } from '../core/stc/abort';
import type { CliContext } from './context';

export const STDIN_NAME = '<stdin>';
/** With the u flag a surrogate range matches only surrogates that are not part of a pair. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Everything `input` yields; rejects with an AbortError as soon as `signal` aborts (Ctrl-C while
 *  waiting for a terminal's input). */
export async function readAll(input: AsyncIterable<Uint8Array | string>, signal: AbortSignal): Promise<Uint8Array> {
  throwIfAborted(signal);
  const aborted = new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new StcAbortError()), { once: true }));
  aborted.catch(() => undefined); // only observed while reading
  const chunks: Buffer[] = [];
  const iterator = input[Symbol.asyncIterator]();
  for (;;) {
    const next = await Promise.race([iterator.next(), aborted]);
    if (next.done) break;
    chunks.push(typeof next.value === 'string' ? Buffer.from(next.value, 'utf8') : Buffer.from(next.value));
  }
  return Buffer.concat(chunks);
}

/** One text per line (LF or CRLF); a final line break does not start another text. */
export async function readStdinTexts(ctx: CliContext): Promise<string[]> {
  if (ctx.stdinIsTTY) ctx.stderr.write('Reading texts from standard input, one per line; end with Ctrl-D.\n');
  const text = decodeUtf8(await readAll(ctx.stdin, ctx.signal), STDIN_NAME);
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  if (lines.length === 0) throw new DataError('empty', { file: STDIN_NAME }, 'no text to classify; give texts as arguments or one per line on standard input.');
  lines.forEach((line, i) => checkText(line, { file: STDIN_NAME, line: i + 1 }));
  return lines;
}

/** Texts given as arguments (Node has decoded them, replacing bytes that are not UTF-8 with U+FFFD). */
export function argumentTexts(texts: readonly string[]): string[] {
  texts.forEach((t, i) => checkText(t, { file: `argument ${i + 1}` }));
  return [...texts];
}

function checkText(text: string, at: { file: string; line?: number }): void {
  if (text.trim() === '') throw new DataError('empty', at, 'the text is empty; give a non-empty text.');
  if (text.includes('\0')) throw new DataError('binary', at, 'the text contains NUL bytes, so it is binary data, not text; give UTF-8 text.');
  if (LONE_SURROGATE.test(text)) throw new DataError('encoding', at, 'the text contains a lone UTF-16 surrogate, so it is not valid Unicode; give UTF-8 text.');
}
