// A solver's working memory: one WebAssembly memory holding its copy of the design and the vectors
// the SIMD kernels (kernels.wat) read and write, with the kernels bound to it. The kernels are
// where the solvers spend their time (a coordinate's gradient and update are each one pass over
// a design column); in WebAssembly SIMD they run several times faster than the plain loops they
// replaced, with bit-identical results (kernels.wat says how).

import { KERNELS_WASM_BASE64 } from './kernels-wasm';
import type { Design } from './matrix';

interface KernelExports {
  dot(x: number, v: number, n: number): number;
  dot2(xa: number, xb: number, v: number, n: number, out: number): void;
  weightedSquares(x: number, h: number, n: number): number;
  axpy(c: number, x: number, v: number, n: number): void;
  axpyWeighted(c: number, x: number, h: number, u: number, n: number): void;
  multinomialGradient(x: number, r: number, p: number, dz: number, s: number, n: number): number;
  multinomialUpdate(c: number, x: number, p: number, dz: number, s: number, n: number): void;
}

const PAGE = 65536;
/** wasm32 addresses 4 GiB. */
const MAX_PAGES = 65536;
/** Vectors start on 16-byte boundaries (whole SIMD registers). */
const ALIGN = 16;

let compiled: WebAssembly.Module | undefined;

/**
 * The memory of this thread's last released solver, which the next one takes (grown when it needs
 * more). A path's fits come one after another, and a dead memory is only freed by a garbage
 * collection, which let several of them pile up per thread (src/core/learn/README.md, Kernels,
 * has the figures); held weakly, so an idle thread does not keep it.
 */
let spare: WeakRef<WebAssembly.Memory> | undefined;

function takeMemory(pages: number): WebAssembly.Memory {
  const memory = spare?.deref() ?? new WebAssembly.Memory({ initial: pages });
  spare = undefined;
  const have = memory.buffer.byteLength / PAGE;
  if (have < pages) memory.grow(pages - have);
  return memory;
}

/** Compiled once per thread (worker threads each compile their own). */
function kernelModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(Buffer.from(KERNELS_WASM_BASE64, 'base64'));
  return compiled;
}

const aligned = (bytes: number) => Math.ceil(bytes / ALIGN) * ALIGN;

/**
 * The design's values (`X`, a float32 copy) and the named float64 vectors of `lengths` (zeros), all
 * in one memory that does not grow while it is in use, so the views stay valid. Every kernel takes
 * views of this memory and nothing else: an array from elsewhere is refused, since its offset
 * would point at other data. `release` hands the memory to the thread's next solver: nothing may
 * use this one after it.
 */
export class KernelMemory<V extends string> {
  readonly X: Float32Array;
  readonly vectors: Record<V, Float64Array>;
  private readonly memory: WebAssembly.Memory;
  private readonly buffer: ArrayBuffer;
  private readonly k: KernelExports;
  /** Two float64 for `dot2`'s results. */
  private readonly pair: Float64Array;
  private released = false;

  constructor(design: Design, lengths: Record<V, number>) {
    const names = Object.keys(lengths) as V[];
    let bytes = aligned(design.data.length * 4) + aligned(2 * 8);
    for (const name of names) bytes += aligned(lengths[name] * 8);
    const pages = Math.max(1, Math.ceil(bytes / PAGE));
    if (pages > MAX_PAGES) {
      throw new Error(`a design of ${design.rows} rows x ${design.cols} columns needs ${(bytes / 2 ** 30).toFixed(1)} GiB of solver memory, more than the 4 GiB it can address: offer fewer features or rows`);
    }
    const memory = takeMemory(pages);
    this.memory = memory;
    this.buffer = memory.buffer;
    this.k = new WebAssembly.Instance(kernelModule(), { env: { memory } }).exports as unknown as KernelExports;
    let offset = 0;
    const take = <T>(make: (at: number) => T, size: number): T => {
      const view = make(offset);
      offset += aligned(size);
      return view;
    };
    this.X = take((at) => new Float32Array(this.buffer, at, design.data.length), design.data.length * 4);
    this.X.set(design.data);
    this.pair = take((at) => new Float64Array(this.buffer, at, 2), 16);
    const vectors = {} as Record<V, Float64Array>;
    for (const name of names) vectors[name] = take((at) => new Float64Array(this.buffer, at, lengths[name]).fill(0), lengths[name] * 8);
    this.vectors = vectors;
  }

  /** Hands the memory to this thread's next solver, unless a larger one is already waiting. */
  release(): void {
    this.released = true;
    const waiting = spare?.deref();
    if (!waiting || waiting.buffer.byteLength < this.buffer.byteLength) spare = new WeakRef(this.memory);
  }

  /** Byte offset of element `index` of a view of this memory. */
  private at(a: Float32Array | Float64Array, index: number): number {
    if (a.buffer !== this.buffer || this.released) throw new Error('kernel called on an array outside its solver memory, or after the memory was released');
    return a.byteOffset + index * a.BYTES_PER_ELEMENT;
  }

  /** sum_i X[xo + i] v[vo + i] */
  dot(X: Float32Array, xo: number, v: Float64Array, vo: number, n: number): number {
    return this.k.dot(this.at(X, xo), this.at(v, vo), n);
  }

  /** `dot` of two columns, xa and xb, with the same v (read once for both), each sum exactly
   *  `dot`'s: [0] and [1] of the returned pair, which the next call overwrites. */
  dot2(X: Float32Array, xa: number, xb: number, v: Float64Array, vo: number, n: number): Readonly<Float64Array> {
    this.k.dot2(this.at(X, xa), this.at(X, xb), this.at(v, vo), n, this.pair.byteOffset);
    return this.pair;
  }

  /** sum_i h[ho + i] X[xo + i]^2 */
  weightedSquares(X: Float32Array, xo: number, h: Float64Array, ho: number, n: number): number {
    return this.k.weightedSquares(this.at(X, xo), this.at(h, ho), n);
  }

  /** v[vo + i] += c X[xo + i] */
  axpy(c: number, X: Float32Array, xo: number, v: Float64Array, vo: number, n: number): void {
    this.k.axpy(c, this.at(X, xo), this.at(v, vo), n);
  }

  /** u[i] += c h[i] X[xo + i] */
  axpyWeighted(c: number, X: Float32Array, xo: number, h: Float64Array, u: Float64Array, n: number): void {
    this.k.axpyWeighted(c, this.at(X, xo), this.at(h, 0), this.at(u, 0), n);
  }

  /**
   * Gradient of the multinomial quadratic model in one weight (class k, feature column xo):
   * sum_i x_i (r_ki + p_ki (dz_ki - s_i)), where dz is the score change of the direction so far
   * and s_i = sum_k p_ki dz_ki (the row's mean score change under its own probabilities).
   */
  multinomialGradient(X: Float32Array, xo: number, R: Float64Array, P: Float64Array, dz: Float64Array, ko: number, s: Float64Array, n: number): number {
    return this.k.multinomialGradient(this.at(X, xo), this.at(R, ko), this.at(P, ko), this.at(dz, ko), this.at(s, 0), n);
  }

  /** Moves one multinomial weight by c: dz_k += c x, s += c p_k x. */
  multinomialUpdate(c: number, X: Float32Array, xo: number, P: Float64Array, dz: Float64Array, ko: number, s: Float64Array, n: number): void {
    this.k.multinomialUpdate(c, this.at(X, xo), this.at(P, ko), this.at(dz, ko), this.at(s, 0), n);
  }
}
