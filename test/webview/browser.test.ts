// The webview bundle in Debian's chromium (playwright-core from scripts/vscode/setup.sh), against
// the recorded report: a page shaped like the host's (same HTML shell and CSP) with
// acquireVsCodeApi stubbed, theme variables as VS Code sets them, and screenshots of the views in
// dark, light and high-contrast themes under test/webview/artifacts/. Skips when chromium or playwright is missing.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as esbuild from 'esbuild';
import { launchBrowser, type Browser } from '../../scripts/vscode/browser';
import { CHROMIUM, PLAYWRIGHT_DIR, REPO_ROOT } from '../../scripts/vscode/paths';
import { webviewHtml, type WebviewKind } from '../../src/extension/explorer/html';
import { explanationView, explorerModel, neuronModel, type TokenValues } from '../../src/extension/explorer/view-model';
import type { FromWebview, ToWebview } from '../../webview/shared/protocol';
import { fakeExplanation, recordedExamples, recordedReport } from './fixture';
import { largeReport } from './large-report';
import { THEMES, type ThemeName } from './themes';

/** The playwright Page calls this test makes (scripts/vscode/browser.ts types fewer). */
interface WebviewPage {
  addInitScript(script: string): Promise<void>;
  goto(url: string): Promise<unknown>;
  evaluate<R, A>(fn: (arg: A) => R, arg: A): Promise<R>;
  waitForFunction<A>(fn: (arg: A) => unknown, arg: A, options?: { timeout: number }): Promise<unknown>;
  focus(selector: string): Promise<void>;
  click(selector: string): Promise<void>;
  hover(selector: string): Promise<void>;
  keyboard: { press(key: string): Promise<void> };
  screenshot(options: { path: string; fullPage: boolean }): Promise<unknown>;
  on(event: 'pageerror', listener: (error: Error) => void): void;
  close(): Promise<void>;
}

declare global {
  interface Window {
    __posted: FromWebview[];
    __violations: string[];
  }
}

const ARTIFACTS = path.join(REPO_ROOT, 'test/webview/artifacts');
const WIDTH = 320;
const missing = [CHROMIUM, PLAYWRIGHT_DIR].filter((p) => !existsSync(p));
const skip = missing.length > 0 ? `needs ${missing.join(' and ')}: run scripts/vscode/setup.sh` : false;

/** Runs before the page's scripts: the acquireVsCodeApi stub that records what the webview
 *  posts, a CSP violation recorder, and the theme. A string, not a function: tsx's compiled
 *  functions call helpers that do not exist in the page. */
function initScript(theme: { bodyClass: string; vars: Record<string, string> }): string {
  return `
    window.__posted = [];
    window.__violations = [];
    window.acquireVsCodeApi = function () {
      return { postMessage: function (m) { window.__posted.push(m); }, getState: function () {}, setState: function () {} };
    };
    document.addEventListener('securitypolicyviolation', function (e) { window.__violations.push(e.violatedDirective + ' ' + e.blockedURI); });
    document.addEventListener('DOMContentLoaded', function () {
      const vars = ${JSON.stringify(theme.vars)};
      for (const k of Object.keys(vars)) document.documentElement.style.setProperty(k, vars[k]);
      document.body.classList.add(${JSON.stringify(theme.bodyClass)});
    });
  `;
}

const report = recordedReport();
const examples = recordedExamples();

