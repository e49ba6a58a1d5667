// Run by runner.test.ts in a child process: extracts into the store given on the command line,
// says "ready" once three batches are finished and recorded (checkpoints flush in the background,
// so it waits for them) and then hangs in the fourth, waiting to be killed (SIGKILL): a crash in the
// middle of a run.
import { FeatureStoreWriter } from '../../src/core/extract/store-writer';
import { runExtraction } from '../../src/core/extract/runner';
import { encoderLike, fakeGraph, fakeRunner } from './fakes';
import { crashTexts, crashLayout, crashLimits } from './crash-shared';

const dir = process.argv[2] ?? '';
const store = FeatureStoreWriter.open(dir, crashLayout, { checkpointMs: 0 });
const { run } = fakeRunner(async (i) => {
  if (i === 3) {
    await store.checkpoint();
    process.stdout.write('ready\n');
    return new Promise<void>(() => setInterval(() => {}, 1000));
  }
});
void runExtraction({ texts: crashTexts, encoder: encoderLike, maxLength: 32, graph: fakeGraph, run, store, limits: crashLimits });
