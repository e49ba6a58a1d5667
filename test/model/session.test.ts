import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';
import { describeFallback, openOrtSession, openSession, providerCandidates, type ProviderFallback } from '../../src/core/model/session';

test('auto tries the platform GPU providers, then the CPU; explicit providers fall back to the CPU', () => {
  assert.deepEqual(providerCandidates('auto', 'linux'), ['cuda', 'cpu']);
  assert.deepEqual(providerCandidates('auto', 'win32'), ['cuda', 'dml', 'cpu']);
  assert.deepEqual(providerCandidates('auto', 'darwin'), ['coreml', 'cpu']);
  assert.deepEqual(providerCandidates('auto', 'freebsd'), ['cpu']);
  assert.deepEqual(providerCandidates('webgpu', 'linux'), ['webgpu', 'cpu']);
  assert.deepEqual(providerCandidates('cpu', 'linux'), ['cpu']);
  assert.throws(() => providerCandidates('tpu' as never), /Unknown execution provider "tpu"; use one of cpu, cuda, webgpu, dml, coreml, auto/);
});

/** A session factory whose providers start or fail as scripted, recording what it was asked. */
function fakeFactory(failing: Record<string, string>) {
  const calls: InferenceSession.SessionOptions[] = [];
  const factory = (file: string, options: InferenceSession.SessionOptions) => {
    calls.push(options);
    const first = options.executionProviders?.[0];
    const ep = typeof first === 'string' ? first : (first?.name ?? '');
    const reason = failing[ep];
    return reason ? Promise.reject(new Error(`${reason}\n\x1b[1;31m native log noise`)) : Promise.resolve({ file, ep });
  };
  return { factory, calls };
}

test('a provider that fails to start falls back to the CPU with the reason returned and reported', async () => {
  const { factory, calls } = fakeFactory({ cuda: 'Failed to load shared library', dml: 'backend not found' });
  const reported: ProviderFallback[] = [];
  const opened = await openSession('m.onnx', { provider: 'auto', intraOpNumThreads: 2 }, { factory, platform: 'win32', onFallback: (f) => reported.push(f) });
  assert.equal(opened.provider, 'cpu');
  assert.deepEqual(opened.session, { file: 'm.onnx', ep: 'cpu' });
  assert.deepEqual(opened.fallbacks, [
    { provider: 'cuda', outcome: 'failed', reason: 'Failed to load shared library' },
    { provider: 'dml', outcome: 'failed', reason: 'backend not found' },
  ]);
  assert.deepEqual(reported, opened.fallbacks);
  assert.deepEqual(calls.map((c) => c.executionProviders), [['cuda'], ['dml'], ['cpu']]);
  assert.ok(calls.every((c) => c.intraOpNumThreads === 2 && c.interOpNumThreads === undefined && c.graphOptimizationLevel === 'all'));
});

test('a provider that starts is used, with the thread and optimisation settings', async () => {
  const { factory, calls } = fakeFactory({});
  const opened = await openSession('m.onnx', { provider: 'cuda', interOpNumThreads: 1, graphOptimizationLevel: 'basic' }, { factory });
  assert.equal(opened.provider, 'cuda');
  assert.deepEqual(opened.fallbacks, []);
  assert.equal(calls.length, 1);
  assert.equal(calls[0]?.interOpNumThreads, 1);
  assert.equal(calls[0]?.graphOptimizationLevel, 'basic');
  await assert.rejects(openSession('m.onnx', { intraOpNumThreads: 1.5 }, { factory }), /intraOpNumThreads must be a whole number >= 0/);
});

test('only a CPU failure is an error, and it names the model file', async () => {
  const { factory } = fakeFactory({ webgpu: 'no adapter', cpu: 'Protobuf parsing failed.' });
  await assert.rejects(
    openSession('/no/such/model.onnx', { provider: 'webgpu' }, { factory }),
    /cannot load the model \/no\/such\/model\.onnx \(the file does not exist\) on the CPU \(webgpu did not start either\): Protobuf parsing failed\..*re-download or re-export/,
  );
});

const CPU_BOUND = ['MatMulIntegerToFloat'];

test('auto with CPU-bound ops: GPU providers without their kernels are skipped, not tried, and reported', async () => {
  const { factory, calls } = fakeFactory({});
  const reported: ProviderFallback[] = [];
  const opened = await openSession('m.onnx', { provider: 'auto' }, { factory, platform: 'linux', cpuBoundOps: CPU_BOUND, onFallback: (f) => reported.push(f) });
  assert.equal(opened.provider, 'cpu');
  assert.deepEqual(calls.map((c) => c.executionProviders), [['cpu']]);
  assert.deepEqual(opened.fallbacks.map((f) => [f.provider, f.outcome]), [['cuda', 'skipped']]);
  const skipped = opened.fallbacks[0];
  assert.ok(skipped);
  assert.match(skipped.reason, /the graph's MatMulIntegerToFloat nodes have no cuda kernel in ONNX Runtime and run on the CPU between GPU nodes \(measured with WebGPU: 0\.28x the CPU provider's speed\); use an fp32 model on a GPU \(README, "GPU support"\)/);
  assert.deepEqual(reported, opened.fallbacks);
  assert.match(describeFallback(skipped), /^cuda not tried: the graph's MatMulIntegerToFloat nodes/);

  // DirectML has kernels for them: on Windows only CUDA is skipped. CoreML has none.
  const win = fakeFactory({ dml: 'backend not found' });
  const onWindows = await openSession('m.onnx', {}, { factory: win.factory, platform: 'win32', cpuBoundOps: ['MatMulIntegerToFloat', 'DynamicQuantizeMatMul'] });
  assert.deepEqual(win.calls.map((c) => c.executionProviders), [['dml'], ['cpu']]);
  assert.deepEqual(onWindows.fallbacks.map((f) => [f.provider, f.outcome]), [['cuda', 'skipped'], ['dml', 'failed']]);
  assert.match(onWindows.fallbacks[0]?.reason ?? '', /MatMulIntegerToFloat and DynamicQuantizeMatMul nodes have no cuda kernel/);
  const mac = fakeFactory({});
  const onMac = await openSession('m.onnx', { provider: 'auto' }, { factory: mac.factory, platform: 'darwin', cpuBoundOps: CPU_BOUND });
  assert.deepEqual([onMac.provider, onMac.fallbacks.map((f) => [f.provider, f.outcome])], ['cpu', [['coreml', 'skipped']]]);
});

