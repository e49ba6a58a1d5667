// A SavedClassifier built in memory around a hand-made classifier, for tests of what reads one
// (inference, explanations) without training or writing a folder.
import { CLASSIFIER_SCHEMA, CLASSIFIER_VERSION, type ModelIdentity, type SavedClassifier } from '../../src/core/artifact';
import type { StcClassifier, StcReport } from '../../src/core/stc';

export interface InMemoryClassifier {
  readonly dir: string;
  readonly name: string;
  readonly model: ModelIdentity;
  readonly classifier: StcClassifier;
  readonly labels: string[];
  readonly maxLength: number;
}

export function inMemorySavedClassifier(o: InMemoryClassifier): SavedClassifier {
  // The fewest blocks that reach every neuron: act layer l needs l + 1 blocks, hid layer l needs l.
  const k = Math.max(...o.classifier.neurons.map((n) => (n.kind === 'act' ? n.layer + 1 : n.layer)));
  return {
    dir: o.dir,
    manifest: {
      schema: CLASSIFIER_SCHEMA,
      version: CLASSIFIER_VERSION,
      name: o.name,
      createdAt: new Date(0).toISOString(),
      model: o.model,
      tokenizer: { maxLength: o.maxLength, truncation: 'end', addSpecialTokens: true },
      labels: o.labels,
      k,
      classifier: o.classifier,
      metrics: { metric: 'accuracy', validation: 1 },
      files: { report: 'report.json', examples: 'examples.json' },
    },
    // Neither inference nor explanations read the training report.
    report: {} as unknown as StcReport,
    examples: new Map(),
  };
}
