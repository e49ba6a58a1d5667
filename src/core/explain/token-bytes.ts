// The bytes of the (normalised) text a token string stands for, whatever its family spells it with.
import type { TokenizerStyle } from './style';

/** GPT-2's byte-to-unicode table, inverted: printable Latin-1 bytes stand for themselves, the other
 *  68 bytes (controls, space, 0x7F-0xA0, 0xAD) for U+0100 onwards, in byte order. */
const BYTE_OF_CHAR: ReadonlyMap<number, number> = (() => {
  const map = new Map<number, number>();
  let shifted = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
    map.set(printable ? b : 256 + shifted++, b);
  }
  return map;
})();

const BYTE_TOKEN = /^<0x([0-9A-Fa-f]{2})>$/;
const encoder = new TextEncoder();

function byteLevelBytes(token: string): Uint8Array {
  const out: number[] = [];
  for (const ch of token) {
    const cp = ch.codePointAt(0) ?? 0;
    const b = BYTE_OF_CHAR.get(cp);
    // Added tokens are stored as plain text, not through the table.
    if (b !== undefined) out.push(b);
    else out.push(...encoder.encode(ch));
  }
  return Uint8Array.from(out);
}

export function tokenBytes(token: string, style: TokenizerStyle): Uint8Array {
  const byte = style.byteFallback ? BYTE_TOKEN.exec(token) : null;
  if (byte) return Uint8Array.of(parseInt(byte[1] as string, 16));
  let piece = token;
  if (style.continuingPrefix && piece.startsWith(style.continuingPrefix) && piece.length > style.continuingPrefix.length) piece = piece.slice(style.continuingPrefix.length);
  if (style.endOfWordSuffix && piece.endsWith(style.endOfWordSuffix) && piece.length > style.endOfWordSuffix.length) piece = piece.slice(0, -style.endOfWordSuffix.length);
  return style.byteLevel ? byteLevelBytes(piece) : encoder.encode(piece);
}
