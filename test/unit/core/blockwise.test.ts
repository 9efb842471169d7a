// The blockwise path against the dense one: weights rebuilt from the row statistics, the output,
// tiles against pooling the dense head, slices of rows, the numeric edges, and its memory.
import assert from 'node:assert/strict';
import {
  blockwiseAttention, headTile, identityWeights, InputError, joinRows, makeWeights, multiHeadAttention, setKernel,
  weightsRows, type AttentionOptions, type BlockwiseLayer, type KernelKind,
} from '../../../src/core';
import { filterMatrix } from '../../../webview/viewData';
import { poolWindow } from '../../../src/core/pooling';
import { assertClose, assertCloseRelative, randomInput, withBiases } from './helpers';
import { naiveAttention } from './naive';

/** Every head's weights of the computed rows, rebuilt: [H, N, N]. */
function allWeights(layer: BlockwiseLayer): Float32Array {
  const { n, heads } = layer;
  const out = new Float32Array(heads * n * n);
  for (let h = 0; h < heads; h++) out.set(weightsRows(layer, h, 0, n), h * n * n);
  return out;
}

/** Keys 0, 3, 6, … are padding. */
const padding = (n: number) => Uint8Array.from({ length: n }, (_, j) => (j % 3 === 0 ? 0 : 1));

const maskCases: { name: string; opts: (heads: number, n: number) => AttentionOptions }[] = [
  { name: 'none', opts: (heads) => ({ heads, mask: 'none' }) },
  { name: 'causal', opts: (heads) => ({ heads, mask: 'causal' }) },
  { name: 'padding', opts: (heads, n) => ({ heads, mask: 'padding', keyPadding: padding(n) }) },
  { name: 'causal + padding', opts: (heads, n) => ({ heads, mask: 'causal', keyPadding: padding(n) }) },
];

