// One text explained: its prediction, every kept neuron's contribution, and the top neurons' values
// on each token, placed on the text.
import { resolveClassifierModel } from '../artifact';
import type { ClassifierRuntime } from '../infer/types';
import { alignTokens } from './align';
import { labelIntercepts, neuronContributions } from './contributions';
import { tokenizerStyle } from './style';
import type { Explanation, NeuronOnTokens } from './types';

export interface ExplainOptions {
  /** How many of the top neurons to show on the tokens; default 5. */
  readonly top?: number;
  /** The base model's folder (ResolvedModel.folder), for its tokenizer.json. Without it the
   *  classifier's recorded model is found and checked again (hashing its files). */
  readonly modelFolder?: string;
}

export async function explainText(runtime: ClassifierRuntime, text: string, options: ExplainOptions = {}): Promise<Explanation> {
  const top = options.top ?? 5;
  if (!Number.isInteger(top) || top < 0) throw new Error(`top must be a whole number >= 0, got ${top}.`);
  const [prediction] = await runtime.classify([text]);
  if (!prediction) throw new Error('The classifier returned no prediction for the text.');
  const { classifier, labels } = runtime.saved.manifest;
  const contributions = neuronContributions(classifier, prediction.values, prediction.labelIndex);
  const shown = contributions.slice(0, top).map((c) => c.name);
  const activations = await runtime.tokenActivations(text, shown);
  const modelFolder = options.modelFolder ?? (await resolveClassifierModel(runtime.saved)).folder;
  const tokens = alignTokens(text, activations.tokens, activations.special, tokenizerStyle(modelFolder));
  const onTokens = shown.map((name): NeuronOnTokens => {
    const values = activations.values.get(name);
    if (!values) throw new Error(`The runtime gave no per-token values for ${name}.`);
    return { name, values: Array.from(values) };
  });
  return {
    text,
    labels,
    labelIndex: prediction.labelIndex,
    label: prediction.label,
    proba: prediction.proba,
    intercepts: labelIntercepts(classifier),
    contributions,
    tokens,
    onTokens,
    truncated: prediction.truncated || activations.truncated,
  };
}
