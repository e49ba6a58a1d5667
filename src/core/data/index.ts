// Reading labeled text datasets: the public API of src/core/data.
//
// Formats: CSV and TSV with a header row (RFC 4180 quoting; a .csv written with ";" is detected; a
// file that only parses with quotes taken literally is read that way, with a warning), JSON Lines,
// a JSON array of objects (a .json file of JSON Lines is read as such), and folder-per-label
// (root/<label>/*.txt). UTF-8 only: binary files, UTF-16 and invalid UTF-8 are errors that give the
// byte and the line. Files over a size limit (256 MiB by default) are refused.
//
// Policies:
// - Rows with an empty or whitespace-only text, and rows without a label (empty, null or missing),
//   are skipped and reported as warnings (count and first rows); a text that is not a string, or a
//   label that is a list or object, is an error. Texts are kept as written; labels are trimmed.
//   JSON numbers and booleans are labels written as in JSON ("1", "true").
// - Class order (labelSpace): numeric when every label is a number, else by code units.
// - Labels that occur in dev or test but not in train are an error naming them (encodeLabels);
//   there is no fallback class. Fewer than two classes in train is an error.
// - Without a dev file, validation is a stratified, seeded split of train (10%, seed 42): every
//   class with two or more examples keeps one in train; a class with a single example stays in
//   train, is absent from validation, and is reported as a warning.
// - Every error is a DataError: a code, a location (file, row, line, column, byte) and a message
//   that says what to do.
export { loadDataset, DEFAULT_MAX_BYTES } from './load';
export type { LoadOptions } from './load';
export { sniff, SNIFF_BYTES } from './sniff';
export type { SniffOptions, SniffResult } from './sniff';
export type { DataFormat } from './table';
export type { FileFormat } from './read';
export { describeRow, locateRow, subsetDataset } from './dataset';
export type { Dataset } from './dataset';
export type { ColumnChoice, ColumnGuess, ColumnRequest } from './columns';
export { DataError, formatLocation } from './errors';
export type { DataErrorCode, DataLocation, DataWarning, DataWarningCode } from './errors';
export { countLabels, encodeLabels, labelSpace } from './labels';
export { DEFAULT_DEV_FRACTION, DEFAULT_SEED, prepareData, stratifiedSplit } from './split';
export type { IndexSplit, LabeledSplit, PreparedData, PrepareOptions, SplitOptions } from './split';
export { pairSplitFiles } from './pairing';
export type { DatasetCandidate, SplitRole } from './pairing';
