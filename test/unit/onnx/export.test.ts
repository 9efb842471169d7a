import assert from 'node:assert/strict';
import { multiHeadAttention } from '../../../src/core';
import type { LayerWeights } from '../../../src/core/types';
import { exportAttentionModel } from '../../../src/onnx/export';
import { decodeModel, opsetVersion } from '../../../src/onnx/proto';
import type { OrtWorkerClient } from '../../../src/onnx/node/ortWorkerClient';
import { assertClose, distClient, fixtureText } from './ortHelpers';

interface LayerFixture {
  dModel: number; heads: number; n: number; x: number[];
  wq: number[]; wk: number[]; wv: number[]; wo: number[]; bq: number[]; bk: number[]; bv: number[]; bo: number[];
  cases: Record<'none' | 'causal', { weights: number[]; output: number[] }>;
}

function fixtureWeights(f: LayerFixture): LayerWeights {
  const a = (v: number[]) => Float32Array.from(v);
  return {
    dModel: f.dModel, wq: a(f.wq), wk: a(f.wk), wv: a(f.wv), wo: a(f.wo),
    bq: a(f.bq), bk: a(f.bk), bv: a(f.bv), bo: a(f.bo),
  };
}

/** Deterministic pseudo-random values in [-1, 1). */
function values(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let s = seed >>> 0;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

async function runExported(client: OrtWorkerClient, model: Uint8Array, x: Float32Array, n: number, d: number) {
  const { outputs } = await client.run(model, { x: { type: 'float32', dims: [1, n, d], data: x } }, ['attention_weights', 'output']);
  return { weights: outputs.attention_weights, output: outputs.output };
}

describe('onnx export of the attention layer', function () {
  this.timeout(60_000);
  let client: OrtWorkerClient;
  before(() => { client = distClient(); });
  after(() => client.dispose());

  const layer = JSON.parse(fixtureText('layer.json')) as LayerFixture;
  const w = fixtureWeights(layer);

  it('declares opset 17, input x [1, seq, d] and both outputs', () => {
    const model = decodeModel(exportAttentionModel(w, { heads: layer.heads, mask: 'causal' }));
    assert.equal(opsetVersion(model), 17);
    const dims = (name: string, list = model.graph?.output) =>
      list?.find((v) => v.name === name)?.type?.tensorType?.shape?.dim?.map((d) => d.dimParam || Number(d.dimValue));
    assert.deepEqual(dims('x', model.graph?.input), [1, 'seq', layer.dModel]);
    assert.deepEqual(dims('attention_weights'), [1, layer.heads, 'seq', 'seq']);
    assert.deepEqual(dims('output'), [1, 'seq', layer.dModel]);
    const ops = new Set(model.graph?.node?.map((n) => n.opType));
    for (const op of ops) assert.ok(!op.includes('Attention'), `standard operators only, found ${op}`);
  });

  for (const mask of ['none', 'causal'] as const) {
    it(`agrees with torch.nn.MultiheadAttention within 1e-5 (mask ${mask})`, async () => {
      const model = exportAttentionModel(w, { heads: layer.heads, mask });
      const got = await runExported(client, model, Float32Array.from(layer.x), layer.n, layer.dModel);
      assert.deepEqual(got.weights.dims, [1, layer.heads, layer.n, layer.n]);
      assert.deepEqual(got.output.dims, [1, layer.n, layer.dModel]);
      assertClose(got.weights.data as Float32Array, layer.cases[mask].weights, 1e-5, 'weights');
      assertClose(got.output.data as Float32Array, layer.cases[mask].output, 1e-5, 'output');
    });

    it(`agrees with the core within 1e-5 at two sequence lengths (mask ${mask})`, async () => {
      const d = 32;
      const heads = 4;
      const weights: LayerWeights = {
        dModel: d, wq: values(d * d, 1), wk: values(d * d, 2), wv: values(d * d, 3), wo: values(d * d, 4),
        bq: values(d, 5), bk: values(d, 6), bv: values(d, 7), bo: values(d, 8),
      };
      for (const v of [weights.wq, weights.wk, weights.wv, weights.wo]) v.forEach((e, i) => (v[i] = e / Math.sqrt(d)));
      // One model, two lengths: the sequence axis and the causal mask must both follow N.
      const model = exportAttentionModel(weights, { heads, mask });
      for (const n of [1, 9, 33]) {
        const x = values(n * d, 100 + n);
        const got = await runExported(client, model, x, n, d);
        const want = multiHeadAttention(x, n, weights, { heads, mask });
        assert.deepEqual(got.weights.dims, [1, heads, n, n]);
        assertClose(got.weights.data as Float32Array, want.weights, 1e-5, `weights at N=${n}`);
        assertClose(got.output.data as Float32Array, want.output, 1e-5, `output at N=${n}`);
      }
    });
  }

  it('rejects weights whose d_model does not split into the heads', () => {
    assert.throws(() => exportAttentionModel(w, { heads: 3, mask: 'none' }), RangeError);
  });
});
