// A layer too large to hand back, kept blockwise where it was computed: the tiles and summaries
// the views ask for are answered from it. The pass that computes the layer also pools every head's
// overview (and so its largest weight), so the first picture of every head costs nothing more; any
// other window is rebuilt from the kept rows' statistics (blockwise.ts), a query block at a time.
// Entropy and sparsity take a logarithm per weight, seconds per head at 16k tokens: they are
// gathered only when a view asks for them, and kept.
import { SpreadAccumulator } from './analysis';
import { blockwiseAttention, DEFAULT_BLOCK, headTile, joinRows, weightsRows, type BlockwiseLayer } from './blockwise';
import { coarsenTile, filterRow, rowFiltersActive, TileAccumulator, type AccumulatorState, type RowFilters } from './pooling';
import { clipWindow, fullWindow, type Tile, type Window } from './tiles';
import type { AttentionOptions, LayerWeights } from './types';

/** Which matrix of the layer: one head, or the heads' mean or maximum. */
export interface KeptChoice {
  head: number;
  aggregate: 'none' | 'mean' | 'max';
}

export interface KeptLayer {
  layer: BlockwiseLayer;
  /** Each head's whole matrix pooled to `overview` blocks a side (fewer when N is smaller). */
  overviews: Tile[];
  overview: number;
  /** Largest weight of each head: [H]. */
  peaks: Float32Array;
  /** Entropy and sparsity per head ([H] each), once asked for. */
  spread?: { entropy: Float32Array; sparsity: Float32Array };
}

/** Query rows r0 … r1 − 1 of a kept layer, as one thread computes them: its slice and its overview blocks. */
export interface KeptPart {
  layer: BlockwiseLayer;
  /** Each head's overview accumulator after this slice's rows. */
  pools: AccumulatorState[];
  overview: number;
}

/** Computes the layer blockwise and, in the same pass, each head's overview. */
export function keepLayer(x: Float32Array, n: number, w: LayerWeights, opts: AttentionOptions, overview: number): KeptLayer {
  return joinKept([keepRows(x, n, w, opts, overview, [0, n])]);
}

/** One slice of query rows of keepLayer, for a thread of its own (see joinKept). */
export function keepRows(
  x: Float32Array, n: number, w: LayerWeights, opts: AttentionOptions, overview: number, rows: [number, number],
): KeptPart {
  const side = Math.max(1, Math.min(overview, n));
  const pools = Array.from({ length: opts.heads }, () => new TileAccumulator(fullWindow(n), side, side));
  const layer = blockwiseAttention(x, n, w, opts, {
    rows,
    // rows: [count, N], the final weights of queries q0 … q0 + count − 1 of head h.
    onRows: (h, q0, weights, count) => {
      for (let r = 0; r < count; r++) pools[h].addRow(q0 + r, weights, r * n);
    },
  });
  return { layer, pools: pools.map((p) => p.state()), overview: side };
}

/**
 * Query rows cut into `parts` slices of about equal work, the first from row 0: equal counts, or
 * under a causal mask (row i sees i + 1 keys) cuts at N·√(j/parts).
 */
export function splitRows(n: number, parts: number, causal: boolean): [number, number][] {
  const cut = (j: number) => Math.round(causal ? n * Math.sqrt(j / parts) : (n * j) / parts);
  return Array.from({ length: parts }, (_, j): [number, number] => [cut(j), cut(j + 1)]).filter(([a, b]) => b > a);
}

/** Slices of every query row, computed apart, as one kept layer (q, k, v are taken from the first). */
export function joinKept(parts: KeptPart[]): KeptLayer {
  const layer = joinRows(parts.map((p) => p.layer));
  const { n, heads } = layer;
  const side = parts[0].overview;
  const overviews = Array.from({ length: heads }, (_, h) => {
    const pool = new TileAccumulator(fullWindow(n), side, side);
    for (const part of parts) pool.absorb(part.pools[h]);
    return pool.finish();
  });
  // The largest block maximum of a whole-matrix overview is the largest weight.
  const peaks = Float32Array.from(overviews, (t) => t.max.reduce((m, v) => (v > m ? v : m), 0));
  return { layer, overviews, overview: side, peaks };
}

