// The neuron map: layer (rows) x neuron index (columns) per kind, on a canvas. Candidate neurons
// are a faint band per layer; bins holding kept neurons take the colour of the strongest one's
// class, brighter for larger weights. Binning (shared/map.ts) bounds the work by the pixels.

import { h } from '../dom';
import { neuronMap, stepCell, strength, type MapCell, type MapPanel } from '../shared/map';
import type { MapNeuron } from '../shared/protocol';
import { isHighContrast, resolve, resolvedClassColor } from '../theme';
import { hideTooltip, showTooltip } from '../tooltip';

export interface NeuronMapSpec {
  readonly neurons: readonly MapNeuron[];
  readonly classes: readonly string[];
  readonly numLayers: number;
  readonly dims: { readonly hid: number; readonly act: number };
  readonly selectedLayer?: number;
  readonly onOpen: (neuron: string) => void;
  readonly onSelectLayer: (layer: number) => void;
}

const LEFT = 30;
const RIGHT = 6;
/** Room above the first row for its label. */
const TOP = 6;
/** Layer labels are at least this far apart (px), every 1, 2, 5, 10 or 20 layers. */
const LABEL_SPACING = 12;
/** Smallest bin width in CSS pixels. */
const MIN_BIN_PX = 2;

function rowHeight(layers: number): number {
  return Math.max(3, Math.min(12, Math.floor(220 / layers)));
}

function describe(cell: MapCell, panel: MapPanel, classes: readonly string[]): string[] {
  const range = cell.first === cell.last ? `#${cell.first}` : `#${cell.first}-${cell.last}`;
  const lines = [`L${cell.layer}.${cell.kind} ${range}: ${cell.neurons.length} kept`];
  for (const n of cell.neurons.slice(0, 5)) {
    const k = n.classIndex;
    lines.push(`${n.name}  -> ${classes[k] ?? k} (w ${(n.weights[k] ?? 0).toFixed(2)})`);
  }
  if (cell.neurons.length > 5) lines.push(`... ${cell.neurons.length - 5} more`);
  if (panel.bins < panel.dim) lines.push(`(${Math.ceil(panel.dim / panel.bins)} neurons per column)`);
  return lines;
}

