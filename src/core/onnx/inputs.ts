// What a text model's graph asks to be fed, by role. The runner fills each role: token ids, mask,
// segment ids, positions, an empty key/value cache (sequence length 0) and use_cache_branch=false.
import { DataType } from './schema';
import type { ValueInfo } from './graph';

export type InputRole = 'input_ids' | 'attention_mask' | 'token_type_ids' | 'position_ids' | 'past_key_values' | 'use_cache_branch';

export interface GraphInput {
  name: string;
  role: InputRole;
  /** onnxruntime tensor type name: 'int64', 'int32', 'float32', 'float16', 'bool', ... */
  dtype: string;
  /** Fixed sizes as numbers, symbolic ones (batch_size, past_sequence_length) as their names. */
  shape: (number | string)[];
}

const DTYPE_NAMES: Readonly<Record<number, string>> = {
  [DataType.FLOAT]: 'float32',
  [DataType.UINT8]: 'uint8',
  [DataType.INT8]: 'int8',
  [DataType.INT32]: 'int32',
  [DataType.INT64]: 'int64',
  [DataType.BOOL]: 'bool',
  [DataType.FLOAT16]: 'float16',
  [DataType.DOUBLE]: 'float64',
  [DataType.BFLOAT16]: 'bfloat16',
};

function roleOf(name: string): InputRole | undefined {
  switch (name) {
    case 'input_ids':
    case 'attention_mask':
    case 'token_type_ids':
    case 'position_ids':
    case 'use_cache_branch':
      return name;
    default:
      // optimum: past_key_values.{i}.{key|value}; older GPT-2 exports: past.{i}.
      return /^(past_key_values|past)[._]/.test(name) ? 'past_key_values' : undefined;
  }
}

export function classifyInputs(inputs: readonly ValueInfo[], where: string): GraphInput[] {
  const out: GraphInput[] = [];
  for (const v of inputs) {
    const role = roleOf(v.name);
    if (!role) {
      throw new Error(`${where}: the graph needs an input "${v.name}" that a text model run cannot provide (inputs: ${inputs.map((i) => i.name).join(', ')}). Only input_ids, attention_mask, token_type_ids, position_ids, past key/values and use_cache_branch are supported.`);
    }
    out.push({ name: v.name, role, dtype: DTYPE_NAMES[v.elemType] ?? `onnx-type-${v.elemType}`, shape: [...v.shape] });
  }
  if (!out.some((i) => i.role === 'input_ids')) {
    throw new Error(`${where}: the graph has no input_ids input (inputs: ${inputs.map((i) => i.name).join(', ') || 'none'}); models fed embeddings directly are not supported.`);
  }
  return out;
}
