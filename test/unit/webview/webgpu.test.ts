// The WebGPU gate: when the panel tries WebGPU and when it tells the host to run WASM instead,
// and the shape check on the panel's answer.
import assert from 'node:assert/strict';
import { isFromWebview } from '../../../src/shared/protocol';
import { GPU_WITHOUT_ADAPTER, adapterName, probeWebGpu, type GpuLike } from '../../../src/shared/webgpu';

const gpuWith = (info: { vendor?: string; architecture?: string; description?: string }): GpuLike => ({
  requestAdapter: () => Promise.resolve({ info }),
});

describe('WebGPU probe', () => {
  it('falls back when the browser has no navigator.gpu', async () => {
    assert.deepEqual(await probeWebGpu(undefined), { ok: false, reason: 'no-webgpu' });
  });

  it('falls back when requestAdapter() finds no adapter', async () => {
    assert.deepEqual(await probeWebGpu(GPU_WITHOUT_ADAPTER), { ok: false, reason: 'no-adapter' });
  });

  it('falls back, with the message, when requestAdapter() throws', async () => {
    const broken: GpuLike = { requestAdapter: () => Promise.reject(new Error('GPU process crashed')) };
    assert.deepEqual(await probeWebGpu(broken), { ok: false, reason: 'failed', detail: 'GPU process crashed' });
  });

  it('runs on an adapter and names it', async () => {
    assert.deepEqual(await probeWebGpu(gpuWith({ vendor: 'google', architecture: 'swiftshader', description: '' })), {
      ok: true,
      adapter: 'google swiftshader',
    });
  });

  it('names adapters that tell little or nothing', () => {
    assert.equal(adapterName(undefined), '');
    assert.equal(adapterName({}), '');
    assert.equal(adapterName({ vendor: '', architecture: '', description: 'Some GPU' }), 'Some GPU');
    assert.equal(adapterName({ vendor: 'x'.repeat(200) }).length, 80);
  });
});

describe('onnxReply messages', () => {
  it('accepts weights or a reason to fall back', () => {
    for (const ok of [
      { type: 'onnxReply', requestId: 1, weights: new Float32Array(4), elapsedMs: 12.5, adapter: 'google swiftshader' },
      { type: 'onnxReply', requestId: 2, fallback: 'no-adapter' },
      { type: 'onnxReply', requestId: 3, fallback: 'failed', detail: 'session failed' },
    ]) {
      assert.equal(isFromWebview(ok), true, JSON.stringify(ok));
    }
  });

  it('rejects malformed ones', () => {
    for (const bad of [
      { type: 'onnxReply', requestId: 1 }, // neither weights nor a reason
      { type: 'onnxReply', requestId: 1, weights: new Float32Array(4), fallback: 'failed' }, // both
      { type: 'onnxReply', requestId: 1, weights: [0.5, 0.5] }, // JSON numbers, not a typed array
      { type: 'onnxReply', requestId: 1, weights: new Float64Array(4) },
      { type: 'onnxReply', requestId: 1, fallback: 'tired' },
      { type: 'onnxReply', requestId: -1, fallback: 'no-adapter' },
      { type: 'onnxReply', requestId: 1, weights: new Float32Array(4), elapsedMs: Number.NaN },
      { type: 'onnxReply', requestId: 1, fallback: 'failed', detail: 'x'.repeat(3_000) },
    ]) {
      assert.equal(isFromWebview(bad), false, JSON.stringify(bad));
    }
  });
});
