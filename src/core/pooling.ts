// Attention weights pooled to the tiles a view draws (tiles.ts): a window of queries × keys cut
// into rows × cols blocks, keeping each block's largest and mean weight. Rows arrive one query at
// a time (TileAccumulator), so a tile of an N × N matrix can be built from weights that are
// computed block by block and never held whole; poolWindow is the same thing over a dense matrix.
// The per-row filters the views offer (threshold, top k) live here too, since they must be
// applied to each full row before it is pooled.

import { blockOf, blockStart, clipWindow, type Tile, type Window } from './tiles';

/** Filters applied to each full row of weights before it is pooled (0 switches one off). */
export interface RowFilters {
  /** Weights below this become 0. */
  threshold: number;
  /** Only the k largest weights of each row are kept (ties at the k-th are kept too). */
  topK: number;
}

/** Whether filterRow would change anything in rows of n weights. */
export function rowFiltersActive(threshold: number, topK: number, n: number): boolean {
  return threshold > 0 || (topK > 0 && topK < n);
}

/**
 * In place over row[offset … offset + n − 1]: zeroes weights below `threshold` (when > 0) and
 * weights below the row's topK-th largest (when 0 < topK < n; ties at it are kept). `scratch`
 * (at least n floats) saves an allocation per call when many rows are filtered.
 */
export function filterRow(
  row: Float32Array, offset: number, n: number, threshold: number, topK: number, scratch?: Float32Array,
): void {
  const useThreshold = threshold > 0;
  const useTopK = topK > 0 && topK < n;
  if (!useThreshold && !useTopK) return;
  const cut = useTopK ? kthLargest(row, offset, n, topK, scratch) : -Infinity;
  for (let j = offset; j < offset + n; j++) {
    const w = row[j];
    if ((useThreshold && w < threshold) || w < cut) row[j] = 0;
  }
}

/** Up to this k, the k largest are kept in a sorted list as the row streams by. */
const SMALL_K = 64;

/** The k-th largest of row[offset … offset + n − 1] (counting equal weights separately). */
function kthLargest(row: Float32Array, offset: number, n: number, k: number, scratch?: Float32Array): number {
  const a = scratch && scratch.length >= n ? scratch : new Float32Array(n);
  if (k <= SMALL_K) return kthLargestStreaming(row, offset, n, k, a);
  a.set(row.subarray(offset, offset + n));
  return select(a, n, n - k);
}

/**
 * The views' usual top k is small: keep the k largest so far, ascending, in top[0 … k − 1]. A
 * weight enters only when it beats top[0], which in a row of N weights happens about k·ln(N/k)
 * times, so this is one pass of comparisons; quickselect would copy and shuffle the whole row.
 */
function kthLargestStreaming(row: Float32Array, offset: number, n: number, k: number, top: Float32Array): number {
  top.set(row.subarray(offset, offset + k));
  top.subarray(0, k).sort();
  for (let j = offset + k; j < offset + n; j++) {
    const v = row[j];
    if (!(v > top[0])) continue;
    let i = 1;
    for (; i < k && top[i] < v; i++) top[i - 1] = top[i];
    top[i - 1] = v;
  }
  return top[0];
}

/**
 * The value a[target] would have if a[0 … n − 1] were sorted ascending (reorders a): Hoare's
 * quickselect with a median-of-three pivot, which splits runs of equal weights (the zeros of a
 * causal row) evenly. Should a bad pivot sequence ever make it slow, it sorts what is left.
 */
function select(a: Float32Array, n: number, target: number): number {
  let lo = 0, hi = n - 1;
  let budget = 4 * Math.ceil(Math.log2(n + 1)) + 8;
  while (lo < hi) {
    if (budget-- === 0) {
      a.subarray(lo, hi + 1).sort();
      return a[target];
    }
    const pivot = median3(a[lo], a[(lo + hi) >> 1], a[hi]);
    let i = lo, j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i++] = a[j];
        a[j--] = t;
      }
    }
    // Now a[lo … j] ≤ pivot ≤ a[i … hi], and anything strictly between j and i equals the pivot.
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return pivot;
  }
  return a[target];
}

function median3(x: number, y: number, z: number): number {
  if (x < y) return y < z ? y : x < z ? z : x;
  return x < z ? x : y < z ? z : y;
}

