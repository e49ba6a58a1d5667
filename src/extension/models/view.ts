// The "Classifiers" tree in the STC activity-bar container: saved classifiers with their metrics.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ClassificationMetrics } from '../../core/learn/metrics';
import type { StcContext } from '../context';
import { listClassifiers, type ListedClassifier } from './registry';

export type ModelNode = { readonly kind: 'classifier'; readonly item: ListedClassifier } | { readonly kind: 'detail'; readonly label: string; readonly value: string };

export class ModelsTree implements vscode.TreeDataProvider<ModelNode> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private listing: Promise<ListedClassifier[]> | undefined;

  constructor(private readonly ctx: StcContext) {}

  refresh(): void {
    this.listing = undefined;
    this.changed.fire();
  }

  /** The classifiers as the tree shows them (listed again after a refresh). */
  classifiers(): Promise<ListedClassifier[]> {
    this.listing ??= this.ctx.trusted ? listClassifiers(this.ctx) : Promise.resolve([]);
    return this.listing;
  }

  async getChildren(node?: ModelNode): Promise<ModelNode[]> {
    if (!node) return (await this.classifiers()).map((item) => ({ kind: 'classifier', item }));
    return node.kind === 'classifier' ? details(node.item) : [];
  }

  getTreeItem(node: ModelNode): vscode.TreeItem {
    if (node.kind === 'detail') {
      const item = new vscode.TreeItem(node.label);
      item.description = node.value;
      item.tooltip = `${node.label}: ${node.value}`;
      return item;
    }
    const { item: listed } = node;
    const active = this.ctx.active?.dir === listed.dir;
    const item = new vscode.TreeItem(listed.name, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = listed.dir;
    item.resourceUri = vscode.Uri.file(listed.dir);
    if (listed.saved) {
      const m = listed.saved.manifest;
      item.description = `${headline(m.metrics)} · ${m.classifier.neurons.length} neuron${m.classifier.neurons.length === 1 ? '' : 's'}${active ? ' · active' : ''}`;
      item.iconPath = new vscode.ThemeIcon(active ? 'pass-filled' : 'symbol-class');
      item.contextValue = active ? 'stcClassifier.active' : 'stcClassifier';
      item.tooltip = new vscode.MarkdownString(
        `**${m.name}** (${m.labels.join(', ')})\n\n${headline(m.metrics)}\n\nModel: ${m.model.id} · ${m.classifier.neurons.length} neurons from blocks 0..${m.k - 1}\n\n${listed.dir}`,
      );
    } else {
      item.description = 'cannot be loaded';
      item.iconPath = new vscode.ThemeIcon('warning');
      item.contextValue = 'stcClassifier.broken';
      item.tooltip = `${listed.dir}\n${listed.error}`;
    }
    return item;
  }
}

function headline(metrics: { metric: string; validation: number; test?: ClassificationMetrics }): string {
  if (!metrics.test) return `validation ${metrics.metric} ${metrics.validation.toFixed(3)}`;
  const value = metrics.metric === 'accuracy' ? metrics.test.accuracy : metrics.test.macroF1;
  return `test ${metrics.metric} ${value.toFixed(3)}`;
}

function details(listed: ListedClassifier): ModelNode[] {
  if (!listed.saved) return [{ kind: 'detail', label: 'error', value: listed.error }];
  const m = listed.saved.manifest;
  const rows: [string, string][] = [['labels', m.labels.join(', ')]];
  if (m.metrics.test) {
    rows.push(['test accuracy', m.metrics.test.accuracy.toFixed(3)], ['test macro-F1', m.metrics.test.macroF1.toFixed(3)]);
  }
  rows.push(
    [`validation ${m.metrics.metric}`, m.metrics.validation.toFixed(3)],
    ['neurons', `${m.classifier.neurons.length} from blocks 0..${m.k - 1} of ${m.model.numLayers}`],
    ['model', `${m.model.source === 'folder' ? path.basename(m.model.id) : m.model.id} (${m.model.source})`],
    ['trained', new Date(m.createdAt).toLocaleString()],
  );
  return rows.map(([label, value]) => ({ kind: 'detail', label, value }));
}
