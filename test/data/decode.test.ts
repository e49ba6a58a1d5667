import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isUtf8 } from 'node:buffer';
import { decodeUtf8, firstInvalidUtf8 } from '../../src/core/data/decode';
import { DataError } from '../../src/core/data/errors';

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

test('decodes UTF-8 and drops the byte order mark', () => {
  assert.equal(decodeUtf8(utf8('\ufeffcafé ☕ 😀'), 'f'), 'café ☕ 😀');
  assert.equal(decodeUtf8(utf8('a\ufeffb'), 'f'), 'a\ufeffb'); // only a leading BOM is one
});

test('invalid UTF-8 names the byte and the line and says what to do', () => {
  const data = new Uint8Array([...utf8('text,label\nok,a\ncaf'), 0xe9, ...utf8(' au lait,b\n')]);
  assert.throws(
    () => decodeUtf8(data, 'latin1.csv'),
    (e: unknown) =>
      e instanceof DataError &&
      e.code === 'encoding' &&
      e.location.byteOffset === 19 &&
      e.location.line === 3 &&
      e.message.startsWith('latin1.csv, line 3, byte 19: invalid UTF-8 (byte 0xe9)') &&
      /save it as UTF-8/.test(e.message),
  );
});

test('NUL bytes mean binary; a UTF-16 byte order mark gets its own message', () => {
  assert.throws(() => decodeUtf8(bytes(0x61, 0x0a, 0x62, 0x00), 'b.csv'), (e: unknown) => e instanceof DataError && e.code === 'binary' && e.location.line === 2);
  assert.throws(() => decodeUtf8(bytes(0xff, 0xfe, 0x61, 0x00), 'u.csv'), (e: unknown) => e instanceof DataError && /UTF-16/.test(e.message));
});

test('a prefix cut inside a character is decoded up to the last whole character', () => {
  const full = utf8('ab😀');
  for (let cut = 2; cut < full.length; cut++) assert.equal(decodeUtf8(full.subarray(0, cut), 'f', true), 'ab');
  assert.equal(decodeUtf8(full, 'f', true), 'ab😀');
  // A truly invalid byte is still an error in a prefix.
  assert.throws(() => decodeUtf8(bytes(0x61, 0xff, 0x62), 'f', true), DataError);
});

test('firstInvalidUtf8 finds overlongs, surrogates, out-of-range and cut sequences', () => {
  assert.equal(firstInvalidUtf8(utf8('plain ascii and é, ☕, 😀')), -1);
  assert.equal(firstInvalidUtf8(bytes(0x61, 0xc0, 0x80)), 1); // overlong NUL
  assert.equal(firstInvalidUtf8(bytes(0xe0, 0x80, 0x80)), 0); // overlong 3-byte
  assert.equal(firstInvalidUtf8(bytes(0x61, 0x62, 0xed, 0xa0, 0x80)), 2); // UTF-16 surrogate
  assert.equal(firstInvalidUtf8(bytes(0xf4, 0x90, 0x80, 0x80)), 0); // above U+10FFFF
  assert.equal(firstInvalidUtf8(bytes(0x61, 0xe2, 0x98)), 1); // cut
  assert.equal(firstInvalidUtf8(bytes(0x80)), 0); // lone continuation byte
});

test('firstInvalidUtf8 agrees with Node on random byte strings', () => {
  let seed = 7;
  const next = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24;
  for (let n = 0; n < 5000; n++) {
    const data = Uint8Array.from({ length: 1 + (n % 9) }, () => {
      const b = next();
      return b < 96 ? b & 0x7f : b; // mostly high bytes, some ASCII
    });
    assert.equal(firstInvalidUtf8(data) < 0, isUtf8(data), `bytes ${[...data].join(',')}`);
  }
});
