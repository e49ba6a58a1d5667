// The appended pooling nodes on their own: a graph whose only input besides ids and mask is the
// tensor to pool, run at several opsets, against pooling computed by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type * as Ort from 'onnxruntime-node';
import { loadOrt } from '../../src/core/model/runtime';
import type { FeatureBlock, Pooling } from '../../src/core/neurons';
import { buildPooling, outputName, type PoolingOptions } from '../../src/core/onnx/pooling';
import { DataType, encodeModel, type ValueInfoProto } from '../../src/core/onnx/schema';

const B = 2;
const S = 4;
const D = 3;
// Row 0 right-padded (3 real tokens), row 1 left-padded (3 real tokens).
const MASK = [
  [1, 1, 1, 0],
  [0, 1, 1, 1],
];
const X = Array.from({ length: B * S * D }, (_, i) => Math.sin(i * 1.7) * 3);
const at = (b: number, s: number, d: number): number => X[(b * S + s) * D + d] as number;

function expected(pooling: Pooling, single: 'first' | 'last', mask = MASK): number[][] {
  return Array.from({ length: B }, (_, b) =>
    Array.from({ length: D }, (_, d) => {
      const real = [...Array(S).keys()].filter((s) => mask[b]?.[s] === 1);
      if (pooling === 'mean') return real.reduce((a, s) => a + at(b, s, d), 0) / real.length;
      if (pooling === 'max') return Math.max(...real.map((s) => at(b, s, d)));
      return at(b, single === 'first' ? 0 : (real[real.length - 1] as number), d);
    }),
  );
}

/** IEEE half-precision bits of a value in the normal range (all of X), rounded to nearest. */
function halfBits(v: number): number {
  const f = new Float32Array([v]);
  const bits = new Uint32Array(f.buffer)[0] as number;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
  const mantissa = bits & 0x7fffff;
  if (v === 0) return sign;
  return sign | ((exponent << 10) + Math.round(mantissa / 0x2000));
}

function tensorInput(name: string, elemType: number, dims: (number | string)[]): ValueInfoProto {
  return { name, type: { tensor_type: { elem_type: elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) } } } };
}

const BLOCKS: FeatureBlock[] = (['mean', 'max', 'single'] as const).map((pooling) => ({ kind: 'hid', layer: 0, pooling }));

async function runPooling(opset: number, options: Partial<PoolingOptions> & { flat?: boolean; fp16?: boolean } = {}): Promise<Map<string, number[][]>> {
  const xType = options.fp16 ? DataType.FLOAT16 : DataType.FLOAT;
  const fragment = buildPooling(
    BLOCKS.map((block) => ({ block, tensor: 'x', dim: D, order: -1 })),
    { opset, inputIds: 'input_ids', attentionMask: 'attentionMask' in options ? options.attentionMask : 'attention_mask', singleToken: options.singleToken ?? 'first' },
  );
  const bytes = encodeModel({
    ir_version: 8,
    opset_import: [{ domain: '', version: opset }],
    graph: {
      name: 'pool',
      node: fragment.nodes,
      initializer: fragment.initializers,
      input: [
        tensorInput('input_ids', DataType.INT64, ['batch', 'seq']),
        tensorInput('attention_mask', DataType.INT64, ['batch', 'seq']),
        tensorInput('x', xType, options.flat ? ['tokens', D] : ['batch', 'seq', D]),
      ],
      output: fragment.outputs,
    },
  });
  const ort = await loadOrt();
  const session = await ort.InferenceSession.create(bytes);
  const ids = new ort.Tensor('int64', new BigInt64Array(B * S).fill(5n), [B, S]);
  const mask = new ort.Tensor('int64', BigInt64Array.from(MASK.flat().map(BigInt)), [B, S]);
  const xDims = options.flat ? [B * S, D] : [B, S, D];
  const x = options.fp16 ? new ort.Tensor('float16', Uint16Array.from(X, halfBits), xDims) : new ort.Tensor('float32', Float32Array.from(X), xDims);
  const out = await session.run({ input_ids: ids, attention_mask: mask, x });
  await session.release();
  const result = new Map<string, number[][]>();
  for (const block of BLOCKS) {
    const t = out[outputName(block)] as Ort.Tensor;
    assert.equal(t.type, 'float32');
    assert.deepEqual(t.dims, [B, D]);
    const data = t.data as Float32Array;
    result.set(block.pooling, [Array.from(data.subarray(0, D)), Array.from(data.subarray(D))]);
  }
  return result;
}

