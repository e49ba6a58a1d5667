// Bytes to text: UTF-8 only, with a clear error for binary files, UTF-16 and invalid UTF-8.
import { DataError } from './errors';

const NUL = 0x00;
const LF = 0x0a;

/**
 * Decodes a whole file, or with `truncated` a prefix of one (sniffing): a character cut by the
 * end of the prefix is dropped instead of being reported as invalid.
 * The UTF-8 byte order mark is removed.
 */
export function decodeUtf8(bytes: Uint8Array, file: string, truncated = false): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new DataError('encoding', { file }, 'the file is UTF-16 encoded; save it as UTF-8 and try again.');
  }
  const nul = bytes.indexOf(NUL);
  if (nul >= 0) {
    throw new DataError(
      'binary',
      { file, line: lineAt(bytes, nul), byteOffset: nul },
      'the file contains NUL bytes, so it is binary, not text; choose a CSV, TSV, JSONL or JSON file saved as UTF-8.',
    );
  }
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const end = truncated ? completeCharacterEnd(bytes) : bytes.length;
  const body = bytes.subarray(start, end);
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body);
  } catch {
    // TextDecoder does not say where: find the first bad byte ourselves.
    const bad = start + Math.max(0, firstInvalidUtf8(body));
    throw new DataError(
      'encoding',
      { file, line: lineAt(bytes, bad), byteOffset: bad },
      `invalid UTF-8 (byte 0x${(bytes[bad] ?? 0).toString(16).padStart(2, '0')}); the file is probably in another ` +
        'encoding such as Windows-1252 or Latin-1: save it as UTF-8 and try again.',
    );
  }
}

/** 1-based line of a byte offset. */
function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === LF) line++;
  return line;
}

/** End of the last complete UTF-8 character of a prefix cut at an arbitrary byte. */
function completeCharacterEnd(bytes: Uint8Array): number {
  let i = bytes.length;
  // Step back over at most 3 continuation bytes (10xxxxxx) to the lead byte of the last character.
  let back = 0;
  while (back < 3 && i - back - 1 >= 0 && ((bytes[i - back - 1] ?? 0) & 0xc0) === 0x80) back++;
  const leadAt = i - back - 1;
  if (leadAt < 0) return i;
  const lead = bytes[leadAt] ?? 0;
  const needed = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  if (needed > back + 1) i = leadAt;
  return i;
}

/** Offset of the first byte that is not part of a well-formed UTF-8 sequence (Unicode Table 3-7), or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i] ?? 0;
    if (b < 0x80) {
      i++;
      continue;
    }
    let length: number;
    let lo = 0x80;
    let hi = 0xbf; // allowed range of the second byte
    if (b >= 0xc2 && b <= 0xdf) length = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      length = 3;
      if (b === 0xe0) lo = 0xa0; // overlong
      if (b === 0xed) hi = 0x9f; // surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      length = 4;
      if (b === 0xf0) lo = 0x90; // overlong
      if (b === 0xf4) hi = 0x8f; // above U+10FFFF
    } else return i;
    const second = bytes[i + 1];
    if (second === undefined || second < lo || second > hi) return i;
    for (let k = 2; k < length; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
    }
    i += length;
  }
  return -1;
}
