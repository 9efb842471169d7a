// The one description of the built-in layer: what buildLayer makes of text, a matrix and ids,
// and that the heads and the steps of one spec are computed from the same layer.
import assert from 'node:assert/strict';
import {
  buildLayer, embedTokens, inputOf, layerSpec, layerSteps, multiHeadAttention, runLayer, tokenizeText, type LayerInput,
} from '../../../src/core';

const base = layerSpec({ heads: 2, dModel: 8, seed: 42 });

/** Head h of an [H][N][N] array. */
function head(w: Float32Array, n: number, h: number): Float32Array {
  return w.subarray(h * n * n, (h + 1) * n * n);
}

describe('the built-in layer (buildLayer, runLayer, layerSteps)', () => {
  it('a matrix of the embeddings gives the same weights as the text they came from', () => {
    const text = '我喜欢吃苹果';
    const x = embedTokens(tokenizeText(text), { dModel: 8, seed: 42 }); // [6, 8]
    const rows = Array.from({ length: 6 }, (_, i) => Array.from(x.subarray(i * 8, (i + 1) * 8)).join(' ')).join('\n');
    const fromText = runLayer({ kind: 'text', text }, base);
    const fromMatrix = runLayer(inputOf(rows), { ...base, dModel: 999 });
    assert.equal(fromMatrix.layer.spec.dModel, 8, 'a matrix brings its own width');
    assert.deepEqual(fromMatrix.result.weights, fromText.result.weights);
    assert.deepEqual(fromMatrix.layer.tokens.map((t) => t.text), ['#1', '#2', '#3', '#4', '#5', '#6']);
  });

  it('scale defaults to on, and off gives sharper rows of the same layer', () => {
    const input: LayerInput = { kind: 'text', text: 'the cat sat on the mat' };
    const scaled = runLayer(input, base).result;
    const unscaled = runLayer(input, { ...base, scale: false }).result;
    assert.notDeepEqual(unscaled.weights, scaled.weights);
    const maxOf = (w: Float32Array) => w.reduce((m, v) => Math.max(m, v), 0);
    assert.ok(maxOf(unscaled.weights) > maxOf(scaled.weights));
    for (let r = 0; r < unscaled.heads * unscaled.n; r++) {
      const sum = unscaled.weights.subarray(r * unscaled.n, (r + 1) * unscaled.n).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - 1) < 1e-5);
    }
  });

  it('reports a matrix whose width the heads do not divide, and empty text', () => {
    assert.throws(() => buildLayer(inputOf('1 2 3\n4 5 6'), base), { code: 'heads' });
    assert.throws(() => buildLayer({ kind: 'text', text: '   ' }, base), { code: 'empty' });
    assert.throws(() => buildLayer({ kind: 'ids', ids: [] }, base), { code: 'empty' });
  });

  it('steps of every head equal the heads of the run, for random and identity weights, text and matrix', () => {
    const inputs: LayerInput[] = [
      { kind: 'text', text: 'the cat sat on the mat' },
      inputOf('1 0 0 1\n0 1 1 0\n1 1 0 0\n0.5 -1 2 0'),
      { kind: 'ids', ids: [5, 9, 5, 2] },
    ];
    for (const input of inputs) {
      for (const init of ['random', 'identity'] as const) {
        for (const mask of ['none', 'causal'] as const) {
          const spec = { ...base, init, mask };
          const { layer, result } = runLayer(input, spec);
          for (let h = 0; h < spec.heads; h++) {
            const { steps } = layerSteps(input, spec, h);
            assert.equal(steps.n, layer.n, `${input.kind} has ${layer.n} tokens in the steps too`);
            assert.deepEqual(steps.weights, head(result.weights, layer.n, h), `${input.kind} ${init} ${mask} head ${h}`);
          }
        }
      }
    }
  });

  it('identity weights make the scores plain dot products of the embeddings', () => {
    const input = inputOf('1 0\n0 1\n1 1');
    const { layer } = layerSteps(input, { ...base, heads: 1, init: 'identity', scale: false }, 0);
    const { steps } = layerSteps(input, { ...base, heads: 1, init: 'identity', scale: false }, 0);
    // x = [[1,0],[0,1],[1,1]]: x·xᵀ row 2 = [1, 1, 2]
    assert.deepEqual(Array.from(steps.scores.subarray(6, 9)), [1, 1, 2]);
    assert.deepEqual(Array.from(layer.x), [1, 0, 0, 1, 1, 1]);
  });

  it('ids are embedded by id: the same id, the same vector', () => {
    const { layer } = runLayer({ kind: 'ids', ids: [7, 3, 7] }, { ...base, positions: false });
    assert.deepEqual(layer.x.subarray(0, 8), layer.x.subarray(16, 24));
    assert.notDeepEqual(layer.x.subarray(0, 8), layer.x.subarray(8, 16));
    const direct = multiHeadAttention(layer.x, 3, layer.weights, layer.options);
    assert.deepEqual(direct.weights, runLayer({ kind: 'ids', ids: [7, 3, 7] }, { ...base, positions: false }).result.weights);
  });
});
