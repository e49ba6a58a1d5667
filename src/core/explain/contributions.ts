// Each kept neuron's share of a prediction: weight x standardised value, per label. For a binary
// classifier (one logit, that of label 1) the share is split symmetrically, [-w z, w z], and so is
// the intercept: label k's score is intercepts[k] + sum of byLabel[k], and its probability is the
// sigmoid of that score (binary) or the softmax of all scores (more classes).
import type { StcClassifier } from '../stc';
import type { NeuronContribution } from './types';

/** Intercept per label, in the convention of NeuronContribution.byLabel. */
export function labelIntercepts(classifier: StcClassifier): number[] {
  const b = classifier.intercepts;
  return classifier.outputs === 1 ? [-(b[0] ?? 0), b[0] ?? 0] : [...b];
}

/** Every neuron of `classifier`, by |contribution to `labelIndex`| descending, ties by name.
 *  `values` are the raw pooled values in classifier.neurons order (Prediction.values). */
export function neuronContributions(classifier: StcClassifier, values: ArrayLike<number>, labelIndex: number): NeuronContribution[] {
  if (values.length !== classifier.neurons.length) {
    throw new Error(`the prediction has ${values.length} neuron values but the classifier has ${classifier.neurons.length} neurons; explain with the runtime of the same classifier`);
  }
  const out = classifier.neurons.map((neuron, j): NeuronContribution => {
    const value = values[j] as number;
    // The same float32 arithmetic as the classifier's design matrix, so the scores reproduce its
    // probabilities exactly.
    const standardised = Math.fround((value - neuron.mean) * (1 / neuron.scale));
    const byLabel = classifier.outputs === 1 ? [-(neuron.weights[0] ?? 0) * standardised, (neuron.weights[0] ?? 0) * standardised] : neuron.weights.map((w) => w * standardised);
    return { name: neuron.name, value, standardised, byLabel, contribution: byLabel[labelIndex] ?? 0 };
  });
  return out.sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
