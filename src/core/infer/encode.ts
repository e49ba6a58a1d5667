// Texts to token ids for inference, as extraction tokenises them (same truncation, same stand-in
// for a text that encodes to nothing), plus whether each text was cut at maxLength.
import type { TokenizedRows } from '../extract/feeds';
import type { TokenEncoder } from '../extract/types';

export interface EncodedTexts extends TokenizedRows {
  readonly truncated: boolean[];
}

export async function encodeTexts(encoder: TokenEncoder, texts: readonly string[], maxLength: number): Promise<EncodedTexts> {
  // One token of headroom tells which texts are longer than maxLength; only those are encoded again.
  const probe = await encoder.encode(texts, maxLength + 1);
  const truncated = texts.map((_, i) => (probe.ids[i]?.length ?? 0) > maxLength);
  const cut = texts.flatMap((_, i) => (truncated[i] ? [i] : []));
  const again = cut.length > 0 ? await encoder.encode(cut.map((i) => texts[i] as string), maxLength) : undefined;
  const reencoded = new Map(cut.map((row, j) => [row, j]));
  const ids: Int32Array[] = [];
  let typeIds: Int32Array[] | undefined;
  texts.forEach((text, i) => {
    const j = reencoded.get(i);
    const source = j !== undefined && again ? { ids: again.ids[j], types: again.typeIds?.[j] } : { ids: probe.ids[i], types: probe.typeIds?.[i] };
    let rowIds = source.ids ?? [];
    if (rowIds.length > maxLength) throw new Error(`The tokenizer returned ${rowIds.length} tokens for text ${i}, more than the maximum length ${maxLength}: it did not truncate.`);
    if (rowIds.length === 0) {
      // A decoder tokenizer without BOS yields nothing for an empty text; the graph needs >= 1 token.
      if (encoder.emptyTextTokenId === undefined) {
        throw new Error(`Text ${i} (${JSON.stringify(text.slice(0, 40))}) encodes to no tokens and the tokenizer has no BOS, EOS, PAD or UNK token to stand in; give a non-empty text.`);
      }
      rowIds = [encoder.emptyTextTokenId];
    }
    ids.push(Int32Array.from(rowIds));
    if (source.types) (typeIds ??= [])[i] = Int32Array.from(source.types.slice(0, rowIds.length));
  });
  return { ids, typeIds, truncated };
}
