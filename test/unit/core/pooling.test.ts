// Pooling weights to tiles: against a cell-by-cell reference, the block split of tiles.ts, the
// properties a view relies on (a sharp weight survives in max), and the row filters against the
// webview's filterMatrix as it was before it moved here.
import assert from 'node:assert/strict';
import { coarsenTile, filterRow, poolWindow, rowFiltersActive, TileAccumulator } from '../../../src/core/pooling';
import { mulberry32 } from '../../../src/core/random';
import { blockOf, fullWindow, type Tile, type Window } from '../../../src/core/tiles';
import { filterMatrix } from '../../../webview/viewData';
import { assertClose } from './helpers';

/** Random weights in [0, 1), rounded to eighths when `ties` so rows hold many equal values. */
function randomMatrix(n: number, seed: number, ties = false): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n * n }, () => (ties ? Math.floor(r() * 8) / 8 : r()));
}

/** Each cell of the window visited on its own, in double precision. */
function naivePool(m: Float32Array, n: number, w: Window, rows: number, cols: number) {
  const H = w.q1 - w.q0, W = w.k1 - w.k0;
  rows = Math.min(rows, H);
  cols = Math.min(cols, W);
  const max = new Float64Array(rows * cols).fill(-Infinity);
  const sum = new Float64Array(rows * cols);
  const count = new Float64Array(rows * cols);
  for (let q = w.q0; q < w.q1; q++)
    for (let k = w.k0; k < w.k1; k++) {
      const c = blockOf(q - w.q0, H, rows) * cols + blockOf(k - w.k0, W, cols);
      const v = m[q * n + k];
      max[c] = Math.max(max[c], v);
      sum[c] += v;
      count[c]++;
    }
  return { rows, cols, max, mean: sum.map((s, i) => s / count[i]) };
}

/** webview/viewData.ts's filterMatrix before the per-row filter moved to pooling.ts. */
function oldFilterMatrix(m: Float32Array, n: number, threshold: number, topK: number): Float32Array {
  const useThreshold = threshold > 0;
  const useTopK = topK > 0 && topK < n;
  if (!useThreshold && !useTopK) return m;
  const out = new Float32Array(m.length);
  const row = new Float32Array(n);
  for (let q = 0; q < n; q++) {
    const off = q * n;
    let cut = -Infinity;
    if (useTopK) {
      row.set(m.subarray(off, off + n));
      row.sort();
      cut = row[n - topK];
    }
    for (let k = 0; k < n; k++) {
      const w = m[off + k];
      out[off + k] = (useThreshold && w < threshold) || w < cut ? 0 : w;
    }
  }
  return out;
}

function assertTileMatches(t: Tile, want: ReturnType<typeof naivePool>, what: string): void {
  assert.equal(t.rows, want.rows, `${what}: rows`);
  assert.equal(t.cols, want.cols, `${what}: cols`);
  assert.deepEqual(t.max, Float32Array.from(want.max), `${what}: max`);
  assertClose(t.mean, want.mean, 1e-7, `${what}: mean`);
}