/** The running blocks of a TileAccumulator: typed arrays, so they cross between threads as they are. */
export interface AccumulatorState {
  max: Float32Array; // [rows, cols]
  sum: Float64Array; // [rows, cols]
  seen: Uint8Array; // [q1 − q0]
}

/**
 * Builds a Tile from rows fed one query at a time, in any order: each query q0 … q1 − 1 of the
 * window exactly once. Memory is the tile's (rows × cols) plus O(window span), whatever N.
 */
export class TileAccumulator {
  readonly window: Window;
  readonly rows: number;
  readonly cols: number;
  private readonly max: Float32Array; // [rows, cols], running largest weight
  private readonly sum: Float64Array; // [rows, cols], running sum, in double so the mean of N² weights keeps float precision
  private readonly colStart: Int32Array; // [cols + 1], first key offset of each column block, then the width
  private readonly seen: Uint8Array; // [q1 − q0], queries added so far
  private added = 0;

  constructor(window: Window, rows: number, cols: number) {
    const { q0, q1, k0, k1 } = window;
    if (![q0, q1, k0, k1].every(Number.isInteger) || q0 < 0 || k0 < 0 || q1 <= q0 || k1 <= k0) {
      throw new RangeError(`window ${JSON.stringify(window)} must be integer offsets with q0 < q1, k0 < k1, starting at 0 or later`);
    }
    this.window = { q0, q1, k0, k1 };
    this.rows = parts(rows, q1 - q0, 'rows');
    this.cols = parts(cols, k1 - k0, 'cols');
    this.max = new Float32Array(this.rows * this.cols).fill(-Infinity);
    this.sum = new Float64Array(this.rows * this.cols);
    this.colStart = Int32Array.from({ length: this.cols + 1 }, (_, c) => blockStart(c, k1 - k0, this.cols));
    this.seen = new Uint8Array(q1 - q0);
  }

  /** Adds query q's weights: row[rowOffset + k] is its weight of key k (only window keys are read). */
  addRow(q: number, row: Float32Array, rowOffset = 0): void {
    const { q0, q1, k0, k1 } = this.window;
    if (!Number.isInteger(q) || q < q0 || q >= q1) throw new RangeError(`query ${q} is outside the window's queries ${q0} … ${q1 - 1}`);
    if (this.seen[q - q0]) throw new RangeError(`query ${q} was added twice`);
    if (rowOffset < 0 || rowOffset + k1 > row.length) throw new RangeError(`row holds ${row.length} values, too few for key ${k1 - 1} at offset ${rowOffset}`);
    this.seen[q - q0] = 1;
    this.added++;
    const base = blockOf(q - q0, q1 - q0, this.rows) * this.cols;
    const start = rowOffset + k0;
    const { max, sum, colStart } = this;
    // One block's stretch of the row at a time, so the inner loop has no index lookups. (Four
    // running sums would break the chain of additions, but V8 ran that loop 2-3× slower.)
    for (let c = 0; c < this.cols; c++) {
      const end = start + colStart[c + 1];
      let m = max[base + c], s = 0;
      for (let j = start + colStart[c]; j < end; j++) {
        const v = row[j];
        if (v > m) m = v;
        s += v;
      }
      max[base + c] = m;
      sum[base + c] += s;
    }
  }

  /** What has been added so far, to move to another thread and `absorb` there. */
  state(): AccumulatorState {
    return { max: this.max, sum: this.sum, seen: this.seen };
  }

  /**
   * Adds the rows another accumulator of the same window and blocks gathered (its `state()`), as
   * if they had been added here: threads that each pool a slice of the queries end with one tile.
   */
  absorb(other: AccumulatorState): void {
    const { max, sum, seen } = this;
    if (other.max.length !== max.length || other.seen.length !== seen.length) throw new RangeError('accumulators of different tiles');
    for (let i = 0; i < seen.length; i++) {
      if (!other.seen[i]) continue;
      if (seen[i]) throw new RangeError(`query ${this.window.q0 + i} was added twice`);
      seen[i] = 1;
      this.added++;
    }
    for (let c = 0; c < max.length; c++) {
      if (other.max[c] > max[c]) max[c] = other.max[c];
      sum[c] += other.sum[c];
    }
  }

