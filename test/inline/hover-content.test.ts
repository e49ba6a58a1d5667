import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Explanation, TokenSpan } from '../../src/core/explain/types';
import { highlighted, hoverMarkdown, strongestTokens } from '../../src/extension/inline/hover-content';
import { bar, commandLink, escapeMarkdown } from '../../src/extension/inline/markdown';

/** Words as tokens between [CLS] and [SEP]. */
function explanation(text: string, values: number[], overrides: Partial<Explanation> = {}): Explanation {
  const tokens: TokenSpan[] = [{ token: '[CLS]', start: 0, end: 0, special: true }];
  for (const m of text.matchAll(/\S+/g)) tokens.push({ token: m[0], start: m.index, end: m.index + m[0].length, special: false });
  tokens.push({ token: '[SEP]', start: text.length, end: text.length, special: true });
  return {
    text,
    labels: ['neg', 'pos'],
    labelIndex: 1,
    label: 'pos',
    proba: [0.07, 0.93],
    intercepts: [-0.1, 0.1],
    contributions: [
      { name: 'L3.hid.mean#12', value: 1.234, standardised: 2.1, byLabel: [-0.84, 0.84], contribution: 0.84 },
      { name: 'L1.act.max#7', value: -0.5, standardised: -1, byLabel: [0.2, -0.2], contribution: -0.2 },
    ],
    tokens,
    onTokens: [{ name: 'L3.hid.mean#12', values: [9, ...values, 9] }],
    truncated: false,
    ...overrides,
  };
}

test('the hover shows the prediction, the probabilities, the neurons with command links and the strongest tokens', () => {
  const md = hoverMarkdown({ explanation: explanation('a truly great movie', [0, 0.1, 3, 2]), classifierName: 'reviews' });
  assert.match(md, /^\*\*STC Lens\*\* · reviews: \*\*pos\*\* 93%/);
  assert.match(md, /\| \*\*pos\*\* \| █████████▎ \| 93% \|/);
  assert.match(md, /\| neg \| ▊ \| 7% \|/);
  const args = encodeURIComponent(JSON.stringify(['L3.hid.mean#12']));
  assert.ok(md.includes(`[L3\\.hid\\.mean\\#12](command:stc.showNeuron?${args} "Show this neuron in the Layer Explorer") | 1.234 | +2.10 | +0.84 |`));
  assert.ok(md.includes('| -0.500 | -1.00 | -0.20 |'));
  // Special tokens ([CLS], [SEP]) are never highlighted, however high their value.
  assert.ok(md.includes('fires most: “great” (3.00), “movie” (2.00)'));
  assert.ok(md.includes('> a truly **great** **movie**'));
  assert.ok(md.includes('(command:stc.openLayerExplorer?%5B%5D'));
});

test('a labelled row: the gold label agrees, differs, or is unknown to the classifier', () => {
  const e = explanation('fine', [1]);
  assert.match(hoverMarkdown({ explanation: e, classifierName: 'c', gold: 'pos' }), /Gold label \*\*pos\*\*: agrees/);
  assert.match(hoverMarkdown({ explanation: e, classifierName: 'c', gold: 'neg' }), /⚠ Gold label \*\*neg\*\* differs/);
  assert.match(hoverMarkdown({ explanation: e, classifierName: 'c', gold: 'neg' }), /\| neg \(gold\) \|/);
  assert.match(hoverMarkdown({ explanation: e, classifierName: 'c', gold: 'spam' }), /does not know/);
});

test('hostile document text cannot add links, HTML, images, code or table cells to the hover', () => {
  const hostile =
    '[click](command:workbench.action.terminal.sendSequence?x) <img src=x onerror=alert(1)> ![i](http://e/x.png) ' +
    '`code` | cell | https://evil.example/ www.evil.example **bold** \n\n    indented\n# heading $(zap)';
  const md = hoverMarkdown({
    explanation: explanation(hostile, hostile.split(/\s+/).filter((w) => w !== '').map((_, i) => i % 3)),
    classifierName: 'x](command:evil) <b>',
    gold: '<script>',
  });
  // Every link target in the Markdown is one of ours.
  const targets = [...md.matchAll(/\]\(([^)\s]*)/g)].map((m) => m[1] as string);
  assert.ok(targets.length >= 3);
  for (const t of targets) assert.match(t, /^command:stc\.(showNeuron|openLayerExplorer)\?/);
  // The lines that carry document text have no unescaped bracket, angle bracket, backtick, bar or dollar.
  const textLines = md.split('\n').filter((l) => /^(> |Where |\*\*STC Lens|Gold |⚠)/.test(l));
  assert.equal(textLines.length, 4);
  for (const l of textLines) assert.doesNotMatch(l.replace(/^> /, ''), /(^|[^\\])[<>`[\]$|]/);
  const fromText = textLines.join('\n');
  assert.ok(!md.includes('\n    indented'));
  assert.ok(fromText.includes('\\<img ') && fromText.includes('onerror\\=alert\\(1\\)\\>'));
});

test('escaping covers every ASCII punctuation character and flattens whitespace', () => {
  assert.equal(escapeMarkdown('a*b_c\n\n  d'), 'a\\*b\\_c d');
  const punctuation = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
  assert.equal(escapeMarkdown(punctuation), [...punctuation].map((c) => `\\${c}`).join(''));
});

test('command links encode their arguments, parentheses included', () => {
  assert.equal(
    commandLink('L0.hid.max#1', 'stc.showNeuron', ['a(b)'], 'Say "hi"'),
    '[L0\\.hid\\.max\\#1](command:stc.showNeuron?%5B%22a%28b%29%22%5D "Say hi")',
  );
});

test('bars use eighths and stay within their width', () => {
  assert.equal(bar(0), '');
  assert.equal(bar(1), '██████████');
  assert.equal(bar(0.5), '█████');
  assert.equal(bar(0.05), '▌');
  assert.equal(bar(2), '██████████');
});

test('the strongest tokens are above the mean, placed, not special, strongest first', () => {
  const e = explanation('one two three four', [1, 5, 1, 4]);
  assert.deepEqual(strongestTokens(e.tokens, e.onTokens[0]!), [2, 4]);
  const flat = explanation('same same', [1, 1]);
  assert.deepEqual(strongestTokens(flat.tokens, flat.onTokens[0]!), []);
});

test('highlighting keeps punctuation outside the bold and shows a window of long texts', () => {
  const text = 'wow, great!';
  assert.equal(highlighted(text, [{ token: 'great!', start: 5, end: 11, special: false }]), 'wow\\, **great**\\!');
  const long = `${'x '.repeat(300)}target ${'y '.repeat(300)}`;
  const start = long.indexOf('target');
  const shown = highlighted(long, [{ token: 'target', start, end: start + 6, special: false }]);
  assert.match(shown, /^… x .*\*\*target\*\* y .* …$/);
  assert.ok(shown.length < 400);
});

test('the highlighted pieces of one word are one bold run', () => {
  const text = 'I loved it';
  const pieces = [
    { token: 'love', start: 2, end: 6, special: false },
    { token: '##d', start: 6, end: 7, special: false },
  ];
  assert.equal(highlighted(text, pieces), 'I **loved** it');
});
