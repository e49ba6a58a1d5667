// A generated report of a 48-layer model with hundreds of kept neurons out of hundreds of
// thousands of candidates: the Layer Explorer's performance case. Shapes follow
// docs/report-schema.md; the numbers are seeded noise around plausible curves.
import { allBlocks, blockName, KINDS, POOLINGS } from '../../src/core/neurons';
import { mulberry32 } from '../../src/core/random';
import { searchConfigs } from '../../src/core/stc/configs';
import { PAPER_ETA_GRID } from '../../src/core/stc/options';
import { REPORT_SCHEMA, REPORT_VERSION, type StcReport } from '../../src/core/stc/report';
import type { StcNeuron } from '../../src/core/stc/classifier';

export interface LargeReportOptions {
  readonly numLayers?: number;
  readonly hidDim?: number;
  readonly actDim?: number;
  readonly classes?: number;
  readonly neurons?: number;
}

export function largeReport(o: LargeReportOptions = {}): StcReport {
  const L = o.numLayers ?? 48;
  const hidDim = o.hidDim ?? 1024;
  const actDim = o.actDim ?? 4096;
  const K = o.classes ?? 4;
  const rand = mulberry32(3);
  const classes = Array.from({ length: K }, (_, k) => `topic-${k}`);
  const score = (depth: number) => Math.min(0.97, 0.45 + 0.45 * Math.sin(Math.min(1, depth) * 2) + 0.03 * rand());
  const blocks = allBlocks(L);
  const probes = blocks.map((b) => ({
    block: blockName(b),
    ...b,
    dim: b.kind === 'hid' ? hidDim : actDim,
    valScore: score(b.layer / L),
    lambda: 0.01,
    C: 1,
    support: 20 + Math.floor(200 * rand()),
    constant: 0,
    converged: true,
    pathPoints: 12,
    importanceFallback: false,
    seconds: 0.5,
  }));
  const configs = searchConfigs(KINDS, POOLINGS, 'extended');
  const aggregation = configs.flatMap((config) =>
    PAPER_ETA_GRID.map((eta) => ({
      config,
      eta,
      curve: Array.from({ length: L }, (_, i) => ({ k: i + 1, penalty: i % 2 === 0 ? ('l1' as const) : ('l2' as const), valScore: score((i + 1) / L) * (0.9 + 0.1 * eta), lambda: 0.01, C: 1, features: 50 * (i + 1), support: 10 * (i + 1), converged: true })),
    })),
  );
  const chosenEntry = aggregation[3] as (typeof aggregation)[number];
  const chosenPoint = chosenEntry.curve[Math.floor((L * 2) / 3)] as (typeof chosenEntry.curve)[number];
  const count = o.neurons ?? 600;
  const neurons: StcNeuron[] = Array.from({ length: count }, () => {
    const kind = rand() < 0.3 ? 'hid' : 'act';
    const layer = Math.floor(rand() * (kind === 'hid' ? chosenPoint.k + 1 : chosenPoint.k));
    const pooling = POOLINGS[Math.floor(rand() * 3)] as (typeof POOLINGS)[number];
    const index = Math.floor(rand() * (kind === 'hid' ? hidDim : actDim));
    const weights = Array.from({ length: K }, () => (rand() - 0.5) * 2);
    return { name: `L${layer}.${kind}.${pooling}#${index}`, kind, layer, pooling, index, mean: rand(), scale: 1 + rand(), weights, importance: weights.reduce((s, w) => s + w * w, 0) };
  });
  const unique = [...new Map(neurons.map((n) => [n.name, n])).values()].sort((a, b) => a.layer - b.layer || a.kind.localeCompare(b.kind) || a.pooling.localeCompare(b.pooling) || a.index - b.index);
  const keptPerLayer = Array.from({ length: L + 1 }, (_, layer) => ({
    layer,
    hid: unique.filter((n) => n.layer === layer && n.kind === 'hid').length,
    act: unique.filter((n) => n.layer === layer && n.kind === 'act').length,
  }));
  const rows = (n: number) => Array.from({ length: 10 }, (_, i) => ({ row: i * 7 + n, value: 3 - i * 0.2 }));
  const empty = { accuracy: 0.9, macroF1: 0.89, perClass: [], confusion: [] };
  const chosen = { config: chosenEntry.config, eta: chosenEntry.eta, ...chosenPoint, support: unique.length };
  return {
    schema: REPORT_SCHEMA,
    version: REPORT_VERSION,
    createdAt: '2026-01-01T00:00:00.000Z',
    model: { id: 'synthetic-48-layer', numLayers: L },
    data: { classes, rows: { train: 4000, dev: 1000 }, counts: { train: classes.map(() => 1000), dev: classes.map(() => 250) } },
    settings: {
      kinds: [...KINDS],
      poolings: [...POOLINGS],
      space: 'extended',
      etaGrid: [...PAPER_ETA_GRID],
      pathLength: 12,
      lambdaMinRatio: 0.01,
      patience: 2,
      penalties: ['l1', 'l2'],
      metric: 'accuracy',
      metricReason: 'auto: balanced classes',
      ensemble: 1,
      refit: true,
      kConvention: '',
      tieBreaks: '',
      standardised: true,
    },
    probes,
    sparsification: {},
    aggregation,
    chosen,
    ensemble: { members: [chosen], k: chosen.k, valScore: chosen.valScore },
    finalFit: { on: 'train+dev', rows: 5000, support: unique.length, converged: true },
    classifier: { neurons: unique, intercepts: classes.map(() => 0), outputs: K, nClasses: K },
    keptPerLayer,
    baselines: [
      { name: 'last-hid-mean', block: `L${L}.hid.mean`, valScore: 0.82, lambda: 0.01, C: 1, support: 300, test: empty },
      { name: 'last-hid-single', block: `L${L}.hid.single`, valScore: 0.74, lambda: 0.01, C: 1, support: 280, test: empty },
      { name: 'best-probe', block: 'L30.act.mean', valScore: 0.93, lambda: 0.01, C: 1, support: 150, test: empty },
    ],
    featureCounts: { candidates: probes.reduce((s, p) => s + p.dim, 0), probedNonZero: 5000, keptAfterSparsify: chosenPoint.features, final: unique.length },
    fits: { probes: probes.length, aggregation: aggregation.length, cached: 0, baselines: 0 },
    timings: { probe: 1, sparsify: 1, aggregate: 1, refit: 1, baselines: 1, test: 1, total: 5 },
    neuronStats: unique.map((n, i) => ({
      name: n.name,
      min: -3,
      max: 4,
      bins: 20,
      histogram: classes.map((_, k) => Array.from({ length: 20 }, (_, b) => Math.round(200 * Math.exp(-(((b - 8 - k * 2) / 3) ** 2))))),
      classMeans: classes.map((_, k) => k * 0.4 - 0.5),
      top: rows(i),
      bottom: rows(i + 1).map((r) => ({ ...r, value: -r.value })),
    })),
    warnings: [],
  };
}