  /** The tile; throws if some query of the window was never added. */
  finish(): Tile {
    const { q0, q1, k0, k1 } = this.window;
    const span = q1 - q0, width = k1 - k0;
    if (this.added !== span) throw new RangeError(`${span - this.added} of the window's ${span} queries were never added`);
    const mean = new Float32Array(this.rows * this.cols); // mean: [rows, cols]
    for (let r = 0; r < this.rows; r++) {
      const height = blockStart(r + 1, span, this.rows) - blockStart(r, span, this.rows);
      for (let c = 0; c < this.cols; c++) {
        const cells = height * (this.colStart[c + 1] - this.colStart[c]);
        mean[r * this.cols + c] = this.sum[r * this.cols + c] / cells;
      }
    }
    return {
      window: { ...this.window }, rows: this.rows, cols: this.cols, max: this.max, mean,
      exact: this.rows === span && this.cols === width,
    };
  }
}

/** A block count clamped to 1 … span, so that no block is empty. */
function parts(wanted: number, span: number, what: string): number {
  if (!(wanted >= 1)) throw new RangeError(`${what} must be at least 1, got ${wanted}`);
  return Math.min(span, Math.floor(wanted));
}

/**
 * A window of a dense [N, N] matrix pooled to at most rows × cols blocks (fewer when the window
 * is smaller: then the tile is exact). The window is clipped to the matrix first. Filters, when
 * given, apply to each full row before pooling, as they would to the whole matrix.
 */
export function poolWindow(
  m: Float32Array, n: number, window: Window, rows: number, cols: number, filters?: RowFilters,
): Tile {
  if (m.length !== n * n) throw new RangeError(`matrix of ${m.length} values is not ${n} × ${n}`);
  const w = clipWindow(window, n);
  const acc = new TileAccumulator(w, rows, cols);
  const filter = filters && rowFiltersActive(filters.threshold, filters.topK, n) ? filters : null;
  const copy = new Float32Array(filter ? n : 0); // copy: [N], one filtered row
  const scratch = new Float32Array(filter ? n : 0);
  for (let q = w.q0; q < w.q1; q++) {
    if (!filter) {
      acc.addRow(q, m, q * n);
      continue;
    }
    copy.set(m.subarray(q * n, q * n + n));
    filterRow(copy, 0, n, filter.threshold, filter.topK, scratch);
    acc.addRow(q, copy);
  }
  return acc.finish();
}

/**
 * The same window pooled to fewer blocks, from a finer tile whose block counts are whole multiples
 * of the new ones (blocks then nest exactly: block b of `rows` is blocks b·f … b·f + f − 1 of
 * rows·f). The maxima are exact; each mean is the mean of its blocks' means weighted by their cells.
 * Undefined when the counts do not divide.
 */
export function coarsenTile(tile: Tile, rows: number, cols: number): Tile | undefined {
  const { q0, q1, k0, k1 } = tile.window;
  const span = q1 - q0, width = k1 - k0;
  rows = parts(rows, span, 'rows');
  cols = parts(cols, width, 'cols');
  if (rows === tile.rows && cols === tile.cols) return tile;
  if (tile.rows % rows !== 0 || tile.cols % cols !== 0) return undefined;
  const fr = tile.rows / rows, fc = tile.cols / cols;
  const height = (r: number) => blockStart(r + 1, span, tile.rows) - blockStart(r, span, tile.rows);
  const widthOf = (c: number) => blockStart(c + 1, width, tile.cols) - blockStart(c, width, tile.cols);
  const max = new Float32Array(rows * cols).fill(-Infinity); // [rows, cols]
  const sum = new Float64Array(rows * cols);
  const cells = new Float64Array(rows * cols);
  for (let r = 0; r < tile.rows; r++) {
    const to = Math.floor(r / fr) * cols;
    for (let c = 0; c < tile.cols; c++) {
      const from = r * tile.cols + c;
      const at = to + Math.floor(c / fc);
      const n = height(r) * widthOf(c);
      if (tile.max[from] > max[at]) max[at] = tile.max[from];
      sum[at] += tile.mean[from] * n;
      cells[at] += n;
    }
  }
  const mean = Float32Array.from(sum, (s, i) => s / cells[i]); // [rows, cols]
  return { window: { ...tile.window }, rows, cols, max, mean, exact: rows === span && cols === width };
}
