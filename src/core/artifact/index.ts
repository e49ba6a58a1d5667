// Saved STC classifiers: the `<name>.stc/` folder (README.md), written atomically and validated
// on load, and the base model it must be used with.
export * from './types';
export { ArtifactError, type ArtifactErrorCode } from './errors';
export { modelIdentity, saveClassifier, type SaveClassifierInput } from './save';
export { loadClassifier } from './load';
export { resolveClassifierModel, type ClassifierModelOptions } from './model';
export { CLASSIFIER_SUFFIX } from './layout';
