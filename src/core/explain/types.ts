// A prediction explained: which kept neurons decided it, and where in the text they fire.

/** A token placed on the original text. Offsets are UTF-16 code units of the text as given
 *  (JavaScript string indices), end exclusive; start === end for special tokens and for tokens
 *  that cannot be placed. */
export interface TokenSpan {
  readonly token: string;
  readonly start: number;
  readonly end: number;
  readonly special: boolean;
}

export interface NeuronContribution {
  /** `L{layer}.{kind}.{pooling}#{index}` */
  readonly name: string;
  /** Raw pooled value. */
  readonly value: number;
  /** (value - mean) / scale: what the classifier reads. */
  readonly standardised: number;
  /** Weight x standardised value per label. A binary classifier has one logit (label 1): its
   *  entry is [-w z, w z], so a positive entry always means evidence for that label. */
  readonly byLabel: readonly number[];
  /** byLabel at the predicted label: the neuron's push toward (positive) or away from it. */
  readonly contribution: number;
}

export interface NeuronOnTokens {
  readonly name: string;
  /** Raw value on each token of `Explanation.tokens`. */
  readonly values: readonly number[];
}

export interface Explanation {
  readonly text: string;
  readonly labels: readonly string[];
  readonly labelIndex: number;
  readonly label: string;
  readonly proba: readonly number[];
  /** Intercept per label, same convention as byLabel. */
  readonly intercepts: readonly number[];
  /** Every kept neuron, by |contribution| descending (ties by name). */
  readonly contributions: readonly NeuronContribution[];
  readonly tokens: readonly TokenSpan[];
  /** The top neurons (first of `contributions`) on every token. */
  readonly onTokens: readonly NeuronOnTokens[];
  readonly truncated: boolean;
}
