// Texts to the token rows a graph is fed: the encoder's ids (cut at maxLength), one stand-in token
// for a text that encodes to nothing, and which texts were cut. Extraction and inference both
// tokenise through here, so a text gets the same tokens in training as in use.
import type { TokenizedRows } from './feeds';
import type { TokenEncoder } from './types';

export interface TokenizedTexts extends TokenizedRows {
  /** Per text: it had more than maxLength tokens and lost its end. */
  readonly truncated: readonly boolean[];
}

/** `firstRow` is the row number of texts[0] in error messages (a chunk's place in the dataset). */
export async function tokenizeTexts(encoder: TokenEncoder, texts: readonly string[], maxLength: number, firstRow = 0): Promise<TokenizedTexts> {
  const encoded = await encoder.encode(texts, maxLength);
  const ids: Int32Array[] = [];
  let typeIds: Int32Array[] | undefined;
  texts.forEach((_, i) => {
    const row = firstRow + i;
    let rowIds = encoded.ids[i] ?? [];
    if (rowIds.length > maxLength) {
      throw new Error(`The tokenizer returned ${rowIds.length} tokens for row ${row}, more than the maximum length ${maxLength}: it did not truncate.`);
    }
    if (rowIds.length === 0) {
      // A decoder tokenizer without BOS yields nothing for an empty text; the graph needs >= 1 token.
      if (encoder.emptyTextTokenId === undefined) {
        throw new Error(`Row ${row} encodes to no tokens and the tokenizer has no BOS, EOS, PAD or UNK token to stand in; remove empty texts.`);
      }
      rowIds = [encoder.emptyTextTokenId];
    }
    ids.push(Int32Array.from(rowIds));
    const rowTypes = encoded.typeIds?.[i];
    if (rowTypes) (typeIds ??= [])[i] = Int32Array.from(rowTypes.slice(0, rowIds.length));
  });
  return { ids, typeIds, truncated: texts.map((_, i) => encoded.truncated?.[i] === true) };
}