function assertClose(actual: number[][] | undefined, wanted: number[][], tolerance: number, what: string): void {
  assert.ok(actual, what);
  actual.forEach((row, b) => row.forEach((v, d) => assert.ok(Math.abs(v - (wanted[b]?.[d] as number)) <= tolerance, `${what}[${b}][${d}]: ${v} vs ${wanted[b]?.[d]}`)));
}

for (const opset of [13, 17, 18, 21]) {
  test(`opset ${opset}: masked mean, masked max, first and last real token`, async () => {
    for (const single of ['first', 'last'] as const) {
      const got = await runPooling(opset, { singleToken: single });
      for (const pooling of ['mean', 'max', 'single'] as const) assertClose(got.get(pooling), expected(pooling, single), 1e-6, `${pooling} (${single})`);
    }
  });
}

test('reduce axes are attributes before the opset that made them inputs', () => {
  const reduceMax = (opset: number) => buildPooling([{ block: { kind: 'act', layer: 0, pooling: 'max' }, tensor: 'x', dim: D, order: -1 }], { opset, inputIds: 'ids', attentionMask: 'mask', singleToken: 'first' }).nodes.find((n) => n.op_type === 'ReduceMax');
  assert.equal(reduceMax(17)?.input?.length, 1);
  assert.ok(reduceMax(17)?.attribute?.some((a) => a.name === 'axes'));
  assert.equal(reduceMax(18)?.input?.length, 2);
  assert.ok(!reduceMax(18)?.attribute?.some((a) => a.name === 'axes'));
});

test('without an attention mask every token counts', async () => {
  const all = MASK.map((r) => r.map(() => 1));
  const got = await runPooling(17, { attentionMask: undefined, singleToken: 'last' });
  for (const pooling of ['mean', 'max', 'single'] as const) assertClose(got.get(pooling), expected(pooling, 'last', all), 1e-6, pooling);
});

test('tokens flattened to [batch * seq, dim] are pooled per row', async () => {
  const got = await runPooling(17, { flat: true, singleToken: 'last' });
  for (const pooling of ['mean', 'max', 'single'] as const) assertClose(got.get(pooling), expected(pooling, 'last'), 1e-6, pooling);
});

test('float16 tensors come out as float32', async () => {
  const got = await runPooling(17, { fp16: true });
  for (const pooling of ['mean', 'max', 'single'] as const) assertClose(got.get(pooling), expected(pooling, 'first'), 5e-3, pooling);
});

test('opsets before 12 are refused with a way out', () => {
  assert.throws(() => buildPooling([{ block: BLOCKS[0] as FeatureBlock, tensor: 'x', dim: D, order: -1 }], { opset: 11, inputIds: 'ids', attentionMask: 'mask', singleToken: 'first' }), /opset is 11.*opset 12 or newer.*Re-export/);
});

test('the deepest tap is pooled first in the node list; outputs keep the request order', () => {
  const requests = [
    { block: { kind: 'hid', layer: 0, pooling: 'mean' }, tensor: 'h0', dim: D, order: 3 },
    { block: { kind: 'hid', layer: 1, pooling: 'max' }, tensor: 'h1', dim: D, order: 9 },
    { block: { kind: 'act', layer: 0, pooling: 'single' }, tensor: 'a0', dim: D, order: 6 },
  ] as const;
  const fragment = buildPooling(requests, { opset: 17, inputIds: 'ids', attentionMask: 'mask', singleToken: 'first' });
  const firstUse = (tensor: string) => fragment.nodes.findIndex((n) => n.input?.includes(tensor));
  assert.ok(firstUse('h1') < firstUse('a0') && firstUse('a0') < firstUse('h0'), 'taps read deepest first');
  assert.deepEqual(fragment.outputs.map((o) => o.name), ['stc/L0.hid.mean', 'stc/L1.hid.max', 'stc/L0.act.single']);
});
