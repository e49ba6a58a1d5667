// The files of a `<name>.stc/` folder (README.md describes them).
export const MANIFEST_FILE = 'manifest.json';
export const REPORT_FILE = 'report.json';
export const EXAMPLES_FILE = 'examples.json';
export const CLASSIFIER_SUFFIX = '.stc';
