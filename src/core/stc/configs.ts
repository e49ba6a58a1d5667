// The configurations aggregation searches, and which blocks feed each one at an early-exit point k.

import { KINDS, POOLINGS, allBlocks, blockName, type FeatureBlock, type Kind, type Pooling } from '../neurons';
import type { StcSpace } from './options';

export interface StcConfig {
  readonly kinds: Kind[];
  readonly poolings: Pooling[];
}

export function configName(c: StcConfig): string {
  return `${c.kinds.join('+')}/${c.poolings.join('+')}`;
}

/** A grid cell in words, e.g. `hid+act/mean, eta 0.6, k = 5`. */
export function cellName(c: { readonly config: StcConfig; readonly eta: number; readonly k: number }): string {
  return `${configName(c.config)}, eta ${c.eta}, k = ${c.k}`;
}

/**
 * paper: every single (kind, pooling). extended adds, where they differ from those: hid+act per
 * pooling, and {hid}, {act}, {hid+act} each with all poolings combined (12 configurations with
 * both kinds and three poolings).
 */
export function searchConfigs(kinds: readonly Kind[], poolings: readonly Pooling[], space: StcSpace): StcConfig[] {
  const out: StcConfig[] = [];
  for (const kind of kinds) for (const pooling of poolings) out.push({ kinds: [kind], poolings: [pooling] });
  if (space === 'paper') return out;
  if (kinds.length > 1) for (const pooling of poolings) out.push({ kinds: [...kinds], poolings: [pooling] });
  if (poolings.length > 1) {
    for (const kind of kinds) out.push({ kinds: [kind], poolings: [...poolings] });
    if (kinds.length > 1) out.push({ kinds: [...kinds], poolings: [...poolings] });
  }
  return out;
}

/** Layers of `kind` available when the first k transformer blocks run: act 0..k-1 (block l's
 *  FFN), hid 0..k (hid[0] is the embedding output, hid[l] the output of block l-1). */
export function aggregationLayers(kind: Kind, k: number): number[] {
  return Array.from({ length: kind === 'hid' ? k + 1 : k }, (_, l) => l);
}

/** The blocks of a configuration at k, in the canonical order every design uses: by layer, then
 *  kind, then pooling, so equal feature sets always form identical designs. */
export function configBlocks(c: StcConfig, k: number): FeatureBlock[] {
  const out: FeatureBlock[] = [];
  for (let layer = 0; layer <= k; layer++) {
    for (const kind of KINDS) {
      if (!c.kinds.includes(kind) || !aggregationLayers(kind, k).includes(layer)) continue;
      for (const pooling of POOLINGS) if (c.poolings.includes(pooling)) out.push({ kind, layer, pooling });
    }
  }
  return out;
}

/** The last hidden state blocks the baselines read, whatever kinds and poolings are searched. */
export function baselineBlocks(numLayers: number): FeatureBlock[] {
  return (['mean', 'single'] as const).map((pooling) => ({ kind: 'hid', layer: numLayers, pooling }));
}

/** Every block trainStc reads for a search over these kinds and poolings: what to extract. */
export function blocksRead(numLayers: number, kinds: readonly Kind[] = KINDS, poolings: readonly Pooling[] = POOLINGS): FeatureBlock[] {
  const searched = allBlocks(numLayers, kinds, poolings);
  const names = new Set(searched.map(blockName));
  return [...searched, ...baselineBlocks(numLayers).filter((b) => !names.has(blockName(b)))];
}
