import assert from 'node:assert/strict';
import { makeWeights, multiHeadAttention } from '../../../src/core';
import { runCaseOnnx } from '../../../src/onnx/node/runCase';
import type { OrtWorkerClient } from '../../../src/onnx/node/ortWorkerClient';
import { assertClose, distClient } from './ortHelpers';

describe('runCaseOnnx', function () {
  this.timeout(60_000);
  let client: OrtWorkerClient;
  before(() => { client = distClient(); });
  after(() => client.dispose());

  it('returns the core’s result shape and values', async () => {
    const n = 6;
    const w = makeWeights({ dModel: 24, seed: 3 });
    const x = new Float32Array(n * 24).map((_, i) => Math.cos(i));
    const got = await runCaseOnnx(x, n, w, { heads: 3, mask: 'causal', client });
    const want = multiHeadAttention(x, n, w, { heads: 3, mask: 'causal' });
    assert.deepEqual([got.n, got.dModel, got.heads, got.dHead], [want.n, want.dModel, want.heads, want.dHead]);
    assertClose(got.weights, want.weights, 1e-5, 'weights');
    assertClose(got.output, want.output, 1e-5, 'output');
  });

  it('rejects x of the wrong length before starting any work', async () => {
    const w = makeWeights({ dModel: 8, seed: 1 });
    await assert.rejects(runCaseOnnx(new Float32Array(10), 2, w, { heads: 2, mask: 'none', client }), RangeError);
  });
});
