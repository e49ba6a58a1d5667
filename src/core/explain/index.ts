// Per-prediction explanations: which kept neurons decided a label, and where in the text they fire.
export * from './types';
export { explainText, type ExplainOptions } from './explain';
export { alignTokens } from './align';
export { labelIntercepts, neuronContributions } from './contributions';
export { tokenizerStyle, styleOfTokenizerJson, type TokenizerStyle, type TextStep } from './style';
