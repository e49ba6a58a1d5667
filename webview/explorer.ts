// The Layer Explorer view: how each layer's probe scored, how aggregation over k went, where the
// kept neurons are, and the explanation of the editor line the user is on.

import { divergingBars } from './charts/bars';
import { lineChart, type LineSeries } from './charts/line-chart';
import { neuronMapView } from './charts/neuron-map';
import { stackedBars } from './charts/stacked-bars';
import { formatNumber, formatScore, h, section } from './dom';
import { post } from './host';
import { layerNeurons } from './shared/map';
import type { ExplanationView, ExplorerModel, ToWebview } from './shared/protocol';
import { classColor } from './theme';
import { chartSlot, redrawCharts } from './slot';

const POOLING_COLOR = { mean: 'var(--vscode-charts-blue)', max: 'var(--vscode-charts-orange)', single: 'var(--vscode-charts-green)' };
const KIND_COLOR = { hid: 'var(--vscode-charts-blue)', act: 'var(--vscode-charts-purple)' };
const BASELINE_DASH: Record<string, string> = { 'last-hid-mean': '6 3', 'last-hid-single': '2 3', 'best-probe': '8 2 2 2' };
const METRIC_NAME = { accuracy: 'accuracy', macroF1: 'macro-F1' };
const PENALTY_NAME = { l1: 'sparse L1 classifier', l2: 'ridge (L2) classifier' };

function openNeuron(name: string): void {
  post({ type: 'openNeuron', name });
}

function legend(items: readonly { label: string; color: string; dash?: string }[]): HTMLElement {
  return h(
    'div',
    { class: 'legend', attrs: { 'aria-hidden': 'true' } },
    items.map((i) => {
      const swatch = h('span', { class: `swatch${i.dash ? ' dashed' : ''}` });
      swatch.style.borderColor = i.color;
      if (!i.dash) swatch.style.background = i.color;
      return h('span', { class: 'legend-item' }, [swatch, i.label]);
    }),
  );
}

export class ExplorerView {
  private model: ExplorerModel | undefined;
  private selectedLayer: number | undefined;
  private readonly layerBody = h('div', { class: 'layer-body' });
  private readonly explanationBody = h('div', { class: 'explanation', attrs: { 'aria-live': 'polite' } }, [h('p', { class: 'muted', text: 'Select or place the cursor on a line in an editor to see how the classifier reads it.' })]);
  private readonly layerSection = section('Layer', [this.layerBody]);

  constructor(private readonly root: HTMLElement) {}

  handle(message: ToWebview): void {
    switch (message.type) {
      case 'model':
        this.model = message.model;
        this.selectedLayer = undefined;
        this.render();
        break;
      case 'empty':
        this.model = undefined;
        this.root.replaceChildren(h('p', { class: 'empty', text: message.reason }));
        break;
      case 'explaining':
        this.explanationBody.replaceChildren(h('p', { class: 'muted', text: `Explaining ${message.source}...` }));
        break;
      case 'explanation':
        this.explanationBody.replaceChildren(...this.explanation(message.explanation));
        break;
      case 'explainError':
        this.explanationBody.replaceChildren(h('p', { class: 'error', text: `${message.source}: ${message.message}` }));
        break;
      default:
        break;
    }
  }

  private selectLayer(layer: number, reveal: boolean): void {
    const m = this.model;
    if (!m) return;
    this.selectedLayer = layer;
    this.renderLayer(m);
    redrawCharts();
    if (reveal) {
      this.layerSection.open = true;
      this.layerSection.scrollIntoView({ block: 'nearest' });
    }
  }

  private render(): void {
    const m = this.model;
    if (!m) return;
    this.renderLayer(m);
    this.root.replaceChildren(
      this.header(m),
      section('Probe score per layer', [this.probeLegend(m), chartSlot((w) => this.probeChart(m, w))], { description: METRIC_NAME[m.metric] }),
      section('Progressive aggregation', [this.aggregationLegend(m), chartSlot((w) => this.aggregationChart(m, w))], { description: `k = ${m.chosen.k}` }),
      section('Kept neurons per layer', [legend([{ label: 'hid', color: KIND_COLOR.hid }, { label: 'act', color: KIND_COLOR.act }]), chartSlot((w) => this.keptChart(m, w))], {
        description: `${m.neurons.length}`,
      }),
      section('Neuron map', [legend(m.classes.map((c, k) => ({ label: c, color: classColor(k) }))), chartSlot((w) => this.mapView(m, w))], { description: `${m.neurons.length} of ${m.candidates.toLocaleString('en-US')}` }),
      this.layerSection,
      section('Editor line', [this.explanationBody]),
    );
  }

