// Sparsify-then-Classify end to end: probe every block, sparsify, aggregate progressively, choose
// on validation, refit the choice on train + validation, score the baselines and the chosen
// classifier on test once, and write the report.

import { concatColumns, concatRows, type Design } from '../learn/matrix';
import { classificationMetrics, type ClassificationMetrics } from '../learn/metrics';
import { averageModels, type LogisticModel } from '../learn/model';
import { scoreModel } from '../learn/path';
import { allBlocks, blockName, neuronName, type FeatureBlock } from '../neurons';
import { throwIfAborted } from './abort';
import { aggregate, type AggregationChoice } from './aggregate';
import { applyClassifier, classifierFromModel, type ColumnSource, type StcClassifier } from './classifier';
import { baselineBlocks, cellName, configBlocks, searchConfigs } from './configs';
import { checkInput, labelsOf, readChecked, takeRows, type CheckedInput, type FeatureSource, type StcInput } from './input';
import { neuronStats } from './neuron-stats';
import { resolveSettings, type StcOptions, type StcSettings } from './options';
import { keptPrefix, probeBlock, standardised, type Probe, type ProbeProblem } from './probe';
import { refit, type Refitted } from './refit';
import { REPORT_SCHEMA, REPORT_VERSION, type BaselineEntry, type BaselineName, type ChosenConfiguration, type ProbeEntry, type StcReport } from './report';
import { createRunner, mapLimited, searchOptions, type PathRunner } from './search';

const seconds = (since: number) => (performance.now() - since) / 1000;

function probeEntry(p: Probe): ProbeEntry {
  return {
    block: p.name,
    kind: p.block.kind,
    layer: p.block.layer,
    pooling: p.block.pooling,
    dim: p.dim,
    valScore: p.valScore,
    lambda: p.lambda,
    C: p.C,
    support: p.support,
    constant: p.standardisation.constant.length,
    converged: p.converged,
    pathPoints: p.pathPoints,
    importanceFallback: p.importanceFallback,
    seconds: p.seconds,
  };
}

/** A model over a probe's whole block as a classifier (the baselines). */
function probeClassifier(p: Probe, model: LogisticModel): StcClassifier {
  const { mean, scale } = p.standardisation;
  const columns = Array.from({ length: p.dim }, (_, index): ColumnSource => ({ ...p.block, index, mean: mean[index] as number, scale: scale[index] as number }));
  return classifierFromModel(model, columns);
}

/** A member's input columns (kept neurons, standardised) for one split. */
function memberDesign(member: AggregationChoice, split: 'train' | 'dev'): Design {
  return concatColumns(member.columns.map((c) => keptPrefix(c.probe, split, c.count)));
}

/** What each column of a member's design is. */
function memberColumns(member: AggregationChoice): ColumnSource[] {
  return member.columns.flatMap(({ probe, count }) =>
    Array.from(probe.order.subarray(0, count), (index): ColumnSource => ({
      ...probe.block,
      index,
      mean: probe.standardisation.mean[index] as number,
      scale: probe.standardisation.scale[index] as number,
    })),
  );
}

/** The members' models (one per member, on its columns) averaged into one classifier. */
function ensembleClassifier(members: readonly AggregationChoice[], models: readonly LogisticModel[]): StcClassifier {
  return classifierFromModel(averageModels(models), members.flatMap(memberColumns));
}

function configurationOf(m: AggregationChoice): ChosenConfiguration {
  return { config: m.config, eta: m.eta, k: m.k, penalty: m.penalty, lambda: m.lambda, C: m.C, valScore: m.valScore, features: m.features, support: m.support, converged: m.converged };
}

function testMetrics(c: StcClassifier, source: Pick<FeatureSource, 'read'>, y: Int32Array, test: Int32Array, signal: AbortSignal | undefined): ClassificationMetrics {
  const { predictions, proba } = applyClassifier(c, source, test, signal);
  return classificationMetrics(labelsOf(y, test), predictions, c.nClasses, proba);
}

function probeWarnings(p: Probe): string[] {
  const out: string[] = [];
  const constant = p.standardisation.constant.length;
  if (constant === p.dim) out.push(`${p.name}: every neuron is constant on train (e.g. the first token's embedding); its probe is the intercept-only model and it contributes one uninformative neuron per eta`);
  if (!p.converged) out.push(`${p.name}: the chosen path point did not reach the solver's tolerance`);
  return out;
}

