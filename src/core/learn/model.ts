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

/**
 * The average of the models' decision functions (logits) as one model over their columns laid
 * side by side (model 0's features first): `decisionScores(averageModels(ms), concatColumns(Xs))`
 * is the mean of `decisionScores(ms[i], Xs[i])`. The models must share nClasses.
 */
export function averageModels(models: readonly LogisticModel[]): LogisticModel {
  const first = models[0];
  if (!first) throw new Error('averageModels: no model to average');
  const { nClasses, outputs } = first;
  if (models.some((m) => m.nClasses !== nClasses)) throw new Error(`averageModels: the models disagree on the number of classes (${models.map((m) => m.nClasses).join(', ')})`);
  const p = models.reduce((n, m) => n + m.nFeatures, 0);
  const weights = new Float64Array(outputs * p);
  const intercepts = new Float64Array(outputs);
  const share = 1 / models.length;
  let offset = 0;
  for (const m of models) {
    for (let k = 0; k < outputs; k++) {
      for (let j = 0; j < m.nFeatures; j++) weights[k * p + offset + j] = (m.weights[k * m.nFeatures + j] as number) * share;
      intercepts[k] = (intercepts[k] as number) + (m.intercepts[k] as number) * share;
    }
    offset += m.nFeatures;
  }
  return { nFeatures: p, nClasses, outputs, weights, intercepts };
}