describe('pooling', () => {
  describe('poolWindow', () => {
    const n = 23;
    const m = randomMatrix(n, 1);
    const windows: Window[] = [
      { q0: 0, q1: n, k0: 0, k1: n },
      { q0: 3, q1: 17, k0: 5, k1: 22 },
      { q0: 22, q1: 23, k0: 0, k1: 23 },
      { q0: 4, q1: 9, k0: 11, k1: 12 },
    ];
    for (const w of windows)
      for (const [rows, cols] of [[1, 1], [2, 3], [5, 7], [4, 4], [64, 64], [7, 1]]) {
        it(`matches a cell-by-cell reference: window ${w.q0}…${w.q1}×${w.k0}…${w.k1}, ${rows}×${cols}`, () => {
          assertTileMatches(poolWindow(m, n, w, rows, cols), naivePool(m, n, w, rows, cols), 'tile');
        });
      }

    it('splits a span as blockOf and blockStart do: 5 queries in 2 blocks are 0…2 and 3…4', () => {
      // m[q][k] = q: each block's max is its last query, its mean the mean of its queries.
      const m5 = Float32Array.from({ length: 25 }, (_, i) => Math.floor(i / 5));
      const t = poolWindow(m5, 5, { q0: 0, q1: 5, k0: 0, k1: 5 }, 2, 1);
      assert.deepEqual([...t.max], [2, 4]);
      assert.deepEqual([...t.mean], [1, 3.5]);
    });

    it('is exact when rows and cols equal the span, or ask for more', () => {
      const w = { q0: 2, q1: 9, k0: 4, k1: 10 };
      for (const [rows, cols] of [[7, 6], [100, 100]]) {
        const t = poolWindow(m, n, w, rows, cols);
        assert.equal(t.exact, true);
        assert.equal(t.rows, 7);
        assert.equal(t.cols, 6);
        for (let r = 0; r < 7; r++)
          for (let c = 0; c < 6; c++) {
            assert.equal(t.max[r * 6 + c], m[(r + 2) * n + c + 4]);
            assert.equal(t.mean[r * 6 + c], m[(r + 2) * n + c + 4]);
          }
      }
      assert.equal(poolWindow(m, n, w, 6, 6).exact, false);
    });

    it('keeps max ≥ mean in every block', () => {
      const t = poolWindow(m, n, { q0: 0, q1: n, k0: 0, k1: n }, 4, 6);
      for (let i = 0; i < t.max.length; i++) assert.ok(t.max[i] >= t.mean[i]);
    });

    it('keeps a single sharp 1.0 among zeros in max, where the mean almost loses it', () => {
      const big = 300;
      const sharp = new Float32Array(big * big);
      sharp[137 * big + 211] = 1;
      const t = poolWindow(sharp, big, { q0: 0, q1: big, k0: 0, k1: big }, 8, 8);
      const at = blockOf(137, big, 8) * 8 + blockOf(211, big, 8);
      assert.equal(t.max[at], 1);
      assert.ok(t.mean[at] > 0 && t.mean[at] < 1e-3);
      assert.equal(t.max.filter((v) => v > 0).length, 1);
    });

    it('clips the window to the matrix', () => {
      const t = poolWindow(m, n, { q0: -5, q1: 40, k0: 20, k1: 99 }, 3, 3);
      assert.deepEqual(t.window, { q0: 0, q1: n, k0: 20, k1: n });
      assertTileMatches(t, naivePool(m, n, t.window, 3, 3), 'clipped');
    });

    it('rejects a matrix that is not N × N and block counts below 1', () => {
      assert.throws(() => poolWindow(new Float32Array(10), 3, { q0: 0, q1: 3, k0: 0, k1: 3 }, 1, 1), RangeError);
      assert.throws(() => poolWindow(m, n, { q0: 0, q1: 3, k0: 0, k1: 3 }, 0, 1), RangeError);
    });
  });

  describe('TileAccumulator', () => {
    const n = 17;
    const m = randomMatrix(n, 2);
    const w = { q0: 1, q1: 16, k0: 2, k1: 13 };

    it('gives the same tile whatever order the rows come in', () => {
      const acc = new TileAccumulator(w, 4, 3);
      for (let q = w.q1 - 1; q >= w.q0; q -= 2) acc.addRow(q, m, q * n);
      for (let q = w.q1 - 2; q >= w.q0; q -= 2) acc.addRow(q, m.slice(q * n, q * n + n));
      const t = acc.finish();
      assert.deepEqual(t.max, poolWindow(m, n, w, 4, 3).max);
      assertClose(t.mean, poolWindow(m, n, w, 4, 3).mean, 1e-7, 'mean');
    });

    it('refuses rows outside the window, twice, too short, or missing', () => {
      const acc = new TileAccumulator(w, 2, 2);
      assert.throws(() => acc.addRow(0, m, 0), RangeError);
      assert.throws(() => acc.addRow(w.q1, m, 0), RangeError);
      assert.throws(() => acc.addRow(3, new Float32Array(12)), RangeError);
      acc.addRow(3, m, 3 * n);
      assert.throws(() => acc.addRow(3, m, 3 * n), RangeError);
      assert.throws(() => acc.finish(), RangeError);
      assert.throws(() => new TileAccumulator({ q0: 2, q1: 2, k0: 0, k1: 1 }, 1, 1), RangeError);
    });
  });

  describe('filterRow and filterMatrix', () => {
    const cases: [number, number][] = [[0, 0], [0.3, 0], [0, 1], [0, 2], [0, 5], [0.2, 3], [0.9, 4]];
    for (const ties of [false, true])
      for (const n of [1, 2, 7, 40])
        it(`agree with the old filterMatrix: N = ${n}${ties ? ', many ties' : ''}`, () => {
          const m = randomMatrix(n, n + Number(ties), ties);
          for (const [threshold, topK] of [...cases, [0, n - 1], [0, n], [0, n + 3]] as [number, number][]) {
            const want = oldFilterMatrix(m, n, threshold, topK);
            const got = filterMatrix(m, n, threshold, topK);
            assert.deepEqual(got, want, `threshold ${threshold}, top ${topK}`);
            assert.equal(got === m, want === m, 'returns m itself exactly when nothing filters');
            assert.equal(rowFiltersActive(threshold, topK, n), want !== m);
          }
        });

    it('keeps the top k of a causal-looking row, half zeros, with k inside the zeros', () => {
      const n = 1000;
      const r = mulberry32(9);
      const row = Float32Array.from({ length: n }, (_, j) => (j < 400 ? r() : 0));
      for (const k of [1, 10, 399, 400, 401, 999]) {
        const got = row.slice();
        filterRow(got, 0, n, 0, k, new Float32Array(n));
        const cut = row.slice().sort()[n - k];
        assert.deepEqual(got, row.map((v) => (v < cut ? 0 : v)), `top ${k}`);
      }
    });

    it('filters rows before pooling them in poolWindow', () => {
      const n = 31;
      const m = randomMatrix(n, 5, true);
      const w = { q0: 3, q1: 30, k0: 1, k1: 25 };
      for (const filters of [{ threshold: 0.5, topK: 0 }, { threshold: 0, topK: 3 }, { threshold: 0.25, topK: 6 }]) {
        const got = poolWindow(m, n, w, 5, 4, filters);
        const want = poolWindow(filterMatrix(m, n, filters.threshold, filters.topK), n, w, 5, 4);
        assert.deepEqual(got, want, JSON.stringify(filters));
      }
    });
  });
});

describe('coarsenTile', () => {
  it('pools a fine tile into the blocks a direct pooling makes, when the counts divide', () => {
    const n = 103;
    const m = new Float32Array(n * n).map((_, i) => Math.abs(Math.sin(i * 12.9898)) ** 4);
    m[57 * n + 3] = 1; // one sharp weight
    const fine = poolWindow(m, n, fullWindow(n), 64, 64);
    for (const side of [64, 32, 16, 8, 1]) {
      const direct = poolWindow(m, n, fullWindow(n), side, side);
      const coarse = coarsenTile(fine, side, side);
      assert.ok(coarse, `${side} divides 64`);
      assert.deepEqual(coarse.max, direct.max, `maxima at ${side}`);
      for (let i = 0; i < direct.mean.length; i++) assert.ok(Math.abs(coarse.mean[i] - direct.mean[i]) < 1e-6, `mean ${i} at ${side}`);
    }
    assert.equal(coarsenTile(fine, 48, 48), undefined, '48 does not divide 64');
  });
});
