// Why a saved classifier cannot be read, written or paired with a model: a code callers branch on
// (the CLI's exit code, the extension's "train again" action) and the file or folder concerned.

export type ArtifactErrorCode =
  | 'missing-folder'
  | 'not-a-classifier'
  | 'missing-file'
  | 'unreadable'
  | 'invalid-json'
  | 'newer-version'
  | 'invalid-manifest'
  | 'invalid-report'
  | 'invalid-examples'
  | 'hash-mismatch'
  | 'model-not-found'
  | 'model-mismatch'
  | 'save-failed';

export class ArtifactError extends Error {
  override readonly name = 'ArtifactError';
  readonly code: ArtifactErrorCode;
  /** The classifier folder or the file inside it that is at fault. */
  readonly path: string;

  constructor(code: ArtifactErrorCode, path: string, message: string, options?: ErrorOptions) {
    super(`${path}: ${message}`, options);
    this.code = code;
    this.path = path;
  }
}