/**
 * Trains STC on a feature source. Reads one block at a time (with worker threads, one per fit in
 * flight); keeps per block its standardisation, probe model, importance ranking and the
 * standardised train/dev values of the neurons any eta keeps. Rejects with an AbortError when
 * `options.signal` fires.
 */
export async function trainStc(input: StcInput, options: StcOptions = {}): Promise<StcReport> {
  const checked = checkInput(input);
  const settings = resolveSettings(options, checked.counts.train, input.classes);
  const runner = createRunner(options.threads, options.signal);
  try {
    return await run(input, options, checked, settings, runner);
  } finally {
    await runner.close();
  }
}

async function run(input: StcInput, options: StcOptions, checked: CheckedInput, settings: StcSettings, runner: PathRunner): Promise<StcReport> {
  const t0 = performance.now();
  const { signal, onProgress } = options;
  const { classes, source } = input;
  const L = source.numLayers;
  const warnings = [...checked.warnings];
  const yTrain = labelsOf(input.y, checked.train);
  const yDev = labelsOf(input.y, checked.dev);
  const { probe: probeSearch, aggregation: searches } = searchOptions(settings, classes.length);
  const problem: ProbeProblem = { rows: checked, yTrain, yDev, etaGrid: settings.etaGrid, search: probeSearch, runner };

  const probes = new Map<string, Probe>();
  const runProbe = async (block: FeatureBlock): Promise<Probe> => {
    throwIfAborted(signal);
    const probe = await probeBlock(() => readChecked(source, block, input.y.length, checked), block, problem);
    probes.set(probe.name, probe);
    return probe;
  };

  // 1-2. Probes, and sparsification (ranking and eta counts, done inside each probe).
  let t = performance.now();
  const blocks = allBlocks(L, settings.kinds, settings.poolings);
  let probed = 0;
  // act blocks first: the FFN is typically 4x wider than the residual stream, so they take longest.
  const searched = await mapLimited(
    blocks,
    runner.concurrency,
    async (block) => {
      const probe = await runProbe(block);
      onProgress?.({ stage: 'probe', done: ++probed, total: blocks.length, item: probe.name });
      return probe;
    },
    (block) => (block.kind === 'act' ? 1 : 0),
  );
  for (const p of searched) warnings.push(...probeWarnings(p));
  const sparsifySeconds = searched.reduce((s, p) => s + p.sparsifySeconds, 0);
  const probeSeconds = seconds(t) - sparsifySeconds;

  // 3. Progressive aggregation over every configuration, eta and k; the choice on validation.
  t = performance.now();
  const configs = searchConfigs(settings.kinds, settings.poolings, settings.space);
  const agg = await aggregate({ probes, configs, etaGrid: settings.etaGrid, numLayers: L, yTrain, yDev, searches, runner, ensemble: settings.ensemble, onProgress });
  const { members } = agg;
  const chosen = members[0] as AggregationChoice;
  const ensembleVal = scoreModel(averageModels(members.map((m) => m.model)), concatColumns(members.map((m) => memberDesign(m, 'dev'))), yDev, settings.metric);
  const aggregateSeconds = seconds(t);
  t = performance.now();
  const trainDev = Int32Array.from([...checked.train, ...checked.dev]);
  const yTrainDev = labelsOf(input.y, trainDev);
  const memberName = (m: AggregationChoice, i: number) => `classifier member ${i + 1} of ${members.length} (${cellName(m)})`;
  const finalFits: Refitted[] = settings.refit
    ? await mapLimited(members, runner.concurrency, (m, i) =>
        refit(
          runner,
          { X: concatRows([memberDesign(m, 'train'), memberDesign(m, 'dev')]), y: yTrainDev, nClasses: classes.length, penalty: m.penalty, lambda: m.lambda },
          `refit of ${memberName(m, i)} on train + validation`,
        ),
      )
    : members.map((m) => ({ model: m.model, converged: m.converged }));
  const fit = settings.refit ? 'refit on train + validation' : 'fit on train (no refit was asked for)';
  finalFits.forEach((f, i) => {
    if (!f.converged) warnings.push(`${memberName(members[i] as AggregationChoice, i)}: its ${fit} did not reach the solver's tolerance`);
  });
  const classifier = ensembleClassifier(members, finalFits.map((f) => f.model));
  const refitSeconds = seconds(t);

  // 4. Baselines: the last hidden state (mean, single token) and the best probe of the search;
  // a last-layer block outside the searched kinds or poolings is probed here.
  t = performance.now();
  const [lastHidMean, lastHidSingle] = baselineBlocks(L) as [FeatureBlock, FeatureBlock];
  const bestProbe = searched.reduce((best, p) => (p.valScore > best.valScore ? p : best));
  const baselineFeatures: [BaselineName, FeatureBlock][] = [['last-hid-mean', lastHidMean], ['last-hid-single', lastHidSingle], ['best-probe', bestProbe.block]];
  // Refitted like the classifier's members, so both are compared on the same rows; the block is read
  // once for the refit and the test.
  const baselineTest = async (probe: Probe, name: BaselineName): Promise<ClassificationMetrics | undefined> => {
    if (!checked.test) return undefined;
    if (!settings.refit) return testMetrics(probeClassifier(probe, probe.model), source, input.y, checked.test, signal);
    const block = readChecked(source, probe.block, input.y.length, checked);
    const X = standardised(takeRows(block, trainDev), probe.standardisation, `${probe.name} (train + validation)`);
    const { model } = await refit(runner, { X, y: yTrainDev, nClasses: classes.length, penalty: 'l1', lambda: probe.lambda }, `refit of the ${name} baseline`);
    return testMetrics(probeClassifier(probe, model), { read: () => block }, input.y, checked.test, signal);
  };
  let baselineFits = 0;
  const baselines: BaselineEntry[] = [];
  for (const [index, [name, block]] of baselineFeatures.entries()) {
    let probe = probes.get(blockName(block));
    if (!probe) {
      probe = await runProbe(block);
      warnings.push(...probeWarnings(probe));
      baselineFits++;
    }
    baselines.push({
      name,
      block: probe.name,
      valScore: probe.valScore,
      lambda: probe.lambda,
      C: probe.C,
      support: probe.support,
      ...(checked.test ? { test: await baselineTest(probe, name) } : {}),
    });
    onProgress?.({ stage: 'baseline', done: index + 1, total: baselineFeatures.length, item: name });
  }
  const baselineSeconds = seconds(t);
  // 5. The chosen classifier on test, once.
  t = performance.now();
  const test = checked.test ? testMetrics(classifier, source, input.y, checked.test, signal) : undefined;
  if (checked.test) onProgress?.({ stage: 'test', done: 1, total: 1 });
  const testSeconds = seconds(t);

  const memberBlocks = [...new Set(members.flatMap((m) => configBlocks(m.config, m.k).map(blockName)))].map((name) => probes.get(name) as Probe);
  return {
    schema: REPORT_SCHEMA,
    version: REPORT_VERSION,
    createdAt: new Date().toISOString(),
    model: { ...input.model, numLayers: L },
    data: {
      classes: [...classes],
      rows: { train: checked.train.length, dev: checked.dev.length, ...(checked.test ? { test: checked.test.length } : {}) },
      counts: checked.counts,
      ...(input.devSource !== undefined ? { devSource: input.devSource } : {}),
    },
    settings,
    probes: searched.map(probeEntry),
    sparsification: Object.fromEntries(searched.map((p) => [p.name, Object.fromEntries(settings.etaGrid.map((eta, e) => [String(eta), p.keptCounts[e] as number]))])),
    aggregation: agg.curves,
    chosen: configurationOf(chosen),
    ensemble: { members: members.map(configurationOf), k: Math.max(...members.map((m) => m.k)), valScore: ensembleVal },
    finalFit: { on: settings.refit ? 'train+dev' : 'train', rows: settings.refit ? trainDev.length : checked.train.length, support: classifier.neurons.length, converged: finalFits.every((f) => f.converged) },
    classifier,
    keptPerLayer: Array.from({ length: L + 1 }, (_, layer) => ({
      layer,
      hid: classifier.neurons.filter((n) => n.layer === layer && n.kind === 'hid').length,
      act: classifier.neurons.filter((n) => n.layer === layer && n.kind === 'act').length,
    })),
    baselines,
    ...(test ? { test } : {}),
    featureCounts: {
      candidates: memberBlocks.reduce((s, p) => s + p.dim, 0),
      probedNonZero: memberBlocks.reduce((s, p) => s + p.importance.filter((v) => v > 0).length, 0),
      keptAfterSparsify: new Set(members.flatMap(memberColumns).map(neuronName)).size,
      final: classifier.neurons.length,
    },
    fits: { probes: searched.length, aggregation: agg.fits, cached: agg.cached, baselines: baselineFits },
    timings: { probe: probeSeconds, sparsify: sparsifySeconds, aggregate: aggregateSeconds, refit: refitSeconds, baselines: baselineSeconds, test: testSeconds, total: seconds(t0) },
    neuronStats: neuronStats(classifier, probes, checked.train, yTrain),
    warnings,
  };
}
