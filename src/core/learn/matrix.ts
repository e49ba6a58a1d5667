// The two dense layouts of the learning core. Feature store blocks arrive row-major (one example
// after another); the solver reads whole columns (one feature across all examples) in its inner
// loops, so it works on a column-major copy, made once per probe, standardised on the way.

/** Row-major float32 matrix: element (row i, column j) is `data[i * cols + j]`.
 *  What other modules build from a feature store block; `data.length` must be `rows * cols`.
 *  (`layout` may be left out; it only keeps a `Design` from being passed where this is expected.) */
export interface DenseMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array;
  readonly layout?: 'row-major';
}

/** Column-major float32 matrix the solver and the predictors read: element (row i, column j) is
 *  `data[j * rows + i]`, so column j is the contiguous range `[j * rows, (j + 1) * rows)`.
 *  Build it with `designMatrix`; select and join columns with `selectColumns` / `concatColumns`. */
export interface Design {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array;
  readonly layout: 'column-major';
}

/** (x - mean) / scale per column; a `Standardisation` is one. */
export interface ColumnScaling {
  readonly mean: readonly number[];
  readonly scale: readonly number[];
}

/** Names the matrix in error messages, e.g. `L3.hid.mean (train)`. */
export interface MatrixContext {
  readonly name?: string;
}

export function checkShape(X: DenseMatrix | Design, ctx: MatrixContext = {}): void {
  const what = ctx.name ?? 'feature matrix';
  if (!Number.isInteger(X.rows) || !Number.isInteger(X.cols) || X.rows < 0 || X.cols < 0) {
    throw new Error(`${what}: rows (${X.rows}) and cols (${X.cols}) must be non-negative integers`);
  }
  if (X.data.length !== X.rows * X.cols) {
    throw new Error(`${what}: data holds ${X.data.length} values but rows x cols = ${X.rows} x ${X.cols} = ${X.rows * X.cols}; rebuild the matrix from its source`);
  }
}

/** Throws on the first NaN or infinite value, naming its row and column. */
export function assertFinite(X: DenseMatrix | Design, ctx: MatrixContext = {}): void {
  const { rows, cols, data } = X;
  const layout = X.layout ?? 'row-major';
  for (let index = 0; index < data.length; index++) {
    const v = data[index] as number;
    if (Number.isFinite(v)) continue;
    const row = layout === 'row-major' ? Math.floor(index / cols) : index % rows;
    const col = layout === 'row-major' ? index % cols : Math.floor(index / rows);
    throw new Error(`${ctx.name ?? 'feature matrix'}: ${Number.isNaN(v) ? 'NaN' : 'infinite'} value at row ${row}, column ${col}; the learner needs finite features (re-extract the block, or drop the row)`);
  }
}

const TILE = 64;

/** The column-major copy the solver needs, standardised with `std` when given (raw otherwise).
 *  Checks the shape and that every value is finite (the error names row and column). */
export function designMatrix(X: DenseMatrix, std?: ColumnScaling, ctx: MatrixContext = {}): Design {
  checkShape(X, ctx);
  assertFinite(X, ctx);
  const { rows, cols, data } = X;
  if (std && (std.mean.length !== cols || std.scale.length !== cols)) {
    throw new Error(`${ctx.name ?? 'feature matrix'}: the standardisation has ${std.mean.length} columns but the matrix has ${cols}; use the standardisation fitted on this block`);
  }
  const out = new Float32Array(rows * cols);
  // Tiled transpose: both the row-major reads and the column-major writes stay within a few
  // cache lines per tile.
  for (let i0 = 0; i0 < rows; i0 += TILE) {
    const i1 = Math.min(rows, i0 + TILE);
    for (let j0 = 0; j0 < cols; j0 += TILE) {
      const j1 = Math.min(cols, j0 + TILE);
      for (let j = j0; j < j1; j++) {
        const mean = std ? (std.mean[j] as number) : 0;
        const inv = std ? 1 / (std.scale[j] as number) : 1;
        const obase = j * rows;
        for (let i = i0; i < i1; i++) out[obase + i] = ((data[i * cols + j] as number) - mean) * inv;
      }
    }
  }
  return { rows, cols, data: out, layout: 'column-major' };
}

/** The given columns of `d`, in the given order (e.g. the neurons kept after sparsification). */
export function selectColumns(d: Design, columns: ArrayLike<number>): Design {
  const out = new Float32Array(d.rows * columns.length);
  for (let c = 0; c < columns.length; c++) {
    const j = columns[c] as number;
    if (!Number.isInteger(j) || j < 0 || j >= d.cols) throw new Error(`column ${j} is out of range 0..${d.cols - 1}`);
    out.set(d.data.subarray(j * d.rows, (j + 1) * d.rows), c * d.rows);
  }
  return { rows: d.rows, cols: columns.length, data: out, layout: 'column-major' };
}

/** The columns of every part side by side (same rows), e.g. kept neurons of layers 0..k-1. */
export function concatColumns(parts: readonly Design[]): Design {
  const first = parts[0];
  if (!first) throw new Error('concatColumns needs at least one part');
  let cols = 0;
  for (const [index, part] of parts.entries()) {
    if (part.rows !== first.rows) throw new Error(`part ${index} has ${part.rows} rows, part 0 has ${first.rows}; parts must describe the same examples`);
    cols += part.cols;
  }
  const out = new Float32Array(first.rows * cols);
  let offset = 0;
  for (const part of parts) {
    out.set(part.data, offset);
    offset += part.data.length;
  }
  return { rows: first.rows, cols, data: out, layout: 'column-major' };
}

/** The rows of every part one after another (same columns), e.g. train then dev examples. */
export function concatRows(parts: readonly Design[]): Design {
  const first = parts[0];
  if (!first) throw new Error('concatRows needs at least one part');
  let rows = 0;
  for (const [index, part] of parts.entries()) {
    if (part.cols !== first.cols) throw new Error(`part ${index} has ${part.cols} columns, part 0 has ${first.cols}; parts must have the same features`);
    rows += part.rows;
  }
  const out = new Float32Array(rows * first.cols);
  for (let j = 0; j < first.cols; j++) {
    let offset = j * rows;
    for (const part of parts) {
      out.set(part.data.subarray(j * part.rows, (j + 1) * part.rows), offset);
      offset += part.rows;
    }
  }
  return { rows, cols: first.cols, data: out, layout: 'column-major' };
}
