// A model folder's tokenizer (tokenizer.json + tokenizer_config.json), read by transformers.js from
// the local disk only. Rows come back unpadded: batching and padding belong to the caller.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PreTrainedTokenizer } from '@huggingface/transformers';
import { loadTransformers } from './runtime';
import { textCutter } from './text-cut';

export interface EncodedTexts {
  /** Token ids per text, special tokens included, at most maxLength long. The attention mask of a
   *  row is all ones over its length. */
  readonly ids: number[][];
  /** Segment ids per text, only from tokenizers that make them (the BERT family). */
  readonly typeIds?: number[][];
  /** Per text: it had more than maxLength tokens and lost its end. Every TextTokenizer says;
   *  encoders that leave it out (test fakes) count as cutting nothing. */
  readonly truncated?: boolean[];
}

export interface TokenStrings {
  /** The tokenizer's string for each id (`##ing`, `Ġthe`, `▁the`, `<0xF0>`, `[CLS]`); `<id N>`
   *  for an id it does not know. */
  readonly tokens: string[];
  /** True for the tokenizer's special tokens ([CLS], [UNK], <s>, <|endoftext|>, ...), also where
   *  the text itself typed one. */
  readonly special: boolean[];
}

export interface TextTokenizer {
  /** Absolute path of the folder the tokenizer was read from. */
  readonly folder: string;
  /** The pad token, else the EOS token (what transformers.js pads with); undefined if neither exists. */
  readonly padTokenId: number | undefined;
  /** Stands in for a text that encodes to no tokens (a decoder tokenizer without BOS given an empty
   *  text): BOS, else EOS, else PAD, else UNK; undefined if the tokenizer has none of them. */
  readonly emptyTextTokenId: number | undefined;
  /** Texts longer than maxLength tokens lose tokens at the end of the text; the special tokens the
   *  tokenizer adds around it stay, as with Python's `truncation=True`. */
  encode(texts: readonly string[], maxLength: number): EncodedTexts & { readonly truncated: boolean[] };
  /** What explanations show for ids the model saw. */
  tokens(ids: readonly number[]): TokenStrings;
}

const REQUIRED_FILES = ['tokenizer.json', 'tokenizer_config.json'];

export async function loadTokenizer(folder: string): Promise<TextTokenizer> {
  // An absolute path: transformers.js reads a relative "a/b" as a hub id.
  const absolute = path.resolve(folder);
  const missing = REQUIRED_FILES.filter((name) => !fs.existsSync(path.join(absolute, name)));
  if (missing.length) {
    throw new Error(`${absolute} has no ${missing.join(' or ')}; a model folder needs both, as exported for transformers.js (e.g. by optimum or tokenizer.save_pretrained()).`);
  }
  const { AutoTokenizer } = await loadTransformers();
  let tokenizer: PreTrainedTokenizer;
  try {
    tokenizer = await AutoTokenizer.from_pretrained(absolute, { local_files_only: true });
  } catch (e) {
    throw new Error(`Cannot read the tokenizer in ${absolute}: ${e instanceof Error ? e.message : String(e)}. Check tokenizer.json and tokenizer_config.json (re-export them if they were edited).`, { cause: e });
  }
  return new TransformersTokenizer(absolute, tokenizer);
}

function tokenId(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

class TransformersTokenizer implements TextTokenizer {
  readonly padTokenId: number | undefined;
  readonly emptyTextTokenId: number | undefined;
  private addedTokens: ReadonlyMap<number, { readonly content: string; readonly special: boolean }> | undefined;
  /** The part of a text worth tokenising at a maxLength (the whole text where no cut is exact). */
  private readonly head: (text: string, maxLength: number) => string;

  constructor(
    readonly folder: string,
    private readonly tokenizer: PreTrainedTokenizer,
  ) {
    this.padTokenId = tokenId(tokenizer.pad_token_id);
    this.emptyTextTokenId = [tokenizer.bos_token_id, tokenizer.eos_token_id, tokenizer.pad_token_id, tokenizer.unk_token_id].map(tokenId).find((id) => id !== undefined);
    this.head = textCutter(tokenizer._tokenizerJSON as Parameters<typeof textCutter>[0]) ?? ((text) => text);
  }

  encode(texts: readonly string[], maxLength: number): EncodedTexts & { readonly truncated: boolean[] } {
    if (!Number.isInteger(maxLength) || maxLength < 1) throw new Error(`maxLength must be a whole number >= 1, got ${maxLength}.`);
    if (texts.length === 0) return { ids: [], truncated: [] };
    // A long text is tokenised only as far as its first maxLength tokens can reach; if its head
    // turns out shorter than that, the whole text after all.
    const heads = texts.map((text) => this.head(text, maxLength));
    const encoded = this.tokenizer(heads, { return_tensor: false, padding: false, truncation: false });
    const ids = encoded.input_ids;
    const typeIds = encoded.token_type_ids;
    const short = heads.flatMap((head, row) => (head !== texts[row] && (ids[row]?.length ?? 0) <= maxLength ? [row] : []));
    if (short.length > 0) {
      const whole = this.tokenizer(short.map((row) => texts[row] ?? ''), { return_tensor: false, padding: false, truncation: false });
      short.forEach((row, i) => {
        ids[row] = whole.input_ids[i] ?? [];
        if (typeIds) typeIds[row] = whole.token_type_ids?.[i] ?? [];
        heads[row] = texts[row] ?? '';
      });
    }
    const truncated = texts.map((_, row) => (ids[row]?.length ?? 0) > maxLength);
    heads.forEach((head, row) => {
      const rowIds = ids[row] ?? [];
      if (!truncated[row]) return;
      const keep = this.truncatedPositions(head, rowIds, maxLength);
      ids[row] = keep.map((t) => rowIds[t] ?? 0);
      const rowTypes = typeIds?.[row];
      if (typeIds && rowTypes) typeIds[row] = keep.map((t) => rowTypes[t] ?? 0);
    });
    return typeIds ? { ids, typeIds, truncated } : { ids, truncated };
  }

  tokens(ids: readonly number[]): TokenStrings {
    // Added tokens first: tokenizer.json's added_tokens override and extend the model's vocabulary.
    this.addedTokens ??= this.tokenizer._tokenizer.get_added_tokens_decoder();
    const added = this.addedTokens;
    return {
      tokens: ids.map((id) => added.get(id)?.content ?? this.tokenizer._tokenizer.id_to_token(id) ?? `<id ${id}>`),
      special: ids.map((id) => added.get(id)?.special === true),
    };
  }

  /** Positions of `withSpecials` to keep: the special tokens before and after the text, and the
   *  text's first tokens up to maxLength in all. */
  private truncatedPositions(text: string, withSpecials: number[], maxLength: number): number[] {
    const content = this.tokenizer.encode(text, { add_special_tokens: false });
    const specials = withSpecials.length - content.length;
    const start = specials < 0 ? undefined : Array.from({ length: specials + 1 }, (_, p) => p).find((p) => content.every((id, i) => withSpecials[p + i] === id));
    if (start === undefined) {
      throw new Error(`The tokenizer in ${this.folder} does not add its special tokens around the text, so the text cannot be truncated while keeping them (text starting ${JSON.stringify(text.slice(0, 40))}).`);
    }
    const room = maxLength - specials;
    if (room < 0) throw new Error(`maxLength ${maxLength} is shorter than the ${specials} special tokens the tokenizer in ${this.folder} adds to every text.`);
    const positions = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
    return [...positions(0, start), ...positions(start, start + room), ...positions(start + content.length, withSpecials.length)];
  }
}
