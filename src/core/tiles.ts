// Parts of an [N][N] attention matrix at the resolution they are drawn: a window of queries ×
// keys, pooled into blocks that keep each block's largest and mean weight, so a sharp weight is
// never averaged away. A view asks for the tiles it draws; what crosses from the host then grows
// with the pixels on screen, not with N².

/** Queries q0 … q1 − 1 by keys k0 … k1 − 1 (end exclusive). */
export interface Window {
  q0: number;
  q1: number;
  k0: number;
  k1: number;
}

/**
 * A window pooled to rows × cols blocks. Block (r, c) covers queries q0 + ⌈r·H/rows⌉ … and keys
 * k0 + ⌈c·W/cols⌉ … (H = q1 − q0, W = k1 − k0): query offset i falls in block ⌊i·rows/H⌋, the
 * split blockOf and blockStart give (pooling.ts pools by it); rows ≤ H, cols ≤ W.
 */
export interface Tile {
  window: Window;
  rows: number;
  cols: number;
  max: Float32Array; // [rows][cols], the largest weight of each block
  mean: Float32Array; // [rows][cols], the mean weight of each block
  /** True when every block is one weight (rows = H and cols = W): max and mean are the weights. */
  exact: boolean;
}

/**
 * Blocks a side of a whole-matrix overview: what a heatmap asks for first (its pixels seldom need
 * more), and what a layer kept blockwise pools while it is computed, so that request costs nothing.
 * Smaller overviews that divide it (128, 64 …) come from it too.
 */
export const OVERVIEW_BLOCKS = 256;

/** The whole matrix of N tokens. */
export function fullWindow(n: number): Window {
  return { q0: 0, q1: n, k0: 0, k1: n };
}

/** A window clipped to N tokens, never empty (at least one query and one key when N ≥ 1). */
export function clipWindow(w: Window, n: number): Window {
  const clip = (v: number) => Math.max(0, Math.min(n, Math.floor(v)));
  const q0 = Math.min(clip(w.q0), n - 1);
  const k0 = Math.min(clip(w.k0), n - 1);
  return { q0, q1: Math.max(q0 + 1, clip(w.q1)), k0, k1: Math.max(k0 + 1, clip(w.k1)) };
}

/** The block a query (or key) offset i of a span falls in, when the span is split into `parts` blocks. */
export function blockOf(i: number, span: number, parts: number): number {
  return Math.floor((i * parts) / span);
}

/** The first offset of block b of a span split into `parts` blocks (inverse of blockOf). */
export function blockStart(b: number, span: number, parts: number): number {
  return Math.ceil((b * span) / parts);
}
