// The identity of a feature store: everything that changes a stored number. Same key, same
// features; anything else gets its own directory.
import { createHash } from 'node:crypto';
import { blockName, type FeatureBlock } from '../neurons';
import { STORE_FORMAT_VERSION } from './store-format';

export interface StoreKeyInput {
  /** ResolvedModel.sha256: config, tokenizer files, ONNX file and its external data. */
  readonly modelSha256: string;
  /** The dataset rows, in order. */
  readonly texts: readonly string[];
  readonly maxLength: number;
  readonly blocks: readonly FeatureBlock[];
  /** Version of the graph rewrite (taps and pooling), so a fixed tap finder invalidates old features. */
  readonly tapVersion: string;
}

export function featureStoreKey(input: StoreKeyInput): string {
  const hash = createHash('sha256');
  const blocks = input.blocks.map(blockName).sort();
  hash.update(JSON.stringify({ format: STORE_FORMAT_VERSION, model: input.modelSha256, maxLength: input.maxLength, tapVersion: input.tapVersion, blocks, rows: input.texts.length }));
  const length = Buffer.alloc(4);
  for (const text of input.texts) {
    // Length-prefixed, so ["ab", "c"] and ["a", "bc"] differ.
    const bytes = Buffer.from(text, 'utf8');
    length.writeUInt32LE(bytes.length);
    hash.update(length);
    hash.update(bytes);
  }
  return hash.digest('hex').slice(0, 32);
}
