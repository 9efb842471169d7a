// The [N][N] matrices a sequence's weights stand for (one head, the heads' mean or maximum, the
// rollout across layers), hidden tokens, and per-head summaries. Pure functions over the
// [L][H][N][N] array, shared by the panel (for weights it holds) and the extension host (for
// weights it keeps and answers tiles from), so both read a choice the same way.
import { attentionRollout, headSpread } from '../core/analysis';
import type { AttentionResult } from '../core/types';
import { poolWindow } from '../core/pooling';
import type { Tile, Window } from '../core/tiles';
import type { MatrixChoice, MatrixFilters } from './protocol';

/** What these functions read of a sequence. */
export interface Shape {
  layers: number;
  heads: number;
  n: number;
  weights: Float32Array; // [L][H][N][N]
}

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

export function maxOf(m: Float32Array): number {
  let max = 0;
  for (let i = 0; i < m.length; i++) if (m[i] > max) max = m[i];
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


/** A sequence held in full, with the special tokens a view may hide. */
export interface HeldSequence extends Shape {
  special: Uint8Array; // [N]
}

/**
 * The tile a view asks for, from weights held in full: the chosen matrix, hidden tokens removed,
 * filtered row by row, then the window pooled to rows × cols. `peak` is the largest weight of the
 * whole matrix, the top of the view's colour scale. Windows are in the shown tokens'
 * indices (after hiding).
 */
export function heldTile(
  seq: HeldSequence, choice: MatrixChoice, filters: MatrixFilters, window: Window, rows: number, cols: number,
): { tile: Tile; peak: number } {
  let m = chosenMatrix(seq, choice); // [N][N]
  let n = seq.n;
  const keep = keptTokens(seq.special, filters.hideSpecial);
  if (keep) {
    m = subMatrix(m, n, keep); // [K][K]
    n = keep.length;
  }
  // The peak is the colour scale's top for every window of this matrix: filters only ever lower weights.
  return { tile: poolWindow(m, n, window, rows, cols, filters), peak: maxOf(m) };
}
