// The matrices the views draw, derived from a sequence's weights: one head, heads aggregated,
// rollout across layers, filters, hidden tokens, differences, and per-head summaries.
// Pure functions (no DOM), unit tested. Nothing here copies when there is nothing to change, so
// switching heads costs a subarray, not a pass over N² numbers.
// The pooling module directly, not the core's index: the index also brings the tokenizers and
// the WASM kernels, which the webview never runs (and would triple its bundle). The matrices
// themselves come from src/shared/matrices, which the host uses for the weights it keeps.
import { filterRow, rowFiltersActive } from '../src/core/pooling';
import { keptTokens, subMatrix, type HeadStats } from '../src/shared/matrices';
import type { MatrixChoice as Choice, MatrixFilters, SequencePayload } from '../src/shared/protocol';

export {
  aggregateHeads, chosenMatrix, headMatrix, headStats, keptTokens, maxOf, rolloutMatrix, subMatrix, type HeadStats,
} from '../src/shared/matrices';

export type Aggregate = 'none' | 'mean' | 'max';
export type HeadMetric = 'entropy' | 'sparsity' | 'max';

/** What the weights are reduced to before filtering. */
export type MatrixChoice = Choice;
/** Weights below threshold become 0 (0 = off); only each row's top k are kept (0 = off). */
export type Filters = MatrixFilters;

/** Zeroes weights under the threshold and outside each row's top k; returns `m` itself when both are off. */
export function filterMatrix(m: Float32Array, n: number, threshold: number, topK: number): Float32Array {
  if (!rowFiltersActive(threshold, topK, n)) return m;
  const out = new Float32Array(m);
  const scratch = new Float32Array(n);
  for (let q = 0; q < n; q++) filterRow(out, q * n, n, threshold, topK, scratch);
  return out;
}

/** a − b, element by element. */
export function difference(a: Float32Array, b: Float32Array): Float32Array {
  if (a.length !== b.length) throw new RangeError(`cannot subtract matrices of ${a.length} and ${b.length} values`);
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] - b[i];
  return out;
}

/** Largest |value|, the half-width of a diverging colour scale centred on 0. */
export function absMaxOf(m: Float32Array): number {
  let max = 0;
  for (let i = 0; i < m.length; i++) {
    const a = Math.abs(m[i]);
    if (a > max && Number.isFinite(a)) max = a;
  }
  return max;
}

/** The heads of one layer in display order: as computed, or by a metric, largest first. */
export function headOrder(stats: HeadStats, layer: number, heads: number, by: HeadMetric | 'layer'): number[] {
  const order = Array.from({ length: heads }, (_, h) => h);
  if (by === 'layer') return order;
  const values = stats[by].subarray(layer * heads, (layer + 1) * heads);
  return order.sort((a, b) => values[b] - values[a] || a - b);
}

/** Where each token's value lies between the smallest and largest, 0…1 (for colouring by a metric). */
export function normalise(values: Float32Array): Float32Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const span = hi - lo;
  return values.map((v) => (span > 0 ? (v - lo) / span : 0.5));
}

/** A matrix ready to draw: filtered, with hidden tokens removed, and the way back to token indices. */
export interface Prepared {
  m: Float32Array; // [K][K]
  n: number;
  tokens: string[];
  /** Index in the sequence of each shown token. */
  index: Int32Array;
}

export function prepare(seq: Pick<SequencePayload, 'n' | 'tokens' | 'special'>, m: Float32Array, filters: Filters): Prepared {
  const filtered = filterMatrix(m, seq.n, filters.threshold, filters.topK);
  const keep = keptTokens(seq.special, filters.hideSpecial);
  if (!keep) return { m: filtered, n: seq.n, tokens: seq.tokens, index: Int32Array.from({ length: seq.n }, (_, i) => i) };
  return { m: subMatrix(filtered, seq.n, keep), n: keep.length, tokens: Array.from(keep, (i) => seq.tokens[i]), index: keep };
}

/** Largest value in each block of an [N][N] matrix shrunk to [T][T] (T ≥ N keeps it as is). */
export function poolMax(m: Float32Array, n: number, t: number): { m: Float32Array; size: number } {
  if (t >= n) return { m, size: n };
  const out = new Float32Array(t * t);
  for (let q = 0; q < n; q++) {
    const row = Math.floor((q * t) / n) * t;
    const off = q * n;
    for (let k = 0; k < n; k++) {
      const c = row + Math.floor((k * t) / n);
      if (m[off + k] > out[c]) out[c] = m[off + k];
    }
  }
  return { m: out, size: t };
}
