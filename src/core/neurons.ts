// Names of feature blocks and neurons. One spelling everywhere (UI, CLI, artifact, report):
// a block is `L{layer}.{kind}.{pooling}`, a neuron is `L{layer}.{kind}.{pooling}#{index}`.

/** `hid`: the residual stream (Hugging Face `output_hidden_states`, layers 0..L).
 *  `act`: the input of block l's FFN down projection (layers 0..L-1). */
export const KINDS = ['hid', 'act'] as const;
export type Kind = (typeof KINDS)[number];

/** `single` is the first token for encoders and the last real token for decoders. */
export const POOLINGS = ['mean', 'max', 'single'] as const;
export type Pooling = (typeof POOLINGS)[number];

export interface FeatureBlock {
  readonly kind: Kind;
  readonly layer: number;
  readonly pooling: Pooling;
}

export interface Neuron extends FeatureBlock {
  readonly index: number;
}

export function blockName(b: FeatureBlock): string {
  return `L${b.layer}.${b.kind}.${b.pooling}`;
}

export function neuronName(n: Neuron): string {
  return `${blockName(n)}#${n.index}`;
}

const BLOCK = /^L(\d+)\.(hid|act)\.(mean|max|single)$/;
const NEURON = /^L(\d+)\.(hid|act)\.(mean|max|single)#(\d+)$/;

export function parseBlockName(name: string): FeatureBlock {
  const m = BLOCK.exec(name);
  if (!m) throw new Error(`"${name}" is not a feature block name; expected L{layer}.{hid|act}.{mean|max|single}`);
  return { layer: Number(m[1]), kind: m[2] as Kind, pooling: m[3] as Pooling };
}

export function parseNeuronName(name: string): Neuron {
  const m = NEURON.exec(name);
  if (!m) throw new Error(`"${name}" is not a neuron name; expected L{layer}.{hid|act}.{mean|max|single}#{index}`);
  return { layer: Number(m[1]), kind: m[2] as Kind, pooling: m[3] as Pooling, index: Number(m[4]) };
}

/** Every block a model with `numLayers` transformer blocks offers for the given kinds and poolings. */
export function allBlocks(numLayers: number, kinds: readonly Kind[] = KINDS, poolings: readonly Pooling[] = POOLINGS): FeatureBlock[] {
  const out: FeatureBlock[] = [];
  for (const kind of kinds) {
    const layers = kind === 'hid' ? numLayers + 1 : numLayers;
    for (let layer = 0; layer < layers; layer++) for (const pooling of poolings) out.push({ kind, layer, pooling });
  }
  return out;
}
