import assert from 'node:assert/strict';
import { test } from 'node:test';
import { explorerModel } from '../../src/extension/explorer/view-model';
import { binOf, byImportance, cellAt, layerNeurons, neuronMap, stepCell } from '../../webview/shared/map';
import type { MapNeuron } from '../../webview/shared/protocol';
import { largeReport } from './large-report';

const neuron = (kind: 'hid' | 'act', layer: number, index: number, importance: number): MapNeuron => ({
  name: `L${layer}.${kind}.mean#${index}`,
  kind,
  layer,
  pooling: 'mean',
  index,
  importance,
  weights: [0, importance],
  classIndex: 1,
});

test('bins split the neuron indices evenly and never exceed the block', () => {
  assert.equal(binOf(0, 4096, 100), 0);
  assert.equal(binOf(4095, 4096, 100), 99);
  assert.equal(binOf(40, 4096, 100), 0);
  assert.equal(binOf(41, 4096, 100), 1);
  // Fewer neurons than columns: one neuron per column.
  const panel = neuronMap([neuron('hid', 0, 5, 1)], 'hid', 2, 16, 300);
  assert.equal(panel.bins, 16);
  assert.deepEqual([panel.cells[0]?.first, panel.cells[0]?.last], [5, 5]);
});

test('neurons sharing a (layer, bin) cell are grouped, most important first; kinds are separate panels', () => {
  const neurons = [neuron('act', 1, 10, 0.2), neuron('act', 1, 12, 0.9), neuron('act', 2, 10, 0.5), neuron('hid', 1, 10, 1)];
  const act = neuronMap(neurons, 'act', 3, 100, 10);
  assert.equal(act.layers, 3);
  assert.equal(act.cells.length, 2);
  const cell = act.cells[0];
  assert.ok(cell);
  assert.deepEqual(
    cell.neurons.map((n) => n.index),
    [12, 10],
  );
  assert.deepEqual([cell.layer, cell.bin, cell.first, cell.last], [1, 1, 10, 19]);
  assert.equal(neuronMap(neurons, 'hid', 3, 100, 10).layers, 4);
  assert.equal(cellAt(act, 2, 1), 1);
  assert.equal(cellAt(act, 0, 0), -1);
});

test('a 48-layer map of hundreds of thousands of candidates has at most one cell per pixel column and row', () => {
  const m = explorerModel(largeReport(), 'large');
  const bins = 130;
  for (const kind of ['hid', 'act'] as const) {
    const panel = neuronMap(m.neurons, kind, m.numLayers, m.dims[kind], bins);
    assert.equal(panel.bins, bins);
    assert.ok(panel.cells.length <= panel.layers * bins);
    assert.equal(
      panel.cells.reduce((s, c) => s + c.neurons.length, 0),
      m.neurons.filter((n) => n.kind === kind).length,
    );
    for (const c of panel.cells) for (const n of c.neurons) assert.ok(n.index >= c.first && n.index <= c.last && n.layer === c.layer);
  }
  assert.ok(m.candidates > 100_000);
});

test('a layer lists its kept neurons by importance, ties by name', () => {
  const neurons = [neuron('act', 3, 1, 0.5), neuron('hid', 3, 2, 0.9), neuron('act', 4, 1, 2), neuron('act', 3, 0, 0.5)];
  assert.deepEqual(
    layerNeurons(neurons, 3).map((n) => n.name),
    ['L3.hid.mean#2', 'L3.act.mean#0', 'L3.act.mean#1'],
  );
  assert.deepEqual(layerNeurons(neurons, 7), []);
  assert.ok(byImportance(neurons[2] as MapNeuron, neurons[0] as MapNeuron) < 0);
});

test('keyboard steps wrap around the cells', () => {
  const cells = neuronMap([neuron('act', 0, 1, 1), neuron('act', 1, 1, 1), neuron('act', 2, 1, 1)], 'act', 3, 10, 10).cells;
  assert.equal(stepCell(cells, -1, 1), 0);
  assert.equal(stepCell(cells, -1, -1), 2);
  assert.equal(stepCell(cells, 2, 1), 0);
  assert.equal(stepCell(cells, 0, -1), 2);
  assert.equal(stepCell([], -1, 1), -1);
});