describe('webview bundle in chromium', { skip }, () => {
  let browser: Browser;
  let server: http.Server;
  let origin = '';
  let tmp = '';

  before(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'stc-webview-'));
    // The same options as esbuild.mjs's webview bundle, so the test never reads a stale dist/.
    await esbuild.build({ entryPoints: { webview: path.join(REPO_ROOT, 'webview/main.ts') }, bundle: true, platform: 'browser', target: 'es2022', format: 'esm', outdir: tmp, logLevel: 'error' });
    const files: Record<string, [string, string]> = { '/webview.js': ['webview.js', 'text/javascript'], '/webview.css': ['webview.css', 'text/css'] };
    server = http.createServer((req, res) => {
      const url = req.url ?? '/';
      const view = /^\/(explorer|neuron)\.html$/.exec(url)?.[1] as WebviewKind | undefined;
      const file = files[url];
      if (view) {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end(webviewHtml({ view, title: view, cspSource: origin, scriptUri: `${origin}/webview.js`, styleUri: `${origin}/webview.css` }));
      } else if (file) {
        res.writeHead(200, { 'content-type': file[1] });
        res.end(readFileSync(path.join(tmp, file[0])));
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchBrowser(path.join(tmp, 'xdg'));
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    rmSync(tmp, { recursive: true, force: true });
  });

  async function open(view: WebviewKind, theme: ThemeName, errors: Error[]): Promise<WebviewPage> {
    // The object is playwright's Page; WebviewPage names the part of it this test uses.
    const page = (await browser.newPage({ viewport: { width: WIDTH, height: 900 } })) as unknown as WebviewPage;
    page.on('pageerror', (e) => errors.push(e));
    await page.addInitScript(initScript(THEMES[theme]));
    await page.goto(`${origin}/${view}.html`);
    await page.waitForFunction(() => window.__posted.some((m) => m.type === 'ready'), null);
    return page;
  }

  const send = (page: WebviewPage, message: ToWebview) => page.evaluate((m) => window.postMessage(m, '*'), message);
  const posted = (page: WebviewPage) => page.evaluate(() => window.__posted, null);
  const setTheme = (page: WebviewPage, theme: ThemeName) =>
    page.evaluate((t) => {
      for (const [k, v] of Object.entries(t.vars)) document.documentElement.style.setProperty(k, v);
      document.body.className = t.bodyClass;
    }, THEMES[theme]);
  const shot = async (page: WebviewPage, name: string) => {
    await page.evaluate(() => {
      (document.activeElement as HTMLElement | null)?.blur();
      window.scrollTo(0, 0);
    }, null);
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
  };
  const checkClean = async (page: WebviewPage, errors: Error[]) => {
    assert.deepEqual(await page.evaluate(() => window.__violations, null), [], 'Content-Security-Policy violations');
    assert.deepEqual(
      errors.map((e) => e.stack ?? e.message),
      [],
    );
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth, null), 'the view scrolls sideways at 320 px');
  };

  test('Layer Explorer: charts, layer list, explanation, keyboard, themes', async () => {
    const errors: Error[] = [];
    const page = await open('explorer', 'dark', errors);
    await send(page, { type: 'model', model: explorerModel(report, 'sentiment') });
    await page.waitForFunction(() => document.querySelectorAll('svg.chart').length === 3 && document.querySelectorAll('canvas.neuron-map').length === 2, null);
    assert.equal(await page.evaluate(() => document.querySelector('h2')?.textContent, null), 'sentiment');
    const facts = await page.evaluate(() => [...document.querySelectorAll('.facts li')].map((li) => li.textContent), null);
    assert.ok(facts.some((f) => f?.includes(`exits after block ${report.ensemble.k} of 6`)), facts.join(' | '));
    assert.ok(facts.some((f) => f?.includes('the average of the best 3 configurations: hid+act/mean+max+single, eta 0.001, k = 6, L1;')), facts.join(' | '));

    // The editor line's explanation; a contribution opens its neuron.
    const e = fakeExplanation(report, examples.values().next().value?.text ?? 'text');
    await send(page, { type: 'explanation', explanation: explanationView(e, 'reviews.txt:4') });
    await page.waitForFunction(() => document.querySelectorAll('.explanation button.bar-row').length > 0, null);
    assert.equal(await page.evaluate(() => document.querySelectorAll('.explanation button.bar-row').length, null), Math.min(12, e.contributions.length));
    await page.click('.explanation button.bar-row');
    assert.deepEqual((await posted(page)).at(-1), { type: 'openNeuron', name: e.contributions[0]?.name });

    // The pointer over a chart shows the values at the nearest layer.
    await page.hover('svg.chart');
    assert.match((await page.evaluate(() => document.querySelector('.tooltip:not([hidden]) .tooltip-title')?.textContent, null)) ?? '', /^Layer \d+$/);

    // Keyboard on the probe chart: End moves to the last layer, Enter lists its neurons by importance.
    const L = report.model.numLayers;
    await page.focus('svg.chart');
    await page.keyboard.press('End');
    assert.equal(await page.evaluate(() => document.querySelector('.tooltip:not([hidden]) .tooltip-title')?.textContent, null), `Layer ${L}`);
    await page.keyboard.press('Enter');
    const expected = report.classifier.neurons
      .filter((n) => n.layer === L)
      .sort((a, b) => b.importance - a.importance)
      .map((n) => n.name);
    const listed = await page.evaluate(() => [...document.querySelectorAll('.layer-body .bar-label')].map((x) => x.textContent), null);
    assert.deepEqual(listed, expected);

    // Keyboard on the neuron map: the first cell of the hid panel opens its strongest neuron.
    await page.focus('canvas.neuron-map');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    const lowest = Math.min(...report.classifier.neurons.filter((n) => n.kind === 'hid').map((n) => n.layer));
    const opened = (await posted(page)).at(-1);
    assert.ok(opened?.type === 'openNeuron' && opened.name.startsWith(`L${lowest}.hid.`), JSON.stringify(opened));
    await page.keyboard.press('Escape');

    // A message that does not fit the protocol is reported, not drawn.
    await page.evaluate(() => window.postMessage({ type: 'model', model: { name: 3 } }, '*'), null);
    await page.waitForFunction(() => window.__posted.some((m) => m.type === 'error'), null);
    const error = (await posted(page)).find((m) => m.type === 'error');
    assert.match(error?.type === 'error' ? error.message : '', /invalid message: model\.name: expected a string/);

    await checkClean(page, errors);
    await shot(page, 'explorer-dark');
    await setTheme(page, 'light');
    await shot(page, 'explorer-light');
    await setTheme(page, 'highContrast');
    await shot(page, 'explorer-high-contrast');
    await checkClean(page, errors);
    await page.close();
  });

  test('Layer Explorer with 48 layers and hundreds of thousands of candidates stays small', async () => {
    const errors: Error[] = [];
    const page = await open('explorer', 'dark', errors);
    const large = largeReport();
    await send(page, { type: 'model', model: explorerModel(large, 'large') });
    await page.waitForFunction(() => document.querySelectorAll('svg.chart').length === 3 && document.querySelectorAll('canvas.neuron-map').length === 2, null);
    // The map is two canvases and each chart a few paths, whatever the neuron count.
    const nodes = await page.evaluate(() => document.getElementsByTagName('*').length, null);
    assert.ok(nodes < 1500, `${nodes} elements`);
    await checkClean(page, errors);
    await shot(page, 'explorer-48-layers-dark');
    await page.close();
  });

  test('neuron view: weights, histograms, highlighted examples, the selection', async () => {
    const name = [...report.classifier.neurons].sort((a, b) => b.importance - a.importance)[0]?.name ?? '';
    const stats = report.neuronStats.find((s) => s.name === name);
    // Token values for the top examples: whitespace tokens, the neuron high on every third one.
    const tokenValues = new Map<number, TokenValues>(
      (stats?.top ?? []).map(({ row }) => {
        const words = [...(examples.get(row)?.text ?? '').matchAll(/\S+/g)];
        return [row, { tokens: words.map((m) => ({ token: m[0], start: m.index, end: m.index + m[0].length, special: false })), values: words.map((_, i) => (i % 3 === 2 ? 3 : 0.4)) }];
      }),
    );
    const model = neuronModel(report, 'sentiment', examples, name, tokenValues);
    assert.ok(model);
    const errors: Error[] = [];
    const page = await open('neuron', 'dark', errors);
    await send(page, { type: 'neuron', neuron: model });
    await page.waitForFunction(() => document.querySelector('svg.chart') !== null, null);
    assert.equal(await page.evaluate(() => document.querySelector('h2')?.textContent, null), name);
    assert.equal(await page.evaluate(() => document.querySelectorAll('.example').length, null), model.top.length + model.bottom.length);
    assert.ok((await page.evaluate(() => document.querySelectorAll('.token.strong').length, null)) > 0);
    const e = fakeExplanation(report, 'The order great, okay; really lovely.');
    const c = e.contributions.find((x) => x.name === name);
    assert.ok(c);
    await send(page, { type: 'selection', activation: { source: 'reviews.txt:9', label: e.label, value: c.value, standardised: c.standardised, contribution: c.contribution } });
    await page.waitForFunction(() => document.body.textContent?.includes('reviews.txt:9'), null);
    await checkClean(page, errors);
    await shot(page, 'neuron-dark');
    await setTheme(page, 'light');
    await shot(page, 'neuron-light');
    await page.close();
  });
});
