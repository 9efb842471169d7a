// The matrices the explorer's views draw: heads, aggregates, rollout, filters, hidden tokens,
// differences and per-head summaries, on small cases worked out by hand.
import assert from 'node:assert/strict';
import { scaleIndex, matrixPixels, LUT_SIZE, viridisLut } from '../../../webview/colormap';
import {
  absMaxOf, aggregateHeads, chosenMatrix, difference, filterMatrix, headMatrix, headOrder, headStats, keptTokens,
  poolMax, prepare, rolloutMatrix, subMatrix,
} from '../../../webview/viewData';

/** Two layers × two heads over two tokens, rows summing to 1. */
const seq = {
  layers: 2,
  heads: 2,
  n: 2,
  // layer 0: head 0 identity, head 1 uniform; layer 1: head 0 all on key 0, head 1 all on key 1
  weights: Float32Array.from([1, 0, 0, 1, 0.5, 0.5, 0.5, 0.5, 1, 0, 1, 0, 0, 1, 0, 1]),
  tokens: ['[CLS]', 'a'],
  special: Uint8Array.from([1, 0]),
};

describe('explorer view data', () => {
  it('takes one head as a view into [L][H][N][N], without copying', () => {
    const h = headMatrix(seq, 1, 1);
    assert.deepEqual([...h], [0, 1, 0, 1]);
    assert.equal(h.buffer, seq.weights.buffer);
  });

  it('aggregates the heads of a layer by mean and by maximum', () => {
    assert.deepEqual([...aggregateHeads(seq, 0, 'mean')], [0.75, 0.25, 0.25, 0.75]);
    assert.deepEqual([...aggregateHeads(seq, 0, 'max')], [1, 0.5, 0.5, 1]);
    assert.deepEqual([...chosenMatrix(seq, { layer: 1, head: 0, aggregate: 'none', rollout: false })], [1, 0, 1, 0]);
  });

  it('rolls attention out through the layers with the residual added', () => {
    // Layer 0: mean + I → [[1.75, .25], [.25, 1.75]] / 2; layer 1: mean [[.5,.5],[.5,.5]] + I → [[.75,.25],[.25,.75]].
    const r = rolloutMatrix(seq);
    const l0 = [0.875, 0.125, 0.125, 0.875];
    const l1 = [0.75, 0.25, 0.25, 0.75];
    const expected = [l1[0] * l0[0] + l1[1] * l0[2], l1[0] * l0[1] + l1[1] * l0[3], l1[2] * l0[0] + l1[3] * l0[2], l1[2] * l0[1] + l1[3] * l0[3]];
    r.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-6, `${v} vs ${expected[i]}`));
    assert.deepEqual([...chosenMatrix(seq, { layer: 0, head: 0, aggregate: 'none', rollout: true })], [...r]);
  });

  it('filters by threshold and top-k per row, and returns the matrix itself when nothing filters', () => {
    const m = Float32Array.from([0.1, 0.6, 0.3, 0.2, 0.2, 0.6, 0.5, 0.25, 0.25]);
    assert.equal(filterMatrix(m, 3, 0, 0), m);
    assert.equal(filterMatrix(m, 3, 0, 3), m, 'top-k of all keys keeps everything');
    assert.deepEqual([...filterMatrix(m, 3, 0.25, 0)], [0, 0.6, 0.3, 0, 0, 0.6, 0.5, 0.25, 0.25].map(Math.fround));
    const top1 = filterMatrix(m, 3, 0, 1);
    assert.deepEqual([...top1].map((v) => Math.fround(v)), [0, 0.6, 0, 0, 0, 0.6, 0.5, 0, 0].map(Math.fround));
    // Ties at the cut are kept: the last row has two weights of 0.25 in second place.
    assert.equal([...filterMatrix(m, 3, 0, 2)].slice(6).filter((v) => v > 0).length, 3);
  });

  it('hides special tokens by taking rows and columns of the kept ones', () => {
    assert.equal(keptTokens(seq.special, false), undefined);
    assert.equal(keptTokens(new Uint8Array(2), true), undefined, 'nothing special, nothing to hide');
    assert.deepEqual([...(keptTokens(seq.special, true) ?? [])], [1]);
    assert.deepEqual([...subMatrix(Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]), 3, Int32Array.from([0, 2]))], [1, 3, 7, 9]);
    const p = prepare(seq, headMatrix(seq, 0, 1), { threshold: 0, topK: 0, hideSpecial: true });
    assert.deepEqual(p.tokens, ['a']);
    assert.deepEqual([...p.index], [1]);
    assert.deepEqual([...p.m], [0.5]);
  });

  it('subtracts matrices of one size and refuses two sizes', () => {
    assert.deepEqual([...difference(Float32Array.from([1, 0.5]), Float32Array.from([0.25, 1]))], [0.75, -0.5]);
    assert.throws(() => difference(new Float32Array(4), new Float32Array(9)), RangeError);
    assert.equal(absMaxOf(Float32Array.from([0.2, -0.7, -Infinity, NaN])), Math.fround(0.7));
  });

  it('summarises heads: a one-hot head has entropy 0, a uniform head ln N, and sorts by them', () => {
    const stats = headStats(seq, false);
    assert.equal(stats.entropy[0], 0);
    assert.ok(Math.abs(stats.entropy[1] - Math.LN2) < 1e-6);
    assert.ok(stats.sparsity[0] > 0.49 && stats.sparsity[1] < 1e-6);
    assert.deepEqual([...stats.max], [1, 0.5, 1, 1]);
    assert.deepEqual(headOrder(stats, 0, 2, 'entropy'), [1, 0]);
    assert.deepEqual(headOrder(stats, 0, 2, 'layer'), [0, 1]);
    assert.deepEqual(headOrder(stats, 0, 2, 'max'), [0, 1]);
  });

  it('shrinks a matrix for thumbnails by block maximum, so a single bright cell survives', () => {
    const m = new Float32Array(16);
    m[5] = 1; // row 1, column 1
    assert.deepEqual([...poolMax(m, 4, 2).m], [1, 0, 0, 0]);
    assert.equal(poolMax(m, 4, 8).m, m);
  });

  it('maps weights to viridis and differences to a diverging map centred on white', () => {
    const px = new Uint8ClampedArray(8);
    matrixPixels(Float32Array.from([0, 2]), { kind: 'sequential', max: 2 }, px);
    assert.deepEqual([...px.subarray(0, 3)], [...viridisLut.subarray(0, 3)]);
    assert.deepEqual([...px.subarray(4, 7)], [...viridisLut.subarray((LUT_SIZE - 1) * 3)]);
    assert.equal(px[3], 255);
    const diverging = { kind: 'diverging' as const, max: 1 };
    assert.equal(scaleIndex(-1, diverging), 0);
    assert.equal(scaleIndex(1, diverging), LUT_SIZE - 1);
    assert.equal(scaleIndex(0, diverging), Math.round((LUT_SIZE - 1) / 2));
    // NaN and −∞ (masked scores) take the lowest colour of a weight map, not a bright one.
    matrixPixels(Float32Array.from([NaN, -Infinity]), { kind: 'sequential', max: 1 }, px);
    assert.deepEqual([...px.subarray(0, 3)], [...viridisLut.subarray(0, 3)]);
    assert.deepEqual([...px.subarray(4, 7)], [...viridisLut.subarray(0, 3)]);
  });
});
