// The versioned training report: everything the UI and the CLI show about a run.
// docs/report-schema.md documents every field; bump REPORT_VERSION on any incompatible change.

import type { ClassificationMetrics } from '../learn/metrics';
import type { Penalty } from '../learn/path';
import type { Kind, Pooling } from '../neurons';
import type { CurvePoint } from './aggregate';
import type { StcClassifier } from './classifier';
import type { StcConfig } from './configs';
import type { ModelInfo } from './input';
import type { NeuronStats } from './neuron-stats';
import type { StcSettings } from './options';

export const REPORT_SCHEMA = 'stc-report';
export const REPORT_VERSION = 2;

export interface ProbeEntry {
  readonly block: string;
  readonly kind: Kind;
  readonly layer: number;
  readonly pooling: Pooling;
  readonly dim: number;
  readonly valScore: number;
  readonly lambda: number;
  readonly C: number;
  readonly support: number;
  /** Neurons constant on train (never selected). */
  readonly constant: number;
  readonly converged: boolean;
  readonly pathPoints: number;
  readonly importanceFallback: boolean;
  readonly seconds: number;
}

export interface ChosenConfiguration {
  readonly config: StcConfig;
  readonly eta: number;
  readonly k: number;
  readonly penalty: Penalty;
  readonly lambda: number;
  readonly C: number;
  readonly valScore: number;
  readonly features: number;
  readonly support: number;
  readonly converged: boolean;
}

/** The shipped classifier: the average of its members' logits (settings.ensemble members, fewer
 *  when the search had fewer distinct kept-neuron sets). `members[0]` is `chosen`. */
export interface Ensemble {
  readonly members: ChosenConfiguration[];
  /** The exit point: the largest member k (act layers 0..k-1 and hid layers 0..k are run). */
  readonly k: number;
  /** Validation score of the average of the members' train-only fits. */
  readonly valScore: number;
}

/** What the shipped classifier was fitted on: each member's neurons, penalty and lambda, refitted on train + validation rows (`settings.refit`), or the train-only fit itself. */
export interface FinalFit {
  readonly on: 'train' | 'train+dev';
  readonly rows: number;
  /** Neurons with a non-zero weight (= classifier.neurons.length). */
  readonly support: number;
  readonly converged: boolean;
}

export type BaselineName = 'last-hid-mean' | 'last-hid-single' | 'best-probe';

export interface BaselineEntry {
  readonly name: BaselineName;
  readonly block: string;
  readonly valScore: number;
  readonly lambda: number;
  readonly C: number;
  readonly support: number;
  readonly test?: ClassificationMetrics;
}

export interface SplitCounts<T> {
  readonly train: T;
  readonly dev: T;
  readonly test?: T;
}

export interface StcReport {
  readonly schema: typeof REPORT_SCHEMA;
  readonly version: typeof REPORT_VERSION;
  readonly createdAt: string;
  readonly model: Partial<ModelInfo> & { readonly numLayers: number };
  readonly data: {
    readonly classes: string[];
    readonly rows: SplitCounts<number>;
    readonly counts: SplitCounts<number[]>;
    readonly devSource?: string;
  };
  readonly settings: StcSettings;
  readonly probes: ProbeEntry[];
  /** sparsification[block][eta] = neurons kept. */
  readonly sparsification: Record<string, Record<string, number>>;
  readonly aggregation: { readonly config: StcConfig; readonly eta: number; readonly curve: CurvePoint[] }[];
  /** The best single configuration on validation. */
  readonly chosen: ChosenConfiguration;
  readonly ensemble: Ensemble;
  readonly finalFit: FinalFit;
  readonly classifier: StcClassifier;
  readonly keptPerLayer: { readonly layer: number; readonly hid: number; readonly act: number }[];
  readonly baselines: BaselineEntry[];
  readonly test?: ClassificationMetrics;
  readonly featureCounts: { readonly candidates: number; readonly probedNonZero: number; readonly keptAfterSparsify: number; readonly final: number };
  readonly fits: { readonly probes: number; readonly aggregation: number; readonly cached: number; readonly baselines: number };
  readonly timings: { readonly probe: number; readonly sparsify: number; readonly aggregate: number; readonly refit: number; readonly baselines: number; readonly test: number; readonly total: number };
  readonly neuronStats: NeuronStats[];
  readonly warnings: string[];
}

/**
 * What to read into a validation score when the report has no test score. The classifier's
 * validation score is that of the best few of every fit the search made, so it overstates the
 * score to expect on new text, and by more than a baseline's (the best point of one path): by up
 * to 10 points on the seed studies' datasets (STC README, "Known limits").
 */
export function validationCaveat(report: StcReport): string | undefined {
  if (report.test) return undefined;
  const n = report.ensemble.members.length;
  const chosen = n === 1 ? 'the best' : `the average of the best ${n}`;
  return `The STC validation score is optimistic: ${chosen} of ${report.fits.aggregation} fitted classifiers (a baseline's, the best of one path). A test file gives an unbiased score.`;
}
