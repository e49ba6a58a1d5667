// A saved STC classifier: the folder `<name>.stc/` and what loading it gives. The manifest is the
// contract between training (CLI, worker) and every consumer (inference, explanations, the views).

import type { ClassificationMetrics } from '../learn/metrics';
import type { ModelFile, ResolvedModel } from '../model/resolve';
import type { StcClassifier, StcReport } from '../stc';

export const CLASSIFIER_SCHEMA = 'stc-classifier';
/** major.minor: a reader refuses a newer major and ignores unknown fields of a newer minor. */
export const CLASSIFIER_VERSION = '1.0';

/** The base model the classifier's neurons come from, with the content identity that loading
 *  checks (a classifier is refused against any other model file). */
export interface ModelIdentity {
  readonly source: ResolvedModel['source'];
  /** Hub id, the embedded model's name, or the folder's absolute path at training time. */
  readonly id: string;
  /** ONNX file relative to the model folder, forward slashes. */
  readonly onnxFile: string;
  readonly files: readonly ModelFile[];
  /** ResolvedModel.sha256: one hash over `files`. */
  readonly sha256: string;
  readonly numLayers: number;
  readonly hiddenSize: number;
  readonly intermediateSize: number;
  readonly decoder: boolean;
}

/** How texts were turned into token ids; inference must use the same. */
export interface TokenizerSettings {
  /** Tokens per text including special tokens; longer texts lose tokens at the end of the text. */
  readonly maxLength: number;
  readonly truncation: 'end';
  readonly addSpecialTokens: true;
}

/** A training row a neuron view cites (neuronStats[].top/bottom rows). */
export interface ExampleRow {
  readonly row: number;
  readonly text: string;
  readonly label: string;
}

export interface ClassifierManifest {
  readonly schema: typeof CLASSIFIER_SCHEMA;
  readonly version: string;
  readonly name: string;
  readonly createdAt: string;
  readonly model: ModelIdentity;
  readonly tokenizer: TokenizerSettings;
  readonly labels: readonly string[];
  /** Transformer blocks the classifier reads: act layers 0..k-1, hid layers 0..k. */
  readonly k: number;
  /** Kept neurons with their standardisation and weights, and the intercepts. */
  readonly classifier: StcClassifier;
  readonly metrics: {
    readonly metric: string;
    readonly validation: number;
    readonly test?: ClassificationMetrics;
  };
  /** report.json and examples.json beside the manifest, with their sha256 (checked on load). */
  readonly files: { readonly report: string; readonly examples: string };
}

export interface SavedClassifier {
  /** Absolute path of the `.stc` folder. */
  readonly dir: string;
  readonly manifest: ClassifierManifest;
  readonly report: StcReport;
  /** Texts of the rows the report's neuronStats cite, by row. */
  readonly examples: ReadonlyMap<number, ExampleRow>;
}
