// Records test/fixtures/report/sentiment.{report,examples}.json: a real trainStc run on the
// synthetic feature source (planted neurons), with made-up texts for the rows its neuron
// statistics cite. Run: node --import tsx test/webview/record-report.ts
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { mulberry32 } from '../../src/core/random';
import { trainStc } from '../../src/core/stc';
import { syntheticInput } from '../stc/synthetic';

const OUT = path.resolve(import.meta.dirname, '../fixtures/report');
const classes = ['negative', 'neutral', 'positive'];
const words: Record<string, string[]> = {
  negative: ['awful', 'broken', 'slow', 'refund', 'disappointing', 'never again', 'rude'],
  neutral: ['arrived', 'on Tuesday', 'the box', 'as described', 'okay', 'average', 'standard'],
  positive: ['great', 'lovely', 'fast', 'recommend', 'excellent', 'delighted', 'perfect'],
};

const input = syntheticInput({
  numLayers: 6,
  hidDim: 16,
  actDim: 48,
  classWeights: [1, 1, 1],
  rows: { train: 300, dev: 150, test: 150 },
  plants: [
    { block: 'L2.act.mean', index: 5, klass: 0, strength: 1.8 },
    { block: 'L3.act.max', index: 17, klass: 2, strength: 1.6 },
    { block: 'L4.hid.mean', index: 9, klass: 2, strength: 1.4 },
    { block: 'L5.act.mean', index: 40, klass: 1, strength: 1.5 },
    { block: 'L1.hid.max', index: 3, klass: 0, strength: 0.9 },
    { block: 'L2.act.max', index: 30, klass: 1, strength: 0.8 },
    { block: 'L3.act.mean', index: 8, klass: 2, strength: 0.9 },
    { block: 'L4.act.mean', index: 22, klass: 0, strength: 0.8 },
    { block: 'L5.hid.mean', index: 12, klass: 1, strength: 0.9 },
    { block: 'L6.hid.mean', index: 2, klass: 0, strength: 0.8 },
  ],
});
async function main(): Promise<void> {
  const report = await trainStc({ ...input, classes, model: { id: 'synthetic-6-layer', sha256: '0'.repeat(64) }, devSource: 'dev.jsonl' }, { threads: 1 });

  const rand = mulberry32(11);
  const pick = (list: readonly string[]) => list[Math.floor(rand() * list.length)] as string;
  const cited = new Set(report.neuronStats.flatMap((s) => [...s.top, ...s.bottom].map((r) => r.row)));
  const examples = [...cited]
    .sort((a, b) => a - b)
    .map((row) => {
      const label = classes[input.y[row] as number] as string;
      const text = `The order ${pick(words[label] as string[])}, ${pick(words.neutral as string[])}; really ${pick(words[label] as string[])}.`;
      return { row, text, label };
    });

  writeFileSync(path.join(OUT, 'sentiment.report.json'), `${JSON.stringify(report, null, 1)}\n`);
  writeFileSync(path.join(OUT, 'sentiment.examples.json'), `${JSON.stringify(examples, null, 1)}\n`);
  console.log(`k=${report.chosen.k} ${report.classifier.neurons.length} neurons, ${examples.length} examples -> ${OUT}`);
}

void main();
