// The neuron view: one kept neuron's weights, its training distribution per class, the training
// texts it fires on most and least, and its value on the editor selection.

import { divergingBars } from './charts/bars';
import { histogramChart } from './charts/histogram';
import { formatNumber, h, section } from './dom';
import type { ExampleView, NeuronModel, Segment, SelectionActivation, ToWebview } from './shared/protocol';
import { chartSlot, redrawCharts } from './slot';
import { classColor } from './theme';

/** Text pieces, highlighted in proportion to the neuron's value on them (positive values only:
 *  where the neuron fires). */
function highlighted(segments: readonly Segment[]): HTMLElement {
  const max = Math.max(1e-12, ...segments.map((s) => s.value ?? 0));
  return h(
    'span',
    { class: 'tokens' },
    segments.map((s) => {
      if (s.value === null) return s.text;
      const share = Math.max(0, s.value) / max;
      const span = h('span', { class: 'token', text: s.text, attrs: { title: `${s.text.trim()}: ${formatNumber(s.value)}` } });
      span.style.setProperty('--strength', `${Math.round(share * 80)}%`);
      if (share >= 0.5) span.classList.add('strong');
      return span;
    }),
  );
}

function exampleItem(e: ExampleView): HTMLElement {
  const badge = h('vscode-badge', { text: e.label ?? 'unknown label' });
  const text = e.segments ? highlighted(e.segments) : h('span', { text: e.text ?? `(row ${e.row}: text not saved with the classifier)` });
  return h('li', { class: 'example' }, [h('div', { class: 'example-head' }, [badge, h('span', { class: 'muted', text: ` row ${e.row} · value ${formatNumber(e.raw)} (z ${e.value.toFixed(2)})` })]), h('div', { class: 'example-text' }, [text])]);
}

export class NeuronView {
  private neuron: NeuronModel | undefined;
  private selection: SelectionActivation | undefined;
  private readonly selectionBody = h('div', { attrs: { 'aria-live': 'polite' } }, [h('p', { class: 'muted', text: 'Select text in an editor to see this neuron on it.' })]);

  constructor(private readonly root: HTMLElement) {}

  handle(message: ToWebview): void {
    switch (message.type) {
      case 'neuron':
        this.neuron = message.neuron;
        this.selection = undefined;
        this.render();
        break;
      case 'neuronMissing':
        this.neuron = undefined;
        this.root.replaceChildren(h('p', { class: 'error', text: `${message.name}: ${message.reason}` }));
        break;
      case 'selection':
        this.selection = message.activation ?? undefined;
        this.renderSelection(message.message);
        // The histogram marks the selection's value.
        redrawCharts();
        break;
      default:
        break;
    }
  }

  private render(): void {
    const n = this.neuron;
    if (!n) return;
    document.title = n.name;
    this.renderSelection();
    const weights = divergingBars(
      n.classes.map((c, k) => ({ label: c, value: n.weights[k] ?? 0, color: classColor(k), note: (n.weights[k] ?? 0).toFixed(3) })),
      'Weight per class on the standardised value',
    );
    const stats = n.stats;
    this.root.replaceChildren(
      h('header', { class: 'summary' }, [
        h('h2', { text: n.name }),
        h('ul', { class: 'facts' }, [
          h('li', { text: `layer ${n.layer}, ${n.kind === 'hid' ? 'hidden state (residual stream)' : 'FFN activation'}, ${n.pooling} pooling, index ${n.index}` }),
          h('li', { text: `importance ${formatNumber(n.importance)}; standardised as (x - ${formatNumber(n.mean)}) / ${formatNumber(n.scale)}` }),
          h('li', { text: `classifier ${n.classifier}` }),
        ]),
      ]),
      section('Weight per class', [weights]),
      stats
        ? section(
            'Activation on the training data',
            [
              h(
                'div',
                { class: 'legend' },
                n.classes.map((c, k) => {
                  const swatch = h('span', { class: 'swatch' });
                  swatch.style.background = classColor(k);
                  return h('span', { class: 'legend-item' }, [swatch, `${c} (mean ${(stats.classMeans[k] ?? 0).toFixed(2)})`]);
                }),
              ),
              chartSlot((w) =>
                histogramChart(
                  {
                    ...stats,
                    classes: n.classes,
                    colors: n.classes.map((_, k) => classColor(k)),
                    raw: (z) => z * n.scale + n.mean,
                    mark: this.selection?.standardised,
                  },
                  w,
                ),
              ),
            ],
          )
        : h('p', { class: 'muted', text: 'The report has no training statistics for this neuron.' }),
      section('Training texts where it fires most', [h('ol', { class: 'examples' }, n.top.map((e) => exampleItem(e)))], { description: `${n.top.length}` }),
      section('Where it fires least', [h('ol', { class: 'examples' }, n.bottom.map((e) => exampleItem(e)))], { open: false, description: `${n.bottom.length}` }),
      section('On the editor selection', [this.selectionBody]),
    );
  }

  private renderSelection(message?: string): void {
    const s = this.selection;
    if (!s) {
      this.selectionBody.replaceChildren(h('p', { class: 'muted', text: message ?? 'Select text in an editor to see this neuron on it.' }));
      return;
    }
    const towards = s.contribution >= 0 ? 'for' : 'against';
    this.selectionBody.replaceChildren(
      h('p', {}, [h('span', { class: 'source', text: s.source }), ` predicted `, h('vscode-badge', { text: s.label })]),
      h('p', { text: `value ${formatNumber(s.value)} (z ${s.standardised.toFixed(2)}), ${towards} ${s.label} by ${Math.abs(s.contribution).toFixed(3)}` }),
      ...(s.segments ? [h('div', { class: 'example-text' }, [highlighted(s.segments)])] : []),
    );
  }
}
