// The single place that loads onnxruntime-node and transformers.js. Both are loaded lazily so that
// ORT_DISABLE_TELEMETRY is set before onnxruntime initialises (it writes a device id under
// ~/.cache/Microsoft/DeveloperTools/ on every session creation otherwise), and so that processes
// that never run a model (the extension host) never load the native binaries.
import type * as Ort from 'onnxruntime-node';
import type * as Transformers from '@huggingface/transformers';

export type OrtModule = typeof Ort;
export type TransformersModule = typeof Transformers;

let ort: Promise<OrtModule> | undefined;
let transformers: Promise<TransformersModule> | undefined;

function disableTelemetry(): void {
  process.env.ORT_DISABLE_TELEMETRY = '1';
}

export function loadOrt(): Promise<OrtModule> {
  disableTelemetry();
  ort ??= import('onnxruntime-node');
  return ort;
}

/**
 * transformers.js, configured never to reach a hub unless `allowRemote` is set: models are read
 * from local folders, and a hub id is only fetched when the user asked for one.
 */
export async function loadTransformers(allowRemote = false): Promise<TransformersModule> {
  disableTelemetry();
  transformers ??= import('@huggingface/transformers');
  const t = await transformers;
  t.env.allowRemoteModels = allowRemote;
  t.env.allowLocalModels = true;
  return t;
}
