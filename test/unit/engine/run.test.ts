// The one engine entry point: which engine a request gets, that the core runs inline where no
// worker is lent, and that runs too large to hand back are kept where the caller can keep them.
import assert from 'node:assert/strict';
import { layerSpec, runLayer, type LayerInput } from '../../../src/core';
import { DENSE_WEIGHT_BYTES, pickEngine, runAttention, type EngineEnv, type KeptWeights, type LayerRequest } from '../../../src/engine/run';

const noOrt = (): never => {
  throw new Error('onnxruntime is not needed here');
};

function request(engine: LayerRequest['engine'], heads = 12, dModel = 768): LayerRequest {
  return { kind: 'layer', input: { kind: 'text', text: 'x' }, spec: layerSpec({ heads, dModel }), engine };
}

describe('runAttention and pickEngine', () => {
  it('auto picks the core for small layers and onnxruntime for wide ones, as the policy says', () => {
    assert.deepEqual(pickEngine(request('auto', 4, 64), 6, 2), { engine: 'core', threads: 1 });
    assert.deepEqual(pickEngine(request('auto'), 512, 2), { engine: 'onnx-wasm', threads: 2 });
    assert.deepEqual(pickEngine(request('onnx-webgpu'), 6, 8), { engine: 'onnx-webgpu', threads: 4 });
  });

  it('auto keeps runs too large to hand back on the core, and an ONNX engine refuses them with the size', () => {
    const n = Math.ceil(Math.sqrt(DENSE_WEIGHT_BYTES / (12 * 4))) + 1;
    assert.equal(pickEngine(request('auto'), n, 2).engine, 'core');
    assert.equal(pickEngine(request('onnx-wasm'), n, 2).engine, 'onnx-wasm', 'under 4 GB onnxruntime can still return them');
    assert.throws(() => pickEngine(request('onnx-wasm'), 16384, 2), /12 heads × 16384² tokens take 12\.0 GB .*engine "core" or "auto"/);
  });

  it('runs the core inline where no worker is lent, with the same weights as runLayer', async () => {
    const input: LayerInput = { kind: 'text', text: '我喜欢吃苹果' };
    const spec = layerSpec({ heads: 2, dModel: 8, init: 'identity' });
    const run = await runAttention({ kind: 'layer', input, spec, engine: 'core' }, { cores: 2, ort: noOrt });
    assert.equal(run.backend, 'core');
    assert.equal(run.n, 6);
    assert.deepEqual(run.weights, runLayer(input, spec).result.weights);
    assert.deepEqual(run.layer?.spec, spec, 'the run carries the request that made it, for step by step');
  });

  it('keeps a run over the dense limit where the caller can keep it, and hands back no weights', async () => {
    const text = Array.from({ length: 3000 }, (_, i) => '我喜欢吃苹果'[i % 6]).join('');
    const spec = layerSpec({ heads: 8, dModel: 16 }); // 8 × 3000² × 4 bytes = 288 MB
    const kept: KeptWeights = { tile: () => Promise.reject(new Error('unused')), stats: () => Promise.reject(new Error('unused')), release: () => undefined };
    let asked = 0;
    const env: EngineEnv = {
      cores: 2,
      ort: noOrt,
      core: () => Promise.reject(new Error('the dense core must not run')),
      keep: async (input) => {
        asked++;
        assert.equal(input.kind, 'text');
        return { tokens: Array.from({ length: 3000 }, () => ({ text: 'x', start: 0, end: 1 })), heads: 8, n: 3000, kept };
      },
    };
    const run = await runAttention({ kind: 'layer', input: { kind: 'text', text }, spec, engine: 'auto' }, env);
    assert.equal(asked, 1);
    assert.equal(run.kept, kept);
    assert.equal(run.weights.length, 0);
    assert.match(run.backend, /blockwise/);
  });
});

describe('runAttention refuses what cannot be computed, the same way on every engine', () => {
  const allow = 'the setting attentionExplorer.maxMemoryMegabytes';

  it('refuses a run estimated past the memory limit before it starts, naming the size and what raises it', async () => {
    const text = Array.from({ length: 4000 }, (_, i) => '我喜欢吃苹果'[i % 6]).join('');
    const request: LayerRequest = { kind: 'layer', input: { kind: 'text', text }, spec: layerSpec({ heads: 12, dModel: 64 }), engine: 'core' };
    const env: EngineEnv = { cores: 2, ort: noOrt, maxMemory: { bytes: 64 * 2 ** 20, allow } };
    await assert.rejects(runAttention(request, env), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'too-large');
      assert.match(e.message, /4000 tokens × 12 heads × 1 layer, d_model 64 need about 1\.4 GB, more than the limit of 64 MB; the setting attentionExplorer\.maxMemoryMegabytes allows more/);
      return true;
    });
  });

  it('counts a run kept blockwise by what it keeps (N · d_model), not by every weight', async () => {
    const text = Array.from({ length: 3000 }, (_, i) => '我喜欢吃苹果'[i % 6]).join('');
    const request: LayerRequest = { kind: 'layer', input: { kind: 'text', text }, spec: layerSpec({ heads: 8, dModel: 16 }), engine: 'auto' };
    const kept: KeptWeights = { tile: () => Promise.reject(new Error('unused')), stats: () => Promise.reject(new Error('unused')), release: () => undefined };
    const keep: EngineEnv['keep'] = async () => ({ tokens: [], heads: 8, n: 3000, kept });
    // 288 MB of weights, but only a few MB kept: within a 64 MB limit.
    const run = await runAttention(request, { cores: 2, ort: noOrt, keep, maxMemory: { bytes: 64 * 2 ** 20, allow } });
    assert.equal(run.kept, kept);
    // Without a way to keep it, every weight would be made: refused.
    await assert.rejects(runAttention(request, { cores: 2, ort: noOrt, maxMemory: { bytes: 64 * 2 ** 20, allow } }), /more than the limit of 64 MB/);
  });

  it('names the sequence and the query whose scores overflow float32', async () => {
    const rows = ['1 0 0 0', '1e30 1e30 1e30 1e30', '0 1 0 0'].join('\n');
    const request: LayerRequest = { kind: 'layer', input: { kind: 'matrix', text: rows }, spec: layerSpec({ heads: 2, init: 'identity' }), engine: 'core', sequence: 3 };
    await assert.rejects(runAttention(request, { cores: 2, ort: noOrt }), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'overflow');
      assert.match(e.message, /^sequence 3, query 2 \(head 1\): its score for key \d overflows float32/);
      return true;
    });
  });
});
