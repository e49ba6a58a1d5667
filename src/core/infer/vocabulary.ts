// Token strings and special-token flags for the ids a model saw, read from the model folder's
// tokenizer.json (the tokenizer used for encoding gives ids only). Explanations show these strings
// and align them to the text (`##ing`, `Ġthe`, `▁the`, `<0xF0>`).
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface Vocabulary {
  /** The token string of `id`; `<id N>` for an id the tokenizer does not know. */
  token(id: number): string;
  /** True for the tokenizer's special tokens ([CLS], <s>, <|endoftext|>, ...). */
  isSpecial(id: number): boolean;
}

interface TokenizerJson {
  model?: { vocab?: Record<string, number> | [string, number][] };
  added_tokens?: { id?: number; content?: string; special?: boolean }[];
}

export function readVocabulary(modelFolder: string): Vocabulary {
  const file = path.join(modelFolder, 'tokenizer.json');
  let json: TokenizerJson;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8')) as TokenizerJson;
  } catch (e) {
    throw new Error(`${file}: cannot read the tokenizer's vocabulary (${(e as Error).message}); re-export the model's tokenizer.`, { cause: e });
  }
  const byId = new Map<number, string>();
  const vocab = json.model?.vocab;
  // WordPiece and BPE map token -> id; Unigram lists [piece, score] with the id as position.
  if (Array.isArray(vocab)) vocab.forEach(([piece], id) => byId.set(id, piece));
  else if (vocab) for (const [piece, id] of Object.entries(vocab)) byId.set(id, piece);
  const special = new Set<number>();
  for (const t of json.added_tokens ?? []) {
    if (typeof t.id !== 'number' || typeof t.content !== 'string') continue;
    byId.set(t.id, t.content);
    if (t.special) special.add(t.id);
  }
  if (byId.size === 0) throw new Error(`${file}: the tokenizer has no vocabulary (model.vocab); re-export the model's tokenizer.`);
  return { token: (id) => byId.get(id) ?? `<id ${id}>`, isSpecial: (id) => special.has(id) };
}
