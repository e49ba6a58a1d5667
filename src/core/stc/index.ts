// Sparsify-then-Classify: the pipeline, its report, and the trained classifier's application.

export { StcAbortError, isAbortError } from './abort';
export { applyClassifier, classifierDesign, classifyDesign, modelOf, neuronValuesDesign, type Classified, type StcClassifier, type StcNeuron } from './classifier';
export { aggregationLayers, baselineBlocks, blocksRead, cellName, configBlocks, configName, searchConfigs, type StcConfig } from './configs';
export type { FeatureSource, ModelInfo, SplitRows, StcInput } from './input';
export type { NeuronStats, RowValue } from './neuron-stats';
export { PAPER_ETA_GRID, type Metric, type MetricChoice, type StcOptions, type StcProgress, type StcSettings, type StcSpace, type StcStage } from './options';
export { trainStc } from './pipeline';
export { REPORT_SCHEMA, REPORT_VERSION, validationCaveat, type BaselineEntry, type ChosenConfiguration, type FinalFit, type ProbeEntry, type StcReport } from './report';
