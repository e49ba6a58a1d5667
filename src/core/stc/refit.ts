// The final refit: once validation has chosen a classifier (its neurons, penalty and lambda), the
// same classifier is fitted again on train and validation rows together, so the one that ships has
// learnt from every labelled example outside test (scikit-learn's GridSearchCV `refit`).

import type { Design } from '../learn/matrix';
import type { LogisticModel } from '../learn/model';
import { singleFitLambdas, type Penalty } from '../learn/path';
import { DEFAULT_TOL } from '../learn/solver';
import type { PathRunner } from './search';

export interface RefitProblem {
  /** Train rows, then validation rows; standardised as for the train-only fit. */
  readonly X: Design;
  readonly y: Int32Array;
  readonly nClasses: number;
  readonly penalty: Penalty;
  /** The validation-chosen mean-loss lambda: the penalty per example stays as chosen. */
  readonly lambda: number;
}

export interface Refitted {
  readonly model: LogisticModel;
  readonly converged: boolean;
}

export async function refit(runner: PathRunner, p: RefitProblem, what: string): Promise<Refitted> {
  const { X, y } = p;
  let path;
  try {
    path = await runner.fit({
      X,
      y,
      options: { nClasses: p.nClasses, penalty: p.penalty, tol: DEFAULT_TOL, ...singleFitLambdas(p.lambda) },
    });
  } catch (e) {
    if (e instanceof Error && e.name !== 'AbortError') throw new Error(`${what}: ${e.message}`, { cause: e });
    throw e;
  }
  const point = path.points[path.points.length - 1];
  if (!point || point.lambda !== p.lambda) throw new Error(`${what}: the refit stopped before the chosen lambda ${p.lambda}`);
  return { model: point.model, converged: point.convergence.converged };
}