for (const kernel of ['wasm', 'js'] as KernelKind[]) describe(`blockwise, with the ${kernel} kernel`, () => {
  before(() => setKernel(kernel));
  after(() => setKernel('wasm'));

  describe('blockwiseAttention and weightsRows', () => {
    const shapes = [
      { n: 1, d: 4, heads: 2 },
      { n: 5, d: 12, heads: 4 },
      { n: 33, d: 16, heads: 2 },
      { n: 70, d: 12, heads: 3 },
    ];
    for (const { n, d, heads } of shapes)
      for (const { name, opts } of maskCases)
        for (const block of [1, 3, 32, 64, 100])
          it(`equal multiHeadAttention: N=${n}, d=${d}, ${heads} heads, mask ${name}, block ${block}`, () => {
            const w = withBiases(makeWeights({ dModel: d, seed: n + d, init: 'random' }), 3);
            const x = randomInput(n, d, 7);
            const dense = multiHeadAttention(x, n, w, opts(heads, n));
            const layer = blockwiseAttention(x, n, w, opts(heads, n), { block });
            // Same kernels in the same order: the same bits, beyond the 1e-6 / 1e-5 asked.
            assert.deepEqual(allWeights(layer), dense.weights);
            assertCloseRelative(layer.output, dense.output, 1e-5, 'output');
            assert.deepEqual(layer.output, dense.output);
          });

    it('rebuilds any run of rows, into a buffer when given one', () => {
      const n = 45, d = 8, heads = 2;
      const w = withBiases(makeWeights({ dModel: d, seed: 3 }), 3);
      const x = randomInput(n, d, 1);
      const dense = multiHeadAttention(x, n, w, { heads, mask: 'causal' });
      const layer = blockwiseAttention(x, n, w, { heads, mask: 'causal' }, { block: 16 });
      const buffer = new Float32Array(20 * n).fill(NaN);
      for (const [q0, q1] of [[0, 1], [7, 27], [31, 34], [44, 45]]) {
        const got = weightsRows(layer, 1, q0, q1, buffer);
        assert.equal(got, buffer);
        assert.deepEqual(got.subarray(0, (q1 - q0) * n), dense.weights.subarray(n * n + q0 * n, n * n + q1 * n));
      }
    });

    it('matches a plain double-precision version past one projection chunk (N = 1030)', function () {
      this.timeout(20_000);
      const n = 1030, d = 8, heads = 2;
      const w = withBiases(makeWeights({ dModel: d, seed: 12 }), 12);
      const x = randomInput(n, d, 12);
      const layer = blockwiseAttention(x, n, w, { heads, mask: 'causal' });
      const want = naiveAttention(x, n, { ...w, d }, heads, true);
      assertClose(allWeights(layer), want.weights, 1e-6, 'weights');
      assertCloseRelative(layer.output, want.output, 1e-5, 'output');
    });

    it('can switch the 1/sqrt(d_head) scaling off', () => {
      const n = 9, d = 8;
      const w = makeWeights({ dModel: d, seed: 4 });
      const x = randomInput(n, d, 6);
      const opts: AttentionOptions = { heads: 2, mask: 'none', scale: false };
      const layer = blockwiseAttention(x, n, w, opts, { block: 4 });
      assert.equal(layer.scale, 1);
      assert.deepEqual(allWeights(layer), multiHeadAttention(x, n, w, opts).weights);
      assert.notDeepEqual(allWeights(blockwiseAttention(x, n, w, { heads: 2, mask: 'none' })), allWeights(layer));
    });
  });

  describe('numeric edges', () => {
    it('gives a single token all of its own attention', () => {
      const layer = blockwiseAttention(randomInput(1, 8, 2), 1, makeWeights({ dModel: 8, seed: 1 }), { heads: 2, mask: 'causal' });
      assert.deepEqual(Array.from(allWeights(layer)), [1, 1]);
      assert.deepEqual(Array.from(layer.rowSum), [1, 1]);
    });

    it('stays finite and exact with huge logits (x × 1000)', () => {
      const n = 12, d = 8;
      const w = withBiases(makeWeights({ dModel: d, seed: 6 }), 6);
      const x = randomInput(n, d, 5, 1000);
      for (const mask of ['none', 'causal'] as const) {
        const layer = blockwiseAttention(x, n, w, { heads: 2, mask }, { block: 5 });
        const weights = allWeights(layer);
        assert.ok(weights.every(Number.isFinite) && layer.output.every(Number.isFinite));
        assert.deepEqual(weights, multiHeadAttention(x, n, w, { heads: 2, mask }).weights);
        for (let row = 0; row < 2 * n; row++) {
          const sum = weights.subarray(row * n, row * n + n).reduce((a, b) => a + b, 0);
          assert.ok(Math.abs(sum - 1) < 1e-6, `row ${row} sums to ${sum}`);
        }
      }
      // Identity weights and x × 10⁴: every row one-hot.
      const big = blockwiseAttention(randomInput(6, 8, 5, 1e4), 6, identityWeights(8), { heads: 2, mask: 'none' });
      for (let row = 0; row < 12; row++) assert.equal(Math.max(...allWeights(big).subarray(row * 6, row * 6 + 6)), 1);
    });

    it('turns fully masked rows into zeros, with rowMax −∞ and rowSum 0, like the core', () => {
      const n = 4, d = 6;
      const w = withBiases(makeWeights({ dModel: d, seed: 9 }), 9);
      const x = randomInput(n, d, 4);
      // Causal + padding of key 0: query 0 may see no key at all.
      const opts: AttentionOptions = { heads: 3, mask: 'causal', keyPadding: Uint8Array.from([0, 1, 1, 1]) };
      const layer = blockwiseAttention(x, n, w, opts);
      for (let h = 0; h < 3; h++) {
        assert.deepEqual(Array.from(weightsRows(layer, h, 0, 1)), [0, 0, 0, 0]);
        assert.equal(layer.rowMax[h * n], -Infinity);
        assert.equal(layer.rowSum[h * n], 0);
      }
      assert.deepEqual(layer.output, multiHeadAttention(x, n, w, opts).output);
      assertClose(layer.output.subarray(0, d), w.bo, 1e-7, 'output of the masked query');
      // Every key padding: every row zero, the output the bias alone.
      const none = blockwiseAttention(x, n, w, { heads: 1, mask: 'padding', keyPadding: new Uint8Array(n) });
      assert.ok(allWeights(none).every((v) => v === 0));
      for (let i = 0; i < n; i++) assertClose(none.output.subarray(i * d, i * d + d), w.bo, 1e-7, `row ${i}`);
    });

    it('keeps its own copy of keyPadding', () => {
      const keyPadding = Uint8Array.from([1, 0, 1]);
      const layer = blockwiseAttention(randomInput(3, 4, 1), 3, identityWeights(4), { heads: 1, mask: 'padding', keyPadding });
      const before = weightsRows(layer, 0, 0, 3);
      keyPadding.fill(1);
      assert.deepEqual(weightsRows(layer, 0, 0, 3), before);
    });

    it('rejects NaN and Infinity exactly as the core does', () => {
      const x = randomInput(3, 4, 1);
      x[6] = NaN; // row 2, column 3
      assert.throws(
        () => blockwiseAttention(x, 3, identityWeights(4), { heads: 1, mask: 'none' }),
        (e: unknown) => e instanceof InputError && e.code === 'non-finite' && e.row === 2 && e.column === 3,
      );
      const w = identityWeights(4);
      w.bv[1] = -Infinity;
      assert.throws(() => blockwiseAttention(randomInput(3, 4, 1), 3, w, { heads: 1, mask: 'none' }), { code: 'non-finite' });
      assert.throws(() => blockwiseAttention(randomInput(2, 10, 1), 2, identityWeights(10), { heads: 4, mask: 'none' }), { code: 'heads' });
      assert.throws(() => blockwiseAttention(new Float32Array(0), 0, identityWeights(4), { heads: 1, mask: 'none' }), { code: 'empty' });
    });

    it('rejects bad blocks, row ranges and heads', () => {
      const x = randomInput(5, 4, 1), w = identityWeights(4), opts: AttentionOptions = { heads: 2, mask: 'none' };
      for (const block of [0, 1.5, -2]) assert.throws(() => blockwiseAttention(x, 5, w, opts, { block }), { code: 'option' });
      for (const rows of [[0, 6], [3, 3], [-1, 2], [4, 2]] as [number, number][]) {
        assert.throws(() => blockwiseAttention(x, 5, w, opts, { rows }), { code: 'option' });
      }
      const layer = blockwiseAttention(x, 5, w, opts, { rows: [1, 4] });
      assert.throws(() => weightsRows(layer, 2, 1, 2), { code: 'heads' });
      assert.throws(() => weightsRows(layer, 0, 0, 2), RangeError, 'row 0 was not computed');
      assert.throws(() => weightsRows(layer, 0, 1, 2, new Float32Array(4)), RangeError, 'buffer too small');
      assert.throws(() => headTile(layer, 0, { q0: 0, q1: 5, k0: 0, k1: 5 }, 2, 2), RangeError);
    });
  });

  describe('rows', () => {
    for (const mask of ['none', 'causal'] as const)
      it(`two halves computed apart equal the whole (mask ${mask})`, () => {
        const n = 50, d = 12, heads = 3;
        const w = withBiases(makeWeights({ dModel: d, seed: 2 }), 2);
        const x = randomInput(n, d, 3);
        const whole = blockwiseAttention(x, n, w, { heads, mask }, { block: 8 });
        const top = blockwiseAttention(x, n, w, { heads, mask }, { block: 8, rows: [0, 21] });
        const bottom = blockwiseAttention(x, n, w, { heads, mask }, { block: 8, rows: [21, n] });
        assert.deepEqual(bottom.rows, [21, n]);
        assert.deepEqual(bottom.output.subarray(21 * d), whole.output.subarray(21 * d));
        assert.ok(bottom.output.subarray(0, 21 * d).every((v) => v === 0));
        for (let h = 0; h < heads; h++) {
          assert.deepEqual(weightsRows(top, h, 0, 21), weightsRows(whole, h, 0, 21));
          assert.deepEqual(weightsRows(bottom, h, 21, n), weightsRows(whole, h, 21, n));
        }
        const joined = joinRows([bottom, top]);
        assert.deepEqual(joined.rows, [0, n]);
        assert.deepEqual(joined.rowMax, whole.rowMax);
        assert.deepEqual(joined.rowSum, whole.rowSum);
        assert.deepEqual(joined.output, whole.output);
        assert.throws(() => joinRows([top, top]), RangeError, 'overlap');
      });
  });

  describe('headTile', () => {
    const n = 57, d = 8, heads = 2;
    const w = withBiases(makeWeights({ dModel: d, seed: 5 }), 5);
    const x = randomInput(n, d, 8);
    // Computed in each test, under the kernel the suite chose.
    const both = (mask: 'none' | 'causal') => ({
      dense: multiHeadAttention(x, n, w, { heads, mask }),
      layer: blockwiseAttention(x, n, w, { heads, mask }, { block: 16 }),
    });
    for (const mask of ['none', 'causal'] as const) {
      const windows = [
        { q0: 0, q1: n, k0: 0, k1: n },
        { q0: 10, q1: 30, k0: 3, k1: 50 },
        { q0: 50, q1: 99, k0: -3, k1: 8 },
      ];
      it(`equals pooling the dense head, exact or pooled (mask ${mask})`, () => {
        const { dense, layer } = both(mask);
        for (const window of windows)
          for (const [rows, cols] of [[4, 4], [7, 13], [100, 100], [1, 1]])
            for (let h = 0; h < heads; h++) {
              const m = dense.weights.subarray(h * n * n, (h + 1) * n * n);
              const got = headTile(layer, h, window, rows, cols);
              assert.deepEqual(got, poolWindow(m, n, window, rows, cols), `${JSON.stringify(window)} ${rows}×${cols}`);
            }
      });

      it(`filters each full row before pooling, as filterMatrix would (mask ${mask})`, () => {
        const { dense, layer } = both(mask);
        for (const filters of [{ threshold: 0.03, topK: 0 }, { threshold: 0, topK: 3 }, { threshold: 0.01, topK: 10 }]) {
          const m = filterMatrix(dense.weights.subarray(0, n * n), n, filters.threshold, filters.topK);
          for (const window of windows) {
            assert.deepEqual(headTile(layer, 0, window, 6, 5, filters), poolWindow(m, n, window, 6, 5), JSON.stringify(filters));
          }
        }
      });
    }

    it('keeps a sharp weight in an overview of a long input', () => {
      // Identity weights with huge x: each query puts all its weight on one key.
      const big = 300;
      const layer = blockwiseAttention(randomInput(big, 8, 3, 1e4), big, identityWeights(8), { heads: 1, mask: 'none' });
      const t = headTile(layer, 0, { q0: 0, q1: big, k0: 0, k1: big }, 16, 16);
      assert.equal(t.exact, false);
      for (let r = 0; r < 16; r++) assert.equal(Math.max(...t.max.subarray(r * 16, r * 16 + 16)), 1);
    });
  });
});

describe('blockwise memory', () => {
  it('holds far less than H·N² floats: N = 4096, d_model = 64, 4 heads', function () {
    this.timeout(60_000);
    const n = 4096, d = 64, heads = 4;
    const layer = blockwiseAttention(randomInput(n, d, 1), n, makeWeights({ dModel: d, seed: 1 }), { heads, mask: 'causal' });
    // Every typed array the layer holds, found by walking it, so a field added later is counted.
    const arrays = [...Object.values(layer), ...Object.values(layer.mask)].filter((a) => ArrayBuffer.isView(a));
    const bytes = arrays.reduce((sum, a) => sum + a.byteLength, 0);
    const dense = heads * n * n * 4;
    // q, k, v and output: 4 × N·d floats; rowMax, rowSum: 12 bytes per row and head.
    assert.equal(bytes, 4 * n * d * 4 + heads * n * 12);
    assert.ok(bytes * 50 < dense, `${bytes} bytes against ${dense} for the dense weights`);
    // Spot check a row late in the sequence: it sums to 1.
    const row = weightsRows(layer, 3, n - 1, n);
    assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5);
  });
});
