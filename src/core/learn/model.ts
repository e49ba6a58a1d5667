// The fitted linear model and what is read off it (support, neuron importance).

export interface LogisticModel {
  readonly nFeatures: number;
  /** K >= 2. */
  readonly nClasses: number;
  /** Rows of `weights`: 1 for a binary model (its score is the logit of class 1), K for a
   *  multinomial one (softmax over the K scores). */
  readonly outputs: number;
  /** outputs x nFeatures, row-major: the weight of feature j in output k is
   *  `weights[k * nFeatures + j]`. Weights apply to the features the model was fitted on (the
   *  standardised ones when a standardisation was used). */
  readonly weights: Float64Array;
  /** One unpenalised intercept per output. */
  readonly intercepts: Float64Array;
}

/** Features with a non-zero weight in any output, ascending. */
export function support(model: LogisticModel): Int32Array {
  const { nFeatures: p, outputs, weights } = model;
  const out: number[] = [];
  for (let j = 0; j < p; j++) {
    for (let k = 0; k < outputs; k++) {
      if (weights[k * p + j] !== 0) {
        out.push(j);
        break;
      }
    }
  }
  return Int32Array.from(out);
}

/** Importance of each feature for sparsification: the sum over outputs of its squared weight
 *  (w_j^2 for a binary model, sum_k w_kj^2 for a multinomial one). */
export function importance(model: LogisticModel): Float64Array {
  const { nFeatures: p, outputs, weights } = model;
  const out = new Float64Array(p);
  for (let k = 0; k < outputs; k++) {
    for (let j = 0; j < p; j++) {
      const w = weights[k * p + j] as number;
      out[j] = (out[j] as number) + w * w;
    }
  }
  return out;
}
