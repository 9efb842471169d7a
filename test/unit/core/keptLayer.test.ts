// A layer kept blockwise answers every tile and summary the way weights held in full do: the
// overview pooled in the computing pass, rebuilt windows, the heads' mean and maximum, filters,
// and entropy / sparsity / largest weight per head.
import assert from 'node:assert/strict';
import { buildLayer, layerSpec, multiHeadAttention, type LayerInput } from '../../../src/core';
import { joinKept, keepLayer, keepRows, keptStats, keptTile } from '../../../src/core/keptLayer';
import { fullWindow } from '../../../src/core/tiles';
import { headStats, heldTile } from '../../../src/shared/matrices';

const NO_FILTERS = { threshold: 0, topK: 0, hideSpecial: false };

function setup(text: string, mask: 'none' | 'causal', overview: number) {
  const input: LayerInput = { kind: 'text', text };
  const layer = buildLayer(input, layerSpec({ heads: 3, dModel: 12, seed: 5, mask }));
  const dense = multiHeadAttention(layer.x, layer.n, layer.weights, layer.options);
  const held = { layers: 1, heads: 3, n: layer.n, weights: dense.weights, special: new Uint8Array(layer.n) };
  const kept = keepLayer(layer.x, layer.n, layer.weights, layer.options, overview);
  return { n: layer.n, held, kept };
}

const TEXT = Array.from({ length: 150 }, (_, i) => '我喜欢吃苹果今天天气很好'[i % 12]).join('');

describe('a layer kept blockwise (keepLayer, keptTile)', () => {
  for (const mask of ['none', 'causal'] as const) {
    it(`pools every head's overview in the computing pass (${mask})`, () => {
      const { n, held, kept } = setup(TEXT, mask, 32);
      assert.equal(kept.overview, 32);
      for (let h = 0; h < 3; h++) {
        const choice = { layer: 0, head: h, aggregate: 'none' as const, rollout: false };
        const want = heldTile(held, choice, NO_FILTERS, fullWindow(n), 32, 32);
        const got = keptTile(kept, { head: h, aggregate: 'none' }, NO_FILTERS, fullWindow(n), 32, 32);
        assert.equal(got.tile, kept.overviews[h], 'the overview is answered as kept');
        assert.deepEqual(got.tile.max, want.tile.max);
        assert.deepEqual(got.tile.mean, want.tile.mean);
        assert.equal(got.peak, want.peak);
      }
    });

    it(`rebuilds windows, filtered rows and the heads' mean and maximum exactly (${mask})`, () => {
      const { n, held, kept } = setup(TEXT, mask, 32);
      const windows = [{ q0: 10, q1: 40, k0: 0, k1: 30 }, { q0: 100, q1: 150, k0: 90, k1: 150 }, fullWindow(n)];
      const filters = [NO_FILTERS, { threshold: 0.01, topK: 0, hideSpecial: false }, { threshold: 0, topK: 5, hideSpecial: false }];
      for (const w of windows) {
        for (const f of filters) {
          for (const aggregate of ['none', 'mean', 'max'] as const) {
            const want = heldTile(held, { layer: 0, head: 1, aggregate, rollout: false }, f, w, 20, 20);
            const got = keptTile(kept, { head: 1, aggregate }, f, w, 20, 20);
            const what = `${JSON.stringify(w)} ${JSON.stringify(f)} ${aggregate}`;
            assert.deepEqual(got.tile.max, want.tile.max, what);
            assert.deepEqual(got.tile.mean, want.tile.mean, what);
            assert.equal(got.tile.exact, want.tile.exact, what);
          }
        }
      }
    });

    it(`summarises every head as the panel does for weights it holds (${mask})`, () => {
      const { held, kept } = setup(TEXT, mask, 16);
      const want = headStats(held, mask === 'causal');
      assert.equal(kept.spread, undefined, 'gathered only when asked for');
      const got = keptStats(kept);
      assert.deepEqual(got.entropy, want.entropy);
      assert.deepEqual(got.sparsity, want.sparsity);
      assert.deepEqual(got.max, want.max);
      assert.equal(keptStats(kept).entropy, got.entropy, 'and kept');
    });
  }

  it('keeps far less than every weight: O(N · d_model), not heads × N²', () => {
    const text = Array.from({ length: 2048 }, (_, i) => 'abcdefghij'[i % 10]).join(' ');
    const layer = buildLayer({ kind: 'text', text }, layerSpec({ heads: 4, dModel: 16, seed: 1 }));
    const kept = keepLayer(layer.x, layer.n, layer.weights, layer.options, 64);
    const arrays = [kept.layer.q, kept.layer.k, kept.layer.v, kept.layer.rowMax, kept.layer.rowSum, kept.layer.output, kept.peaks,
      ...kept.overviews.flatMap((t) => [t.max, t.mean])];
    const bytes = arrays.reduce((sum, a) => sum + a.byteLength, 0);
    const dense = 4 * layer.n * layer.n * 4;
    assert.ok(bytes * 20 < dense, `${bytes} bytes kept against ${dense} for every weight`);
  });

  it('slices of the queries computed apart (as threads do) join into the same kept layer', () => {
    const layer = buildLayer({ kind: 'text', text: TEXT }, layerSpec({ heads: 3, dModel: 12, seed: 5, mask: 'causal' }));
    const whole = keepLayer(layer.x, layer.n, layer.weights, layer.options, 32);
    const cuts = [0, 37, 38, 150];
    const parts = cuts.slice(1).map((end, i) => keepRows(layer.x, layer.n, layer.weights, layer.options, 32, [cuts[i], end]));
    const joined = joinKept(parts.reverse());
    assert.deepEqual(joined.overviews, whole.overviews);
    assert.deepEqual(joined.peaks, whole.peaks);
    assert.deepEqual(joined.layer.rowMax, whole.layer.rowMax);
    assert.deepEqual(joined.layer.rowSum, whole.layer.rowSum);
    assert.deepEqual(joined.layer.output, whole.layer.output);
    assert.throws(() => joinKept([parts[0], parts[0]]), /gap or overlap|twice/);
  });

  it('one token: a 1 × 1 overview holding weight 1', () => {
    const layer = buildLayer({ kind: 'text', text: '我' }, layerSpec({ heads: 2, dModel: 4, seed: 1 }));
    const kept = keepLayer(layer.x, layer.n, layer.weights, layer.options, 256);
    assert.equal(kept.overview, 1);
    assert.deepEqual(Array.from(kept.overviews[0].max), [1]);
    assert.equal(keptTile(kept, { head: 1, aggregate: 'none' }, NO_FILTERS, fullWindow(1), 256, 256).tile.exact, true);
  });

  it('refuses a head that does not exist', () => {
    const { n, kept } = setup('the cat sat', 'none', 8);
    assert.throws(() => keptTile(kept, { head: 3, aggregate: 'none' }, NO_FILTERS, fullWindow(n), 4, 4), /no head 4/);
  });
});
