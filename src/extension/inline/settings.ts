// The `stcLens.inline.*` and `stcLens.hover.*` settings, read and checked in one place.
import * as vscode from 'vscode';
import type { UnitMode } from './units';

export interface InlineSettings {
  readonly enabled: boolean;
  readonly unit: UnitMode;
  readonly debounceMs: number;
  readonly maxUnits: number;
  readonly hover: boolean;
  /** The documents both features apply to. */
  readonly selector: vscode.DocumentFilter[];
}

/** Documents with content of their own: not output channels, diff sides, settings or logs. */
const SCHEMES = ['file', 'untitled', 'vscode-remote', 'vscode-vfs'];
const UNITS: readonly UnitMode[] = ['line', 'paragraph', 'sentence'];

type SelectorItem = string | { language?: unknown; pattern?: unknown; scheme?: unknown };

export function readSettings(log: vscode.LogOutputChannel): InlineSettings {
  const config = vscode.workspace.getConfiguration('stcLens');
  const unit = config.get<string>('inline.unit', 'line');
  return {
    enabled: config.get<boolean>('inline.enabled', true) === true,
    unit: UNITS.includes(unit as UnitMode) ? (unit as UnitMode) : 'line',
    debounceMs: clamp(config.get<number>('inline.debounceMs', 300), 0, 10_000, 300),
    maxUnits: clamp(config.get<number>('inline.maxUnits', 2000), 0, 1_000_000, 2000),
    hover: config.get<boolean>('hover.enabled', true) === true,
    selector: toFilters(config.get<unknown>('inline.documentSelector'), log),
  };
}

export function appliesTo(settings: InlineSettings, document: vscode.TextDocument): boolean {
  return vscode.languages.match(settings.selector, document) > 0;
}

/** Each setting item ("markdown", or {"language", "pattern", "scheme"}) becomes one filter per
 *  content scheme unless it names its own. Items of the wrong shape are logged and left out. */
function toFilters(value: unknown, log: vscode.LogOutputChannel): vscode.DocumentFilter[] {
  if (!Array.isArray(value)) {
    log.warn('stcLens.inline.documentSelector is not a list; inline labels and hovers apply to no document.');
    return [];
  }
  const filters: vscode.DocumentFilter[] = [];
  for (const item of value as SelectorItem[]) {
    const filter = toFilter(item);
    if (filter === undefined) {
      log.warn(`stcLens.inline.documentSelector: ignored ${JSON.stringify(item)}; use a language id or {"language", "pattern"}.`);
    } else if (filter.scheme !== undefined) filters.push(filter);
    else for (const scheme of SCHEMES) filters.push({ ...filter, scheme });
  }
  return filters;
}

function toFilter(item: SelectorItem): vscode.DocumentFilter | undefined {
  if (typeof item === 'string') return item === '' ? undefined : { language: item };
  if (typeof item !== 'object' || item === null) return undefined;
  const { language, pattern, scheme } = item;
  const fields = [language, pattern, scheme];
  if (fields.every((f) => f === undefined) || fields.some((f) => f !== undefined && typeof f !== 'string')) return undefined;
  return {
    ...(language === undefined ? {} : { language: language as string }),
    ...(pattern === undefined ? {} : { pattern: pattern as string }),
    ...(scheme === undefined ? {} : { scheme: scheme as string }),
  };
}

function clamp(value: number, min: number, max: number, fallback: number): number {
  return Number.isFinite(value) ? Math.min(max, Math.max(min, Math.round(value))) : fallback;
}

/** The toggle writes where the setting is in force, so that it takes effect and persists. */
export async function toggleEnabled(): Promise<boolean> {
  const config = vscode.workspace.getConfiguration('stcLens');
  const inspected = config.inspect<boolean>('inline.enabled');
  const next = !config.get<boolean>('inline.enabled', true);
  const target =
    inspected?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await config.update('inline.enabled', next, target);
  return next;
}
