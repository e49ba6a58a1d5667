// The dataset and store layout shared by runner.test.ts and crash-child.ts.
import type { StoreLayout } from '../../src/core/extract/store-format';

export const crashTexts = Array.from({ length: 40 }, (_, i) => 'abcdefghij'.repeat(1 + (i % 3)).slice(0, 3 + ((i * 7) % 25)));
export const crashLayout: StoreLayout = { key: 'crash', rows: crashTexts.length, blocks: [{ name: 'L0.hid.mean', dim: 2 }, { name: 'L1.act.max', dim: 3 }] };
export const crashLimits = { tokenBudget: 64, maxBatchSize: 4 };
