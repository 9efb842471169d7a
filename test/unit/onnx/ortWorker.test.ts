import assert from 'node:assert/strict';
import { identityWeights } from '../../../src/core';
import { OnnxCancelledError, OnnxRuntimeError } from '../../../src/onnx/errors';
import { exportAttentionModel } from '../../../src/onnx/export';
import type { OrtWorkerClient } from '../../../src/onnx/node/ortWorkerClient';
import { distClient } from './ortHelpers';

function input(n: number, d: number) {
  const data = new Float32Array(n * d).map((_, i) => Math.sin(i));
  return { x: { type: 'float32' as const, dims: [1, n, d], data } };
}

describe('onnxruntime worker', function () {
  this.timeout(60_000);
  let client: OrtWorkerClient;
  beforeEach(() => { client = distClient(); });
  afterEach(() => client.dispose());

  it('reports the session inputs and outputs and releases it', async () => {
    const session = await client.load(exportAttentionModel(identityWeights(8), { heads: 2, mask: 'none' }));
    assert.deepEqual(session.inputNames, ['x']);
    assert.deepEqual(session.outputNames, ['attention_weights', 'output']);
    await session.release();
  });

  it('gives the same result with 1 and 2 threads and leaves the caller’s input intact', async () => {
    const model = exportAttentionModel(identityWeights(16), { heads: 4, mask: 'causal' });
    const feeds = input(40, 16);
    const one = await client.run(model, feeds, ['output'], { threads: 1 });
    const two = await client.run(model, feeds, ['output'], { threads: 2 });
    assert.equal(feeds.x.data.length, 40 * 16, 'input buffer still usable');
    assert.deepEqual(two.outputs.output.dims, [1, 40, 16]);
    const a = one.outputs.output.data as Float32Array;
    const b = two.outputs.output.data as Float32Array;
    for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) < 1e-5);
  });

  it('cancels a run by terminating its worker, then starts a fresh one', async () => {
    const d = 64;
    const model = exportAttentionModel(identityWeights(d), { heads: 4, mask: 'none' });
    const session = await client.load(model);
    const controller = new AbortController();
    const run = session.run(input(1024, d), ['attention_weights'], controller.signal);
    setTimeout(() => controller.abort(), 5);
    await assert.rejects(run, OnnxCancelledError);
    await assert.rejects(session.run(input(4, d), ['output']), OnnxCancelledError, 'a cancelled worker takes its sessions with it');
    const again = await client.run(model, input(4, d), ['output']);
    assert.deepEqual(again.outputs.output.dims, [1, 4, d]);
  });

  it('rejects an already aborted signal without starting work', async () => {
    const controller = new AbortController();
    controller.abort();
    const model = exportAttentionModel(identityWeights(8), { heads: 2, mask: 'none' });
    await assert.rejects(client.run(model, input(2, 8), ['output'], { signal: controller.signal }), OnnxCancelledError);
  });

  it('hands a whole model buffer over only when asked, and never a view into a larger one', async () => {
    const model = exportAttentionModel(identityWeights(8), { heads: 2, mask: 'none' });
    await client.run(model, input(2, 8), ['output']);
    assert.ok(model.byteLength > 0, 'copied by default');
    const padded = new Uint8Array(model.length + 16);
    padded.set(model, 8);
    await client.run(padded.subarray(8, 8 + model.length), input(2, 8), ['output'], { transferModel: true });
    assert.equal(padded.byteLength, model.length + 16, 'a view is copied, its buffer stays usable');
    await client.run(model, input(2, 8), ['output'], { transferModel: true });
    assert.equal(model.byteLength, 0, 'transferred');
  });

  it('turns onnxruntime failures into OnnxRuntimeError', async () => {
    await assert.rejects(client.load(new Uint8Array([1, 2, 3, 4])), OnnxRuntimeError);
    const model = exportAttentionModel(identityWeights(8), { heads: 2, mask: 'none' });
    await assert.rejects(client.run(model, input(3, 5), ['output']), OnnxRuntimeError, 'wrong d_model');
  });
});
