// The longest input a model takes, from its own files. Texts are truncated to it (keeping the
// first tokens), unless the user sets a shorter length.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Above this, attention memory per batch (batch x heads x T^2) outgrows a laptop; the paper used 512
 *  for encoders and 1024 for GPT-2. A user who needs longer inputs sets the length explicitly. */
export const MAX_LENGTH_CAP = 1024;

// HF tokenizers write a huge sentinel (1e30) when they have no limit.
const NO_LIMIT = 1e6;

// Position ids of these models start after the padding index, so two embedding rows are never
// used for text: the usable length is max_position_embeddings - (pad_token_id + 1).
const OFFSET_POSITIONS = new Set(['roberta', 'xlm-roberta', 'camembert', 'mpnet', 'longformer']);

export interface MaxLength {
  readonly maxLength: number;
  /** Where the number came from, for logs and the training report. */
  readonly source: string;
}

function readJson(file: string): Record<string, unknown> {
  if (!fs.existsSync(file)) return {};
  try {
    const value: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch (e) {
    throw new Error(`${file} is not valid JSON (${e instanceof Error ? e.message : String(e)}); re-export or re-download the model.`, { cause: e });
  }
}

function positive(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 && v < NO_LIMIT ? Math.floor(v) : undefined;
}

export function modelMaxLength(folder: string): MaxLength {
  const tokenizerConfig = readJson(path.join(folder, 'tokenizer_config.json'));
  const config = readJson(path.join(folder, 'config.json'));
  const candidates: MaxLength[] = [];
  const fromTokenizer = positive(tokenizerConfig.model_max_length);
  if (fromTokenizer) candidates.push({ maxLength: fromTokenizer, source: 'tokenizer_config.json model_max_length' });
  for (const field of ['max_position_embeddings', 'n_positions', 'n_ctx', 'max_seq_len']) {
    let n = positive(config[field]);
    if (!n) continue;
    if (typeof config.model_type === 'string' && OFFSET_POSITIONS.has(config.model_type)) {
      n -= (typeof config.pad_token_id === 'number' ? config.pad_token_id : 1) + 1;
    }
    candidates.push({ maxLength: n, source: `config.json ${field}` });
    break;
  }
  const tightest = candidates.reduce<MaxLength | undefined>((best, c) => (!best || c.maxLength < best.maxLength ? c : best), undefined);
  if (!tightest) return { maxLength: MAX_LENGTH_CAP, source: `no limit in the model files; capped at ${MAX_LENGTH_CAP}` };
  if (tightest.maxLength > MAX_LENGTH_CAP) return { maxLength: MAX_LENGTH_CAP, source: `${tightest.source} = ${tightest.maxLength}, capped at ${MAX_LENGTH_CAP}` };
  return tightest;
}
