// Loads the scikit-learn reference values computed by scripts/reference/learn_parity.py.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DenseMatrix } from '../../src/core/learn/matrix';

export interface ReferenceFit {
  solver: 'liblinear' | 'saga' | 'liblinear-ovr' | 'lbfgs-l2';
  positive_class?: number;
  C: number;
  lambda: number;
  coef: number[][];
  intercept: number[];
  objective: number;
}

export interface ReferenceProblem {
  name: string;
  rows: number;
  cols: number;
  nClasses: number;
  X: string;
  y: number[];
  fits: ReferenceFit[];
}

export interface ParityFixture {
  problems: ReferenceProblem[];
  standardiser: { rows: number; cols: number; X: string; mean: number[]; scale: number[] };
  metrics: {
    y_true: number[];
    y_pred: number[];
    proba: number[];
    accuracy: number;
    macro_f1: number;
    precision: number[];
    recall: number[];
    f1: number[];
    support: number[];
    confusion: number[][];
    log_loss: number;
  };
}

export function loadParity(): ParityFixture {
  return JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'learn', 'parity.json'), 'utf8')) as ParityFixture;
}

/** Row-major float32 matrix from the fixture's base64 little-endian float32 bytes. */
export function matrixFromBase64(b64: string, rows: number, cols: number): DenseMatrix {
  const bytes = Buffer.from(b64, 'base64');
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = bytes.readFloatLE(i * 4);
  return { rows, cols, data };
}