  private header(m: ExplorerModel): HTMLElement {
    const metric = METRIC_NAME[m.metric];
    const facts = [
      `validation ${metric} ${formatScore(m.ensemble.score)}`,
      m.test ? `test accuracy ${formatScore(m.test.accuracy)}, macro-F1 ${formatScore(m.test.macroF1)}` : m.validationCaveat,
      `exits after block ${m.ensemble.k} of ${m.numLayers}`,
      `${m.chosen.support} neuron${m.chosen.support === 1 ? '' : 's'} kept of ${m.candidates.toLocaleString('en-US')} candidates (${
        m.ensemble.members.length === 1 ? `${m.chosen.label}, eta ${m.chosen.eta}, ${PENALTY_NAME[m.chosen.penalty]}` : `the average of the best ${m.ensemble.members.length} configurations: ${m.ensemble.members.join('; ')}`
      })`,
      m.chosen.fittedOn === 'train+dev' ? 'chosen on validation, then refitted on train + validation' : undefined,
    ].filter((f): f is string => f !== undefined);
    const warnings = m.warnings.length > 0 ? section(`Warnings (${m.warnings.length})`, [h('ul', {}, m.warnings.map((w) => h('li', { text: w })))], { open: false }) : null;
    return h('header', { class: 'summary' }, [h('h2', { text: m.name }), h('ul', { class: 'facts' }, facts.map((f) => h('li', { text: f }))), warnings]);
  }

  private probeLegend(m: ExplorerModel): HTMLElement {
    return legend([
      ...m.probes.map((s) => ({ label: `${s.kind}.${s.pooling}`, color: POOLING_COLOR[s.pooling], dash: s.kind === 'act' ? 'dash' : undefined })),
      ...m.baselines.map((b) => ({ label: `${b.name} ${formatScore(b.score)}`, color: 'var(--vscode-descriptionForeground)', dash: 'dash' })),
    ]);
  }

  private probeChart(m: ExplorerModel, width: number): Element {
    const series: LineSeries[] = m.probes.map((s) => ({
      label: `${s.kind}.${s.pooling}`,
      color: POOLING_COLOR[s.pooling],
      dashed: s.kind === 'act',
      points: s.points.map((p) => ({ x: p.layer, y: p.score })),
    }));
    return lineChart(
      {
        label: `Validation ${METRIC_NAME[m.metric]} of each layer's probe, per kind and pooling, with the baselines as reference lines`,
        xLabel: 'layer',
        yLabel: METRIC_NAME[m.metric],
        series,
        references: m.baselines.map((b) => ({ label: b.name, y: b.score, dash: BASELINE_DASH[b.name] ?? '4 4' })),
        selectedX: this.selectedLayer,
        describe: (layer) => [
          `Layer ${layer}`,
          ...m.probes.flatMap((s) => {
            const p = s.points.find((q) => q.layer === layer);
            return p ? [`${s.kind}.${s.pooling}: ${formatScore(p.score)} (${p.support} of ${p.dim} neurons)`] : [];
          }),
        ],
        onSelect: (layer) => this.selectLayer(layer, true),
      },
      width,
    );
  }

  private aggregationLegend(m: ExplorerModel): HTMLElement {
    return legend([
      { label: `chosen: ${m.chosen.label}, eta ${m.chosen.eta}`, color: 'var(--vscode-charts-blue)' },
      { label: 'other configurations (best eta)', color: 'var(--vscode-charts-lines, var(--vscode-descriptionForeground))' },
      ...m.baselines.map((b) => ({ label: b.name, color: 'var(--vscode-descriptionForeground)', dash: 'dash' })),
    ]);
  }

  private aggregationChart(m: ExplorerModel, width: number): Element {
    const series: LineSeries[] = m.aggregation.map((a) => ({
      label: a.label,
      color: a.chosen ? 'var(--vscode-charts-blue)' : 'var(--vscode-charts-lines, var(--vscode-descriptionForeground))',
      emphasis: a.chosen ? 'strong' : 'faint',
      points: a.points.map((p) => ({ x: p.k, y: p.score })),
    }));
    return lineChart(
      {
        label: `Validation ${METRIC_NAME[m.metric]} of the classifier over k blocks run, per configuration; k = ${m.chosen.k} was chosen`,
        xLabel: 'k (blocks run)',
        yLabel: METRIC_NAME[m.metric],
        series,
        references: m.baselines.map((b) => ({ label: b.name, y: b.score, dash: BASELINE_DASH[b.name] ?? '4 4' })),
        marker: { x: m.chosen.k, y: m.chosen.score, label: `k = ${m.chosen.k}` },
        describe: (k) => {
          const at = m.aggregation
            .map((a) => ({ a, p: a.points.find((q) => q.k === k) }))
            .filter((x): x is { a: (typeof m.aggregation)[number]; p: NonNullable<typeof x.p> } => x.p !== undefined)
            .sort((x, y) => Number(y.a.chosen) - Number(x.a.chosen) || y.p.score - x.p.score);
          return [
            `k = ${k}${k === m.chosen.k ? ' (chosen)' : ''}`,
            ...at.slice(0, 4).map(({ a, p }) => `${a.chosen ? '> ' : ''}${a.label} eta ${a.eta}: ${formatScore(p.score)}, ${p.support}/${p.features} neurons`),
          ];
        },
      },
      width,
    );
  }

