// The few numbers of a model's config.json the tap finder checks the graph against. Architectures
// spell them differently (BERT `num_hidden_layers`, DistilBERT `n_layers`/`dim`/`hidden_dim`,
// GPT-2 `n_layer`/`n_embd`/`n_inner`), so each value records the key it came from for messages.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface ModelConfig {
  numLayers: number;
  hiddenSize: number;
  intermediateSize: number;
  /** config.json `model_type`, e.g. "bert", "gpt2", "llama". */
  modelType: string;
  /** Causal language model: the single-token pooling takes the last real token, not the first. */
  decoder: boolean;
  /** The config.json keys the three sizes were read from, for error messages. */
  keys?: { numLayers: string; hiddenSize: string; intermediateSize: string };
}

// Encoder-only families; everything else with a causal LM architecture is treated as a decoder.
const ENCODER_TYPES = new Set([
  'bert', 'roberta', 'xlm-roberta', 'distilbert', 'albert', 'electra', 'camembert', 'deberta', 'deberta-v2',
  'mpnet', 'nomic_bert', 'modernbert', 'esm', 'ernie', 'xlm', 'flaubert', 'mobilebert', 'squeezebert', 'roformer',
]);

type Json = Record<string, unknown>;

function firstNumber(cfg: Json, keys: readonly string[]): { key: string; value: number } | undefined {
  for (const key of keys) {
    const v = cfg[key];
    if (typeof v === 'number' && Number.isFinite(v)) return { key, value: v };
  }
  return undefined;
}

/** Parses config.json contents. `where` names the file in error messages. */
export function parseModelConfig(cfg: Json, where: string): ModelConfig {
  // Multimodal configs keep the language model under text_config.
  const text = typeof cfg.text_config === 'object' && cfg.text_config !== null ? (cfg.text_config as Json) : cfg;
  const modelType = typeof text.model_type === 'string' ? text.model_type : typeof cfg.model_type === 'string' ? cfg.model_type : 'unknown';
  const layers = firstNumber(text, ['num_hidden_layers', 'n_layer', 'n_layers', 'num_layers']);
  const hidden = firstNumber(text, ['hidden_size', 'n_embd', 'd_model', 'dim']);
  if (!layers || !hidden) {
    const missing = [!layers && 'the layer count (num_hidden_layers, n_layer or n_layers)', !hidden && 'the hidden size (hidden_size, n_embd or dim)'].filter(Boolean);
    throw new Error(`${where}: cannot find ${missing.join(' nor ')}; is this a transformer model's config.json?`);
  }
  // DistilBERT's `hidden_dim` is its FFN size; GPT-2's `n_inner: null` means 4 x n_embd.
  const ffn = firstNumber(text, ['intermediate_size', 'n_inner', 'hidden_dim', 'ffn_dim', 'd_ff', 'ffn_hidden_size']);
  const intermediate = ffn ?? { key: 'n_inner (unset: 4 x hidden size)', value: 4 * hidden.value };
  const architectures = Array.isArray(cfg.architectures) ? cfg.architectures.filter((a): a is string => typeof a === 'string') : [];
  const causal = architectures.some((a) => /(CausalLM|LMHeadModel)$/.test(a));
  const decoder = cfg.is_decoder === true || causal || (!ENCODER_TYPES.has(modelType) && cfg.is_encoder_decoder !== true);
  return {
    numLayers: layers.value,
    hiddenSize: hidden.value,
    intermediateSize: intermediate.value,
    modelType,
    decoder,
    keys: { numLayers: layers.key, hiddenSize: hidden.key, intermediateSize: intermediate.key },
  };
}

export function readModelConfig(folder: string): ModelConfig {
  const file = path.join(folder, 'config.json');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`${file}: cannot read the model's config.json (${(e as Error).message}). A model folder needs the config.json of its checkpoint.`, { cause: e });
  }
  let cfg: unknown;
  try {
    cfg = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message}).`, { cause: e });
  }
  if (typeof cfg !== 'object' || cfg === null || Array.isArray(cfg)) throw new Error(`${file}: expected a JSON object.`);
  return parseModelConfig(cfg as Json, file);
}
