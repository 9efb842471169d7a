import assert from 'node:assert/strict';
import {
  analyzeAttention, attentionRollout, headSpread, laterKeyWeight, makeWeights, multiLayerAttention, residualAverage,
  rowEntropy, topKeys, type AttentionResult,
} from '../../../src/core';
import { fillGaussian } from '../../../src/core/random';
import { assertClose } from './helpers';

/** An AttentionResult holding the given weights [H][N][N] (output unused here). */
function result(weights: number[][][]): AttentionResult {
  const H = weights.length, n = weights[0].length;
  return { n, dModel: H, heads: H, dHead: 1, weights: Float32Array.from(weights.flat(2)), output: new Float32Array(n * H) };
}

describe('analysis', () => {
  it('gives a uniform row entropy ln N and sparsity 0', () => {
    const n = 7;
    const uniform = Array.from({ length: n }, () => Array<number>(n).fill(1 / n));
    const r = result([uniform]);
    assert.ok(Math.abs(rowEntropy(r.weights, 0, n) - Math.log(n)) < 1e-6);
    const { entropy, sparsity } = headSpread(r);
    assert.ok(Math.abs(entropy[0] - Math.log(n)) < 1e-6);
    assert.ok(Math.abs(sparsity[0]) < 1e-6);
  });

  it('gives one-hot rows entropy 0 and sparsity 1 − 1/N', () => {
    const eye = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]];
    const { entropy, sparsity } = headSpread(result([eye]));
    assert.equal(entropy[0], 0);
    assert.ok(Math.abs(sparsity[0] - 0.75) < 1e-7);
  });

  it('counts only visible keys under a causal mask and skips fully masked rows', () => {
    // Causal, each row uniform over the keys it sees: no concentration at all.
    const causalUniform = [[1, 0, 0], [0.5, 0.5, 0], [1 / 3, 1 / 3, 1 / 3]];
    const { entropy, sparsity } = headSpread(result([causalUniform]), { mask: 'causal' });
    assert.ok(Math.abs(entropy[0] - (0 + Math.log(2) + Math.log(3)) / 3) < 1e-6);
    assert.ok(Math.abs(sparsity[0]) < 1e-6, `sparsity ${sparsity[0]}`);
    // Row 0 sees no key (padding of key 0 under causal): left out.
    const masked = [[0, 0, 0], [0, 1, 0], [0, 0.5, 0.5]];
    const s = headSpread(result([masked]), { mask: 'causal', keyPadding: Uint8Array.from([0, 1, 1]) });
    assert.ok(Math.abs(s.entropy[0] - Math.log(2) / 2) < 1e-6);
  });

  it('finds the top keys per query, largest first, ties to the lower index', () => {
    const r = result([[[0.1, 0.4, 0.1, 0.4], [0.7, 0.1, 0.1, 0.1]], [[0.25, 0.25, 0.25, 0.25], [0, 0, 0, 1]]].map(
      (h) => [...h, [1, 0, 0, 0], [0, 0, 0, 1]],
    ));
    const top = topKeys(r, 2);
    assert.equal(top.k, 2);
    assert.deepEqual(Array.from(top.keys.subarray(0, 4)), [1, 3, 0, 1]);
    assert.deepEqual(Array.from(top.weights.subarray(0, 2)), [Math.fround(0.4), Math.fround(0.4)]);
    assert.deepEqual(Array.from(top.keys.subarray(8, 12)), [0, 1, 3, 0]);
    assert.equal(topKeys(r, 10).k, 4);
  });

  it('rolls attention out over two layers as computed by hand', () => {
    // Layer 1, two heads; mean = [[0.5, 0.5], [0.25, 0.75]]; + I and renormalised:
    // [[0.75, 0.25], [0.125, 0.875]].
    const l1 = result([[[1, 0], [0.5, 0.5]], [[0, 1], [0, 1]]]);
    // Layer 2, one head [[0, 1], [1, 0]]; + I and renormalised: [[0.5, 0.5], [0.5, 0.5]].
    const l2 = result([[[0, 1], [1, 0]]]);
    assertClose(residualAverage(l1), [0.75, 0.25, 0.125, 0.875], 1e-7, 'layer 1');
    // rollout = Â2 · Â1 = [[0.4375, 0.5625], [0.4375, 0.5625]]
    assertClose(attentionRollout([l1, l2]), [0.4375, 0.5625, 0.4375, 0.5625], 1e-7, 'rollout');
    // One layer: its own residual average.
    assertClose(attentionRollout([l1]), residualAverage(l1), 0, 'one layer');
  });

  it('rolls out a computed stack into rows that sum to one', () => {
    const n = 6, d = 8;
    const layers = [1, 2, 3].map((seed) => makeWeights({ dModel: d, seed }));
    const x = fillGaussian(new Float32Array(n * d), 4, 'x');
    const results = multiLayerAttention(x, n, layers, { heads: 2, mask: 'causal' });
    assert.equal(results.length, 3);
    const roll = attentionRollout(results);
    for (let i = 0; i < n; i++) {
      const row = Array.from(roll.subarray(i * n, (i + 1) * n));
      assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5);
      row.forEach((v, j) => j > i && assert.equal(v, 0)); // causal all the way through
    }
  });

  it('bundles the analyses', () => {
    const a = analyzeAttention(result([[[0.5, 0.5], [1, 0]]]), { topK: 1 });
    assert.equal(a.entropy.length, 1);
    assert.deepEqual(Array.from(a.top.keys), [0, 0]);
  });
});

describe('laterKeyWeight', () => {
  it('finds the first weight a query gives a later key, and nothing in causal attention', () => {
    // Two 3 × 3 matrices: the first causal, the second with query 1 looking at key 2.
    const w = Float32Array.from([
      1, 0, 0, 0.5, 0.5, 0, 0.2, 0.3, 0.5,
      1, 0, 0, 0.4, 0.5, 0.1, 0.2, 0.3, 0.5,
    ]);
    assert.deepEqual(laterKeyWeight(w, 3), { matrix: 1, query: 1, key: 2 });
    assert.equal(laterKeyWeight(w, 3, 0.2), undefined, 'below the tolerance');
    assert.equal(laterKeyWeight(w.subarray(0, 9), 3), undefined);
    assert.equal(laterKeyWeight(Float32Array.of(1), 1), undefined, 'one token');
  });
});
