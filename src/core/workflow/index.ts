// Workflows shared by the CLI and the extension's worker.
export { trainClassifier, type TrainOptions, type TrainProgress, type TrainResult } from './train';
export * from './evaluate';