function panelCanvas(panel: MapPanel, spec: NeuronMapSpec, width: number, maxStrength: number): HTMLElement {
  const rh = rowHeight(spec.numLayers + 1);
  const height = TOP + panel.layers * rh + 16;
  const plotWidth = width - LEFT - RIGHT;
  const binWidth = plotWidth / panel.bins;
  const canvas = h('canvas', {
    class: 'neuron-map',
    attrs: {
      tabindex: '0',
      role: 'img',
      'aria-describedby': 'stc-tooltip',
      'aria-label': `${panel.kind} neuron map: ${panel.layers} layers x ${panel.dim} neurons, ${panel.cells.reduce((s, c) => s + c.neurons.length, 0)} kept. Arrow keys move between kept neurons; Enter opens one.`,
    },
  });
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  let focused = -1;

  const draw = () => {
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const fg = resolve('--vscode-descriptionForeground', '#888');
    const band = resolve('--vscode-editorWidget-border', resolve('--vscode-panel-border', '#8884'));
    const focus = resolve('--vscode-focusBorder', '#0078d4');
    ctx.font = `10px ${resolve('--vscode-font-family', 'sans-serif')}`;
    ctx.fillStyle = fg;
    ctx.textBaseline = 'middle';
    const every = [1, 2, 5, 10, 20].find((e) => e * rh >= LABEL_SPACING) ?? 50;
    ctx.translate(0, TOP);
    for (let layer = 0; layer < panel.layers; layer++) {
      const y = layer * rh;
      ctx.globalAlpha = 0.18;
      ctx.fillStyle = band;
      ctx.fillRect(LEFT, y, plotWidth, rh - (rh > 4 ? 1 : 0));
      ctx.globalAlpha = 1;
      if (layer === spec.selectedLayer) {
        // The selected layer: a mark beside the row, so its cells keep their colours.
        ctx.fillStyle = focus;
        ctx.fillRect(LEFT - 5, y, 3, rh);
      }
      if (layer % every === 0 || layer === spec.selectedLayer) {
        ctx.fillStyle = layer === spec.selectedLayer ? focus : fg;
        ctx.fillText(String(layer), 2, y + rh / 2);
      }
    }
    const highContrast = isHighContrast();
    const colors = spec.classes.map((_, k) => resolvedClassColor(k));
    for (const cell of panel.cells) {
      const top = cell.neurons[0] as MapNeuron;
      ctx.globalAlpha = highContrast ? 1 : 0.55 + 0.45 * (strength(top) / maxStrength);
      ctx.fillStyle = colors[top.classIndex] ?? fg;
      ctx.fillRect(LEFT + cell.bin * binWidth, cell.layer * rh, Math.max(MIN_BIN_PX, binWidth), rh - (rh > 4 ? 1 : 0));
    }
    ctx.globalAlpha = 1;
    const f = panel.cells[focused];
    if (f) {
      ctx.strokeStyle = focus;
      ctx.lineWidth = 2;
      ctx.strokeRect(LEFT + f.bin * binWidth - 2, f.layer * rh - 2, Math.max(MIN_BIN_PX, binWidth) + 4, rh + 3);
    }
    ctx.translate(0, -TOP);
    ctx.fillStyle = fg;
    ctx.textBaseline = 'alphabetic';
    ctx.fillText(`${panel.kind}  #0`, LEFT, height - 3);
    ctx.textAlign = 'end';
    ctx.fillText(`#${panel.dim - 1}`, width - RIGHT, height - 3);
    ctx.textAlign = 'start';
  };

  const cellUnder = (e: MouseEvent) => {
    const r = canvas.getBoundingClientRect();
    const px = e.clientX - r.left - LEFT;
    const layer = Math.floor((e.clientY - r.top - TOP) / rh);
    if (px < 0 || layer < 0 || layer >= panel.layers) return { layer: undefined, index: -1 };
    const bin = Math.min(panel.bins - 1, Math.floor(px / binWidth));
    // A bin narrower than MIN_BIN_PX is drawn wider: accept the neighbours the pointer touches.
    const index = panel.cells.findIndex((c) => c.layer === layer && Math.abs(c.bin - bin) * binWidth <= MIN_BIN_PX);
    return { layer, index };
  };
  canvas.addEventListener('pointermove', (e) => {
    const { layer, index } = cellUnder(e);
    const cell = panel.cells[index];
    canvas.style.cursor = cell ? 'pointer' : layer === undefined ? 'default' : 'row-resize';
    if (cell) showTooltip(describe(cell, panel, spec.classes), e.clientX, e.clientY);
    else if (layer !== undefined) showTooltip([`L${layer}.${panel.kind}: no kept neuron here`, 'click to list the layer'], e.clientX, e.clientY);
    else hideTooltip();
  });
  canvas.addEventListener('pointerleave', hideTooltip);
  canvas.addEventListener('click', (e) => {
    const { layer, index } = cellUnder(e);
    const cell = panel.cells[index];
    if (cell) spec.onOpen((cell.neurons[0] as MapNeuron).name);
    else if (layer !== undefined) spec.onSelectLayer(layer);
  });
  canvas.addEventListener('keydown', (e) => {
    const steps: Record<string, number> = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
    const cell = panel.cells[focused];
    if (e.key in steps) {
      e.preventDefault();
      focused = stepCell(panel.cells, focused, steps[e.key] as number);
      draw();
      const next = panel.cells[focused];
      if (next) {
        const r = canvas.getBoundingClientRect();
        showTooltip(describe(next, panel, spec.classes), r.left + LEFT + next.bin * binWidth, r.top + TOP + next.layer * rh);
      }
    } else if (e.key === 'Enter' && cell) {
      e.preventDefault();
      spec.onOpen((cell.neurons[0] as MapNeuron).name);
    } else if (e.key === 'Escape') hideTooltip();
  });
  canvas.addEventListener('blur', () => {
    focused = -1;
    hideTooltip();
    draw();
  });
  draw();
  return canvas;
}

export function neuronMapView(spec: NeuronMapSpec, width: number): HTMLElement {
  const maxStrength = Math.max(1e-12, ...spec.neurons.map(strength));
  const bins = Math.floor((width - LEFT - RIGHT) / MIN_BIN_PX);
  const kinds = (['hid', 'act'] as const).filter((k) => spec.dims[k] > 0);
  return h(
    'div',
    { class: 'neuron-maps' },
    kinds.map((kind) => panelCanvas(neuronMap(spec.neurons, kind, spec.numLayers, spec.dims[kind], bins), spec, width, maxStrength)),
  );
}
