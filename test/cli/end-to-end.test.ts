// train -> inspect -> classify -> explain -> eval through the command line, on the tiny fixture
// BERT, and the bad inputs a saved classifier and its commands must refuse.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../src/cli/errors';
import { stc } from './context';

const root = join(__dirname, '..', '..');
const model = join(root, 'test', 'fixtures', 'models', 'bert');
const otherModel = join(root, 'test', 'fixtures', 'models', 'distilbert');
const dir = mkdtempSync(join(tmpdir(), 'stc-cli-'));
const workDir = join(dir, 'work');
const classifier = join(dir, 'spam.stc');
const run = ['--threads', '1', '--device', 'cpu', '--work-dir', workDir];

/** The first rows of the bundled example set, as a small CSV. */
function sample(rows: number, from: string): string {
  const lines = readFileSync(join(root, 'examples', 'sms-spam', from), 'utf8').split('\n');
  const file = join(dir, `${rows}-${from}`);
  writeFileSync(file, `${lines.slice(0, rows + 1).join('\n')}\n`);
  return file;
}

const trainFile = sample(60, 'train.csv');
const testFile = sample(20, 'test.csv');

function write(name: string, content: string | Uint8Array): string {
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}

let trained: Awaited<ReturnType<typeof stc>>;
before(async () => {
  trained = await stc(['train', trainFile, '--test', testFile, '--model', model, '--out', classifier, '--max-length', '32', ...run]);
});

test('train saves a classifier and prints the per-layer table and the scores', () => {
  assert.equal(trained.code, 0, trained.stderr);
  assert.ok(existsSync(join(classifier, 'manifest.json')));
  assert.match(trained.stdout, /^Per-layer probes: validation accuracy/);
  assert.match(trained.stdout, /\nL3 /);
  assert.match(trained.stdout, /\n {2}STC \(k=\d, \d+ neurons\) +\d+\.\d% +\d+\.\d%\n/);
  assert.match(trained.stdout, /\n {2}last-hid-mean /);
  assert.match(trained.stdout, new RegExp(`Saved ${classifier.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n$`));
  assert.match(trained.stderr, /probe +\d+\/\d+/, 'plain progress lines on a non-terminal');
});

test('train refits on train + validation unless --no-refit, and says which in its output and report', async () => {
  assert.match(trained.stdout, /\nRefitted on train \+ validation \(60 rows\)/);
  const report = (file: string) => JSON.parse(readFileSync(join(file, 'report.json'), 'utf8')) as { finalFit: { on: string; rows: number }; settings: { refit: boolean } };
  assert.deepEqual([report(classifier).settings.refit, report(classifier).finalFit.on, report(classifier).finalFit.rows], [true, 'train+dev', 60]);
  const trainOnly = join(dir, 'train-only.stc');
  const r = await stc(['train', trainFile, '--model', model, '--out', trainOnly, '--max-length', '32', '--no-refit', ...run]);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /Refitted/);
  assert.deepEqual([report(trainOnly).settings.refit, report(trainOnly).finalFit.on, report(trainOnly).finalFit.rows], [false, 'train', 54]);
});

test('inspect describes the classifier', async () => {
  const r = await stc(['inspect', classifier]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\nlabels +ham, spam\n/);
  assert.match(r.stdout, /\nk +\d of 3 blocks run\n/);
  assert.match(r.stdout, /\nPer-layer probes/);
  const json = await stc(['inspect', classifier, '--json']);
  assert.deepEqual((JSON.parse(json.stdout) as { labels: string[] }).labels, ['ham', 'spam']);
});

test('classify: texts from arguments, from stdin, and as JSON lines', async () => {
  const args = await stc(['classify', classifier, 'win a free prize now', 'see you at lunch', ...run]);
  assert.equal(args.code, 0, args.stderr);
  const lines = args.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 2);
  assert.match(lines[0] ?? '', /^(ham|spam)\t\d+\.\d%\twin a free prize now$/);

  const piped = await stc(['classify', classifier, '-', ...run], { stdin: 'one\r\ntwo\nthree\n' });
  assert.equal(piped.code, 0, piped.stderr);
  assert.equal(piped.stdout.trimEnd().split('\n').length, 3);

  const json = await stc(['classify', classifier, '--json', '--top', '2', ...run], { stdin: 'call now to claim\n' });
  assert.equal(json.code, 0, json.stderr);
  const out = JSON.parse(json.stdout) as { text: string; label: string; proba: Record<string, number>; neurons: { name: string; contribution: number }[] };
  assert.equal(out.text, 'call now to claim');
  assert.ok(['ham', 'spam'].includes(out.label));
  assert.ok(Math.abs((out.proba.ham ?? 0) + (out.proba.spam ?? 0) - 1) < 1e-6);
  assert.ok(out.neurons.length <= 2);
  for (const n of out.neurons) assert.match(n.name, /^L\d+\.(hid|act)\.(mean|max|single)#\d+$/);
});

