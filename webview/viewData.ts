// The matrices the views draw, derived from a sequence's weights: one head, heads aggregated,
// rollout across layers, filters, hidden tokens, differences, and per-head summaries.
// Pure functions (no DOM), unit tested. Nothing here copies when there is nothing to change, so
// switching heads costs a subarray, not a pass over N² numbers.
// The analyses and pooling modules directly, not the core's index: the index also brings the
// tokenizers and the WASM kernels, which the webview never runs (and would triple its bundle).
import { attentionRollout, headSpread } from '../src/core/analysis';
import { filterRow, rowFiltersActive } from '../src/core/pooling';
import type { AttentionResult } from '../src/core/types';
import type { SequencePayload } from '../src/shared/protocol';

export type Aggregate = 'none' | 'mean' | 'max';
export type HeadMetric = 'entropy' | 'sparsity' | 'max';

/** What the weights are reduced to before filtering. */
export interface MatrixChoice {
  layer: number;
  /** A head index, or 'all' for the views that show every head. */
  head: number;
  aggregate: Aggregate;
  rollout: boolean;
}

export interface Filters {
  /** Weights below this become 0 (0 = off). */
  threshold: number;
  /** Keep only the k largest weights of each row (0 = off). */
  topK: number;
  hideSpecial: boolean;
}

type Shape = Pick<SequencePayload, 'layers' | 'heads' | 'n' | 'weights'>;

/** One head's [N][N] weights, a view into the sequence's [L][H][N][N] (no copy). */
export function headMatrix(seq: Shape, layer: number, head: number): Float32Array {
  const nn = seq.n * seq.n;
  const start = (layer * seq.heads + head) * nn;
  return seq.weights.subarray(start, start + nn);
}

/** Mean or maximum over the heads of one layer: [N][N]. */
export function aggregateHeads(seq: Shape, layer: number, kind: 'mean' | 'max'): Float32Array {
  const nn = seq.n * seq.n;
  const out = new Float32Array(nn);
  if (kind === 'max') out.fill(-Infinity);
  for (let h = 0; h < seq.heads; h++) {
    const w = headMatrix(seq, layer, h);
    if (kind === 'mean') for (let c = 0; c < nn; c++) out[c] += w[c];
    else for (let c = 0; c < nn; c++) if (w[c] > out[c]) out[c] = w[c];
  }
  if (kind === 'mean') for (let c = 0; c < nn; c++) out[c] /= seq.heads;
  if (seq.heads === 0) out.fill(0);
  return out;
}

/** The layer's weights as the core's result shape, for the core's analyses. */
function layerResult(seq: Shape, layer: number): AttentionResult {
  const size = seq.heads * seq.n * seq.n;
  return {
    n: seq.n,
    heads: seq.heads,
    dModel: 0,
    dHead: 0,
    weights: seq.weights.subarray(layer * size, (layer + 1) * size), // [H][N][N]
    output: new Float32Array(0),
  };
}

/** Attention rollout through every layer of the sequence: [N][N]. */
export function rolloutMatrix(seq: Shape): Float32Array {
  const layers = Array.from({ length: seq.layers }, (_, l) => layerResult(seq, l));
  return attentionRollout(layers);
}

/** The [N][N] matrix a choice stands for. */
export function chosenMatrix(seq: Shape, choice: MatrixChoice): Float32Array {
  if (choice.rollout && seq.layers > 1) return rolloutMatrix(seq);
  if (choice.aggregate !== 'none') return aggregateHeads(seq, choice.layer, choice.aggregate);
  return headMatrix(seq, choice.layer, choice.head);
}

/** Zeroes weights under the threshold and outside each row's top k; returns `m` itself when both are off. */
export function filterMatrix(m: Float32Array, n: number, threshold: number, topK: number): Float32Array {
  if (!rowFiltersActive(threshold, topK, n)) return m;
  const out = new Float32Array(m);
  const scratch = new Float32Array(n);
  for (let q = 0; q < n; q++) filterRow(out, q * n, n, threshold, topK, scratch);
  return out;
}

/** Indices of the tokens to show; undefined when every token is shown. */
export function keptTokens(special: Uint8Array, hideSpecial: boolean): Int32Array | undefined {
  if (!hideSpecial || !special.some((s) => s !== 0)) return undefined;
  const keep: number[] = [];
  special.forEach((s, i) => {
    if (!s) keep.push(i);
  });
  return Int32Array.from(keep);
}

/** Rows and columns `keep` of an [N][N] matrix: [K][K]. */
export function subMatrix(m: Float32Array, n: number, keep: Int32Array): Float32Array {
  const kk = keep.length;
  const out = new Float32Array(kk * kk);
  for (let i = 0; i < kk; i++) {
    const row = keep[i] * n;
    for (let j = 0; j < kk; j++) out[i * kk + j] = m[row + keep[j]];
  }
  return out;
}

/** a − b, element by element. */
export function difference(a: Float32Array, b: Float32Array): Float32Array {
  if (a.length !== b.length) throw new RangeError(`cannot subtract matrices of ${a.length} and ${b.length} values`);
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] - b[i];
  return out;
}

export function maxOf(m: Float32Array): number {
  let max = 0;
  for (let i = 0; i < m.length; i++) if (m[i] > max) max = m[i];
  return max;
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

/** Per-head summaries: each [L][H]. */
export interface HeadStats {
  entropy: Float32Array;
  sparsity: Float32Array;
  max: Float32Array;
}

export function headStats(seq: Shape, causal: boolean): HeadStats {
  const size = seq.layers * seq.heads;
  const stats: HeadStats = { entropy: new Float32Array(size), sparsity: new Float32Array(size), max: new Float32Array(size) };
  for (let l = 0; l < seq.layers; l++) {
    const spread = headSpread(layerResult(seq, l), { mask: causal ? 'causal' : 'none' });
    stats.entropy.set(spread.entropy, l * seq.heads);
    stats.sparsity.set(spread.sparsity, l * seq.heads);
    for (let h = 0; h < seq.heads; h++) stats.max[l * seq.heads + h] = maxOf(headMatrix(seq, l, h));
  }
  return stats;
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
