// The BatchRunner over an onnxruntime-node session.
import type { InferenceSession } from 'onnxruntime-node';
import { loadOrt } from '../model/runtime';
import type { BatchRunner } from './types';

export async function ortBatchRunner(session: InferenceSession): Promise<BatchRunner> {
  const ort = await loadOrt();
  return async (feeds, outputNames) => {
    const tensors = Object.fromEntries(Object.entries(feeds).map(([name, f]) => [name, new ort.Tensor(f.type, f.data, f.dims)]));
    const result = await session.run(tensors, [...outputNames]);
    const out: Record<string, Float32Array> = {};
    for (const name of outputNames) {
      const data = result[name]?.data;
      if (!(data instanceof Float32Array)) throw new Error(`Graph output ${name} is missing or not float32.`);
      out[name] = data;
    }
    return out;
  };
}
