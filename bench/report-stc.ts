// The STC benchmark's goals (issue 4, section 4), judged per dataset from bench/results/stc.json's
// rows: our STC within 0.3 points of the paper's pipeline or better, at least 5x faster for the
// whole search, and above the last-layer baseline.
import type { BenchResult, BenchRow } from './result';

const TOLERANCE_POINTS = 0.3;
const SPEED_UP_GOAL = 5;

const sign = (x: number) => (x >= 0 ? `+${x.toFixed(2)}` : x.toFixed(2));
const verdict = (met: boolean) => (met ? 'met' : '**not met**');

export function stcGoals(r: BenchResult): string[] {
  const byDataset = new Map<string, Map<string, BenchRow>>();
  for (const row of r.rows) {
    const d = row.dataset ?? '';
    if (!byDataset.has(d)) byDataset.set(d, new Map());
    byDataset.get(d)?.set(row.metric, row);
  }
  const lines = [
    '### Goals per dataset',
    '',
    `Score goal: our STC's test score at most ${TOLERANCE_POINTS} points below the reference's, or above it. Speed goal: the reference's search time / ours >= ${SPEED_UP_GOAL}, for each space's whole search (the paper space is the search the reference does; the extended space, the default, searches more). Last-layer goal: STC above the better of the two last-layer baselines (ours).`,
    '',
    '| dataset | STC paper − reference (points) | score goal | STC extended − reference (points) | score goal | speed-up, paper space | speed goal | speed-up, extended space | speed goal | STC paper − last layer (points) | STC extended − last layer (points) |',
    '| --- | ---: | --- | ---: | --- | ---: | --- | ---: | --- | ---: | ---: |',
  ];
  for (const [dataset, rows] of byDataset) {
    const paper = rows.get('STC, paper space');
    const extended = rows.get('STC, extended space');
    const speed = rows.get('speed-up, paper space (reference time / ours)');
    const extSpeed = rows.get('speed-up, extended space (reference time / ours)');
    const lastMean = rows.get('baseline: last layer hid mean + L1-LR')?.value ?? NaN;
    const lastSingle = rows.get('baseline: last layer hid single + L1-LR')?.value ?? NaN;
    if (!paper || !extended || !speed || !extSpeed || paper.anchor_value === null) continue;
    const last = Math.max(lastMean, lastSingle);
    const dPaper = paper.value - paper.anchor_value;
    const dExt = extended.value - paper.anchor_value;
    lines.push(
      `| ${dataset} | ${sign(dPaper)} | ${verdict(dPaper >= -TOLERANCE_POINTS)} | ${sign(dExt)} | ${verdict(dExt >= -TOLERANCE_POINTS)} | ${speed.value.toFixed(1)}x | ${verdict(speed.value >= SPEED_UP_GOAL)} | ${extSpeed.value.toFixed(1)}x | ${verdict(extSpeed.value >= SPEED_UP_GOAL)} | ${sign(paper.value - last)} | ${sign(extended.value - last)} |`,
    );
  }
  return lines;
}