test('explain shows the label, ranked contributions and the neurons on each token', async () => {
  const r = await stc(['explain', classifier, 'Free entry to win a prize', '--top', '2', ...run]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^label: (ham|spam) {2}\(ham \d+\.\d%, spam \d+\.\d%\)\n/);
  assert.match(r.stdout, /\n {2}1 +L\d+\.(hid|act)\.(mean|max|single)#\d+ /);
  assert.match(r.stdout, /\n {2}token +text +L\d/);
  assert.match(r.stdout, /\n {2}\[CLS\] /);
});

test('eval prints accuracy, per-class scores and the confusion matrix', async () => {
  const r = await stc(['eval', classifier, testFile, ...run]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Evaluation of 20 rows from /);
  assert.match(r.stdout, /\naccuracy +\d+\.\d%\nmacro-F1 +\d+\.\d%\n/);
  assert.match(r.stdout, /\ngold \\ predicted +ham +spam\nham +\d+ +\d+\nspam +\d+ +\d+\n$/);
});

test('eval refuses labels the classifier does not know, naming them and where', async () => {
  const file = write('unknown.csv', 'text,label\nhello,ham\nbuy now,promo\nand again,promo\n');
  const r = await stc(['eval', classifier, file, ...run]);
  assert.equal(r.code, EXIT.data);
  assert.match(r.stderr, /^error: .*unknown\.csv, column "label": a label does not occur in the training data: "promo" \(2 rows, first at .*line 3\)/);
});

test('bad data: ragged rows, binary data, invalid UTF-8, a missing file', async () => {
  const ragged = write('ragged.csv', 'text,label\nfine,ham\nan unquoted, comma,spam\n');
  const binary = write('binary.csv', new Uint8Array([0x74, 0x65, 0x78, 0x74, 0x2c, 0x6c, 0x0a, 0x00, 0x01, 0x02]));
  const latin1 = write('latin1.csv', Buffer.concat([Buffer.from('text,label\ncaf'), Buffer.from([0xe9]), Buffer.from(',ham\n')]));
  for (const [file, message] of [
    [ragged, /ragged\.csv, line 3: .*fields/],
    [binary, /binary\.csv, line 2, byte 7: the file contains NUL bytes/],
    [latin1, /latin1\.csv, line 2, byte 14: invalid UTF-8 \(byte 0xe9\)/],
  ] as const) {
    const r = await stc(['eval', classifier, file, ...run]);
    assert.equal(r.code, EXIT.data, `${file}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
  const missing = await stc(['train', join(dir, 'nope.csv'), '--out', join(dir, 'nope.stc'), '--model', model, ...run]);
  assert.equal(missing.code, EXIT.noInput);
  assert.match(missing.stderr, /nope\.csv: no such file or folder/);
  assert.ok(!existsSync(join(dir, 'nope.stc')));
});

test('classify refuses empty text, binary and invalid UTF-8 input', async () => {
  const cases: [string[], string | Uint8Array, RegExp][] = [
    [[''], '', /argument 1: the text is empty/],
    [['-'], 'fine\n\nalso fine\n', /<stdin>, line 2: the text is empty/],
    [[], '', /<stdin>: no text to classify/],
    [['-'], new Uint8Array([0x68, 0x69, 0x0a, 0x00, 0xff]), /<stdin>, line 2, byte 3: the file contains NUL bytes/],
    [['-'], new Uint8Array([0x68, 0x69, 0x0a, 0x63, 0xe9, 0x0a]), /<stdin>, line 2, byte 4: invalid UTF-8 \(byte 0xe9\)/],
  ];
  for (const [texts, stdin, message] of cases) {
    const r = await stc(['classify', classifier, ...texts, ...run], { stdin });
    assert.equal(r.code, EXIT.data, r.stderr);
    assert.match(r.stderr, message);
    assert.equal(r.stdout, '');
  }
});

test('a 1 MB line is classified on its beginning, with a warning', async () => {
  const line = 'win a prize '.repeat(Math.ceil(2 ** 20 / 12));
  const r = await stc(['classify', classifier, ...run], { stdin: `${line}\n` });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^(ham|spam)\t/);
  assert.match(r.stderr, /warning: text 1 is longer than 32 tokens; only its beginning was classified/);
});

test('a tampered, truncated or incomplete classifier is refused with exit 65', async () => {
  const copy = (name: string): string => {
    const to = join(dir, name);
    cpSync(classifier, to, { recursive: true });
    return to;
  };
  const tampered = copy('tampered.stc');
  const report = readFileSync(join(tampered, 'report.json'), 'utf8');
  writeFileSync(join(tampered, 'report.json'), report.replace('"schema"', '"schema" '));
  const truncated = copy('truncated.stc');
  const manifest = readFileSync(join(truncated, 'manifest.json'), 'utf8');
  writeFileSync(join(truncated, 'manifest.json'), manifest.slice(0, manifest.length >> 1));
  for (const [folder, message] of [
    [tampered, /report\.json: its content does not match the sha256/],
    [truncated, /manifest\.json: is not valid JSON/],
  ] as const) {
    for (const argv of [['inspect', folder], ['classify', folder, 'hello', ...run]]) {
      const r = await stc(argv);
      assert.equal(r.code, EXIT.data, r.stderr);
      assert.match(r.stderr, message);
    }
  }
});

test('the wrong base model is refused with the reason', async () => {
  const r = await stc(['classify', classifier, 'hello', '--model', otherModel, ...run]);
  assert.equal(r.code, EXIT.data, r.stderr);
  assert.match(r.stderr, /trained on a different model/);
});

test('train refuses an existing --out without --force and leaves it untouched', async () => {
  const manifest = join(classifier, 'manifest.json');
  const before = { content: readFileSync(manifest, 'utf8'), mtime: statSync(manifest).mtimeMs };
  const r = await stc(['train', trainFile, '--model', model, '--out', classifier, ...run]);
  assert.equal(r.code, EXIT.cannotCreate);
  assert.match(r.stderr, /spam\.stc already exists; nothing was changed\. Use --force/);
  assert.equal(readFileSync(manifest, 'utf8'), before.content);
  assert.equal(statSync(manifest).mtimeMs, before.mtime);
});

test('--force never replaces a file or a folder that is not a classifier', async () => {
  const folder = join(dir, 'documents');
  mkdirSync(folder);
  writeFileSync(join(folder, 'notes.txt'), 'keep me');
  const file = write('plain.txt', 'keep me too');
  for (const out of [folder, file]) {
    const r = await stc(['train', trainFile, '--model', model, '--out', out, '--force', ...run]);
    assert.equal(r.code, EXIT.cannotCreate, r.stderr);
    assert.match(r.stderr, /exists and is not a classifier folder, so --force does not replace it/);
  }
  assert.equal(readFileSync(join(folder, 'notes.txt'), 'utf8'), 'keep me');
  assert.equal(readFileSync(file, 'utf8'), 'keep me too');
});

test('an interrupted training exits 130 and saves nothing', async () => {
  const controller = new AbortController();
  controller.abort();
  const out = join(dir, 'interrupted.stc');
  const r = await stc(['train', trainFile, '--model', model, '--out', out, '--max-length', '32', ...run], { signal: controller.signal });
  assert.equal(r.code, EXIT.interrupted, r.stderr);
  assert.match(r.stderr, /interrupted; nothing was saved/);
  assert.ok(!existsSync(out));
});

test('Ctrl-C during training: the executable stops, exits 130 and saves nothing', async () => {
  const out = join(dir, 'ctrl-c.stc');
  const child = spawn(process.execPath, [join(root, 'dist', 'cli.js'), 'train', join(root, 'examples', 'sms-spam', 'train.csv'), '--model', model, '--out', out, '--max-length', '32', ...run]);
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    // Interrupt once the model has started extracting features.
    if (!stderr.includes('extracting') && (stderr + chunk).includes('extracting')) child.kill('SIGINT');
    stderr += chunk;
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, EXIT.interrupted, stderr);
  assert.match(stderr, /stc: interrupted; nothing was saved\.\n$/);
  assert.ok(!existsSync(out));
});
