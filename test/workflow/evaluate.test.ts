import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SavedClassifier } from '../../src/core/artifact/types';
import type { ClassifierRuntime, Prediction } from '../../src/core/infer/types';
import { evaluateClassifier, formatEvaluation } from '../../src/core/workflow/evaluate';

/** A runtime whose prediction is "spam" when the text contains "win", else "ham". */
function fakeRuntime(labels: string[]): ClassifierRuntime & { classified: number } {
  const saved = { dir: '/nowhere.stc', manifest: { labels } } as unknown as SavedClassifier;
  const runtime = {
    saved,
    provider: 'cpu' as const,
    classified: 0,
    classify(texts: readonly string[], options?: { onProgress?: (d: number, t: number) => void }): Promise<Prediction[]> {
      runtime.classified += texts.length;
      options?.onProgress?.(texts.length, texts.length);
      return Promise.resolve(
        texts.map((t) => {
          const labelIndex = t.includes('win') ? 1 : 0;
          const proba = labelIndex === 1 ? [0.2, 0.8] : [0.9, 0.1];
          return { labelIndex, label: labels[labelIndex] as string, proba, values: new Float32Array(0), truncated: false };
        }),
      );
    },
    tokenActivations: () => Promise.reject(new Error('not used')),
    close: () => Promise.resolve(),
  };
  return runtime;
}

function csv(content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'stc-eval-'));
  const file = join(dir, 'data.csv');
  writeFileSync(file, content);
  return file;
}

test('evaluateClassifier scores every row with the classifier label order', async () => {
  const file = csv('text,label\nwin a prize,spam\nhello there,ham\nwin now,ham\nsee you,ham\n,spam\n');
  let progress: [number, number] | undefined;
  const e = await evaluateClassifier(fakeRuntime(['ham', 'spam']), { data: file, onProgress: (d, t) => (progress = [d, t]) });
  assert.deepEqual(progress, [4, 4]);
  assert.equal(e.file, file);
  assert.deepEqual(e.labels, ['ham', 'spam']);
  assert.equal(e.metrics.accuracy, 0.75);
  assert.deepEqual(e.metrics.confusion, [[2, 1], [0, 1]]);
  assert.deepEqual(e.rows[0], { row: 2, text: 'win a prize', gold: 'spam', predicted: 'spam', confidence: 0.8 });
  assert.equal(e.skipped.length, 1, 'the row with an empty text is reported');
  assert.equal(e.skipped[0]?.code, 'empty-text');
});

test('labels the classifier does not know are an error naming them and the row, before classifying', async () => {
  const file = csv('text,label\nwin,spam\nhi,ham\nbuy,promo\n');
  const runtime = fakeRuntime(['ham', 'spam']);
  await assert.rejects(evaluateClassifier(runtime, { data: file }), (e: Error) => {
    assert.equal(e.name, 'DataError');
    assert.match(e.message, /"promo" \(1 row, first at .*line 4\)/);
    return true;
  });
  assert.equal(runtime.classified, 0);
});

test('formatEvaluation shows the scores, per-class table and a named confusion matrix', async () => {
  const file = csv('text,label\nwin a prize,spam\nhello there,ham\nwin now,ham\nsee you,ham\n');
  const text = formatEvaluation(await evaluateClassifier(fakeRuntime(['ham', 'spam']), { data: file }));
  assert.match(text, /^Evaluation of 4 rows from /);
  assert.match(text, /accuracy +75\.0%/);
  assert.match(text, /macro-F1 +73\.3%/);
  assert.match(text, /\nham +100\.0% +66\.7% +80\.0% +3\n/);
  assert.match(text, /\nspam +50\.0% +100\.0% +66\.7% +1\n/);
  assert.match(text, /gold \\ predicted +ham +spam\nham +2 +1\nspam +0 +1$/);
});