/** Entropy and sparsity of every head (gathered on first use, then kept), and the peaks. */
export function keptStats(kept: KeptLayer): { entropy: Float32Array; sparsity: Float32Array; max: Float32Array } {
  const { n, heads, mask } = kept.layer;
  if (!kept.spread) {
    const spread = new SpreadAccumulator(heads, n, mask);
    const block = Math.min(DEFAULT_BLOCK, n);
    const rows = new Float32Array(block * n); // one query block: [B, N]
    for (let h = 0; h < heads; h++) {
      for (let q0 = 0; q0 < n; q0 += block) {
        const count = Math.min(block, n - q0);
        weightsRows(kept.layer, h, q0, q0 + count, rows);
        for (let r = 0; r < count; r++) spread.addRow(h, q0 + r, rows, r * n);
      }
    }
    kept.spread = spread.finish();
  }
  return { ...kept.spread, max: kept.peaks };
}

/**
 * A tile of the kept layer and the top of its colour scale. The whole matrix unfiltered, at the
 * overview's size or one that divides it, comes from the overview; anything else is rebuilt.
 */
export function keptTile(
  kept: KeptLayer, choice: KeptChoice, filters: RowFilters, window: Window, rows: number, cols: number,
): { tile: Tile; peak: number } {
  const { layer } = kept;
  const { n, heads } = layer;
  if (choice.aggregate === 'none') {
    if (!Number.isInteger(choice.head) || choice.head < 0 || choice.head >= heads) throw new RangeError(`there is no head ${choice.head + 1}`);
    const w = clipWindow(window, n);
    const whole = w.q0 === 0 && w.k0 === 0 && w.q1 === n && w.k1 === n;
    const filtering = rowFiltersActive(filters.threshold, filters.topK, n);
    const pooled = whole && !filtering ? coarsenTile(kept.overviews[choice.head], rows, cols) : undefined;
    const tile = pooled ?? headTile(layer, choice.head, w, rows, cols, filters);
    return { tile, peak: kept.peaks[choice.head] };
  }
  const tile = aggregateTile(layer, choice.aggregate, filters, window, rows, cols);
  return { tile, peak: choice.aggregate === 'max' ? Math.max(...kept.peaks) : maxOfTile(tile) };
}

/** The heads' mean or maximum over a window: every head's rows rebuilt, combined, filtered, pooled. */
function aggregateTile(
  layer: BlockwiseLayer, kind: 'mean' | 'max', filters: RowFilters, window: Window, rows: number, cols: number,
): Tile {
  const { n, heads } = layer;
  const w = clipWindow(window, n);
  const acc = new TileAccumulator(w, rows, cols);
  const block = Math.min(DEFAULT_BLOCK, w.q1 - w.q0);
  const one = new Float32Array(block * n); // one head's block: [B, N]
  const combined = new Float32Array(block * n); // the heads combined: [B, N]
  const scratch = new Float32Array(n);
  for (let b0 = w.q0; b0 < w.q1; b0 += block) {
    const count = Math.min(block, w.q1 - b0);
    const size = count * n;
    combined.fill(kind === 'max' ? -Infinity : 0, 0, size);
    for (let h = 0; h < heads; h++) {
      weightsRows(layer, h, b0, b0 + count, one);
      if (kind === 'mean') for (let c = 0; c < size; c++) combined[c] += one[c];
      else for (let c = 0; c < size; c++) if (one[c] > combined[c]) combined[c] = one[c];
    }
    if (kind === 'mean') for (let c = 0; c < size; c++) combined[c] /= heads;
    for (let r = 0; r < count; r++) {
      filterRow(combined, r * n, n, filters.threshold, filters.topK, scratch);
      acc.addRow(b0 + r, combined, r * n);
    }
  }
  return acc.finish();
}

function maxOfTile(t: Tile): number {
  let m = 0;
  for (const v of t.max) if (v > m) m = v;
  return m;
}