  private keptChart(m: ExplorerModel, width: number): Element {
    return stackedBars(
      {
        label: 'Classifier neurons per layer, stacked by kind',
        rows: m.kept,
        colors: KIND_COLOR,
        selectedLayer: this.selectedLayer,
        describe: (layer) => {
          const r = m.kept.find((x) => x.layer === layer);
          return [`Layer ${layer}`, `hid ${r?.hid ?? 0}, act ${r?.act ?? 0}`, 'Enter or click: list them'];
        },
        onSelect: (layer) => this.selectLayer(layer, true),
      },
      width,
    );
  }

  private mapView(m: ExplorerModel, width: number): Element {
    return neuronMapView(
      { neurons: m.neurons, classes: m.classes, numLayers: m.numLayers, dims: m.dims, selectedLayer: this.selectedLayer, onOpen: openNeuron, onSelectLayer: (l) => this.selectLayer(l, true) },
      width,
    );
  }

  private renderLayer(m: ExplorerModel): void {
    const select = h('vscode-single-select', { attrs: { 'aria-label': 'Layer' } });
    select.append(
      h('vscode-option', { text: 'Choose a layer', attrs: { value: '' } }),
      ...m.kept.map((r) => h('vscode-option', { text: `Layer ${r.layer}: ${r.hid + r.act} kept`, attrs: { value: String(r.layer) } })),
    );
    select.value = this.selectedLayer === undefined ? '' : String(this.selectedLayer);
    select.addEventListener('change', () => {
      if (select.value !== '') this.selectLayer(Number(select.value), false);
    });
    const layer = this.selectedLayer;
    const neurons = layer === undefined ? [] : layerNeurons(m.neurons, layer);
    const body =
      layer === undefined
        ? h('p', { class: 'muted', text: 'Click a layer in a chart, or choose one, to list its kept neurons by importance.' })
        : neurons.length === 0
          ? h('p', { class: 'muted', text: `No classifier neuron in layer ${layer}.` })
          : divergingBars(
              neurons.map((n) => ({
                label: n.name,
                value: n.importance,
                color: classColor(n.classIndex),
                note: `${formatNumber(n.importance)} ${m.classes[n.classIndex] ?? ''}`,
                title: `${n.name}: importance ${formatNumber(n.importance)}, pushes toward ${m.classes[n.classIndex] ?? n.classIndex}. Open the neuron view.`,
                onClick: () => openNeuron(n.name),
              })),
              `Kept neurons of layer ${layer}, most important first`,
            );
    this.layerBody.replaceChildren(select, body);
    this.layerSection.description = layer === undefined ? '' : `L${layer}: ${neurons.length} kept`;
  }

  private explanation(e: ExplanationView): Node[] {
    const k = e.labels.indexOf(e.label);
    const p = e.proba[k] ?? 0;
    const text = e.text.length > 160 ? `${e.text.slice(0, 160)}...` : e.text;
    return [
      h('p', { class: 'prediction' }, [h('span', { class: 'source', text: e.source }), ' ', h('vscode-badge', { text: e.label }), ` ${(p * 100).toFixed(1)}%`]),
      h('blockquote', { class: 'quoted', text }),
      e.truncated ? h('p', { class: 'warning', text: 'The text was longer than the model reads; its end was cut.' }) : null,
      divergingBars(
        e.labels.map((label, i) => ({ label, value: e.proba[i] ?? 0, color: classColor(i), note: `${((e.proba[i] ?? 0) * 100).toFixed(1)}%` })),
        'Probability per class',
      ),
      h('h3', { text: `Strongest contributions (${e.contributions.length} of ${e.total} neurons)` }),
      divergingBars(
        e.contributions.map((c) => ({
          label: c.name,
          value: c.contribution,
          color: c.contribution >= 0 ? classColor(k) : 'var(--vscode-descriptionForeground)',
          note: `${c.contribution >= 0 ? '+' : ''}${c.contribution.toFixed(3)}`,
          title: `${c.name}: ${c.contribution >= 0 ? 'for' : 'against'} ${e.label} by ${Math.abs(c.contribution).toFixed(3)} (value ${formatNumber(c.value)}, standardised ${c.standardised.toFixed(2)}). Open the neuron view.`,
          onClick: () => openNeuron(c.name),
        })),
        `Neuron contributions to ${e.label}, strongest first`,
      ),
    ].filter((n): n is HTMLElement => n !== null);
  }
}
