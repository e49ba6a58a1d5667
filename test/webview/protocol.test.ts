import assert from 'node:assert/strict';
import { test } from 'node:test';
import { arr, int, MessageError, nullable, num, obj, opt, str } from '../../webview/shared/guard';
import { fromWebview, toWebview } from '../../webview/shared/protocol';

test('webview messages: known types pass, unknown fields are dropped', () => {
  assert.deepEqual(fromWebview({ type: 'openNeuron', name: 'L3.act.mean#7', extra: '<script>' }, ''), { type: 'openNeuron', name: 'L3.act.mean#7' });
  assert.deepEqual(fromWebview({ type: 'ready' }, ''), { type: 'ready' });
});

test('bad messages are refused with the path of the first bad field', () => {
  const refused = (value: unknown, pattern: RegExp) => assert.throws(() => fromWebview(value, ''), (e: unknown) => e instanceof MessageError && pattern.test(e.message));
  refused({ type: 'openNeuron' }, /^name: expected a string, got undefined/);
  refused({ type: 'openNeuron', name: 7 }, /^name: expected a string, got number/);
  refused({ type: 'runCommand', command: 'x' }, /^type: expected one of ready, openNeuron, error, got "runCommand"/);
  refused(null, /^type: expected one of/);
  refused('ready', /^type: expected one of/);
  // The host's own messages are not accepted from the webview.
  refused({ type: 'model', model: {} }, /^type: expected one of/);
});

test('host messages: nested fields are checked, NaN and Infinity refused', () => {
  const explanation = { source: 'a.txt:1', text: 'hi', label: 'x', labels: ['x', 'y'], proba: [0.7, 0.3], truncated: false, contributions: [{ name: 'L0.hid.mean#1', value: 1, standardised: 0.5, contribution: 0.2 }], total: 1 };
  assert.deepEqual(toWebview({ type: 'explanation', explanation }, ''), { type: 'explanation', explanation });
  assert.throws(
    () => toWebview({ type: 'explanation', explanation: { ...explanation, proba: [NaN, 1] } }, ''),
    /explanation\.proba\[0\]: expected a finite number, got number/,
  );
  assert.throws(
    () => toWebview({ type: 'explanation', explanation: { ...explanation, contributions: [{ name: 'n', value: 1, standardised: Infinity, contribution: 0 }] } }, ''),
    /explanation\.contributions\[0\]\.standardised/,
  );
  assert.throws(() => toWebview({ type: 'empty' }, ''), /reason: expected a string/);
});

test('guards: optional, nullable, integer and array fields', () => {
  const g = obj({ a: opt(str), b: nullable(num), c: arr(int) });
  assert.deepEqual(g({ b: null, c: [1, 2] }, 'm'), { b: null, c: [1, 2] });
  assert.throws(() => g({ b: 1, c: [1, 2.5] }, 'm'), /m\.c\[1\]: expected an integer/);
  assert.throws(() => g({ b: 'x', c: [] }, 'm'), /m\.b: expected a finite number/);
  assert.throws(() => g([], 'm'), /m: expected an object, got an array/);
});
