// Public surface of the learning core; README.md documents the contract.

export { concatColumns, concatRows, designMatrix, selectColumns, assertFinite, checkShape, type ColumnScaling, type DenseMatrix, type Design, type MatrixContext } from './matrix';
export { checkStandardisation, fitStandardisation, type Standardisation } from './standardise';
export { checkEvaluationLabels, checkTrainingLabels, type LabelSummary } from './labels';
export { averageModels, importance, support, type LogisticModel } from './model';
export { DEFAULT_TOL, type Convergence, type SolverOptions } from './solver';
export {
  cFromLambda,
  DEFAULT_LAMBDA_MIN_RATIO,
  DEFAULT_MAX_DEVIANCE_RATIO,
  DEFAULT_PATH_LENGTH,
  DEFAULT_PATIENCE,
  fitL1Logistic,
  fitPath,
  lambdaFromC,
  lambdaGrid,
  scoreModel,
  scorePath,
  type Path,
  type PathOptions,
  type PathPoint,
  type PathScores,
  type SelectionMetric,
  type Strength,
  type ValidationOptions,
} from './path';
export { decisionScores, predict, predictProba } from './predict';
export { accuracy, classificationMetrics, confusionMatrix, logLoss, macroF1, type ClassificationMetrics, type ClassMetrics } from './metrics';