test('a GPU provider named by the user is tried despite CPU-bound ops, with the reason reported once', async () => {
  const { factory, calls } = fakeFactory({});
  const reported: ProviderFallback[] = [];
  const opened = await openSession('m.onnx', { provider: 'cuda' }, { factory, platform: 'linux', cpuBoundOps: CPU_BOUND, onFallback: (f) => reported.push(f) });
  assert.equal(opened.provider, 'cuda');
  assert.deepEqual(calls.map((c) => c.executionProviders), [['cuda']]);
  assert.deepEqual(opened.fallbacks.map((f) => [f.provider, f.outcome]), [['cuda', 'kept']]);
  assert.match(opened.fallbacks[0]?.reason ?? '', /MatMulIntegerToFloat nodes have no cuda kernel in ONNX Runtime.*use an fp32 model on a GPU/);
  assert.deepEqual(reported, opened.fallbacks);
  assert.match(describeFallback(opened.fallbacks[0] as ProviderFallback), /^cuda runs as asked, but the graph's MatMulIntegerToFloat nodes/);

  // When it does not start, the failure is what matters: no notice about a provider not used.
  const failing = fakeFactory({ webgpu: 'No supported adapters' });
  const fellBack = await openSession('m.onnx', { provider: 'webgpu' }, { factory: failing.factory, cpuBoundOps: CPU_BOUND });
  assert.equal(fellBack.provider, 'cpu');
  assert.deepEqual(fellBack.fallbacks, [{ provider: 'webgpu', outcome: 'failed', reason: 'No supported adapters' }]);
  assert.equal(describeFallback(fellBack.fallbacks[0] as ProviderFallback), 'webgpu did not start (No supported adapters)');

  // Neither the CPU nor DirectML lacks the kernels: nothing to say.
  for (const provider of ['cpu', 'dml'] as const) {
    const ok = await openSession('m.onnx', { provider }, { factory: fakeFactory({}).factory, cpuBoundOps: CPU_BOUND });
    assert.deepEqual([ok.provider, ok.fallbacks], [provider, []]);
  }
});

test('without CPU-bound ops auto tries the GPU provider as before', async () => {
  for (const cpuBoundOps of [undefined, []]) {
    const { factory, calls } = fakeFactory({});
    const opened = await openSession('m.onnx', { provider: 'auto' }, { factory, platform: 'linux', cpuBoundOps });
    assert.deepEqual([opened.provider, opened.fallbacks], ['cuda', []]);
    assert.deepEqual(calls.map((c) => c.executionProviders), [['cuda']]);
  }
});

test('a CPU failure after skipped providers names only those that were tried', async () => {
  const { factory } = fakeFactory({ cpu: 'Protobuf parsing failed.' });
  await assert.rejects(openSession('/no/such/model.onnx', { provider: 'auto' }, { factory, platform: 'linux', cpuBoundOps: CPU_BOUND }), (e: Error) => /on the CPU: Protobuf parsing failed/.test(e.message) && !e.message.includes('did not start either'));
});

// A 73-byte ONNX model: y = Relu(x), x: float32 [b, 2].
const RELU_ONNX = 'CAgSADo9CgwKAXgSAXkiBFJlbHUSAWdaFAoBeBIPCg0IARIJCgMSAWIKAggCYhQKAXkSDwoNCAESCQoDEgFiCgIIAkIECgAQEQ==';

test('onnxruntime-node: cuda without its libraries falls back to the CPU and runs; a corrupt file is a clear error', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stc-session-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const good = path.join(dir, 'relu.onnx');
  fs.writeFileSync(good, Buffer.from(RELU_ONNX, 'base64'));
  const opened = await openOrtSession(good, { provider: 'cuda' });
  if (opened.provider === 'cuda') {
    assert.deepEqual(opened.fallbacks, []); // a machine with the CUDA provider installed
  } else {
    assert.equal(opened.provider, 'cpu');
    assert.equal(opened.fallbacks[0]?.provider, 'cuda');
    assert.ok((opened.fallbacks[0]?.reason.length ?? 0) > 0);
  }
  const { Tensor } = await import('onnxruntime-node');
  const out = await opened.session.run({ x: new Tensor('float32', new Float32Array([-1, 2]), [1, 2]) });
  assert.deepEqual(Array.from(out.y?.data as Float32Array), [0, 2]);
  await opened.session.release();

  const corrupt = path.join(dir, 'corrupt.onnx');
  fs.writeFileSync(corrupt, Buffer.from(RELU_ONNX, 'base64').subarray(0, 30));
  await assert.rejects(openOrtSession(corrupt, { provider: 'cpu' }), (e: Error) => e.message.includes(corrupt) && /30 bytes.*truncated or corrupt/.test(e.message));
});
