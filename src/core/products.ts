// The matrix products attention is built of: projections, scores q · kᵀ and weights · v. The
// dense path (attention.ts) and the blockwise path (blockwise.ts) both call these, over all
// query rows or over one block of them. A cell's bits depend only on the kernel and on the
// length of its sum (see kernels.ts), so both paths must cut their sums the same way: under a
// causal mask the rows are taken in strips aligned to multiples of CAUSAL_STRIP from query 0,
// whatever block a caller asks for, and then the two paths agree bit for bit.

import { gemmABt, transpose, view, type View } from './kernels';
import type { AttentionPlan } from './validate';

/**
 * Rows handled per kernel call under a causal mask. Skipping the hidden upper triangle saves up
 * to half the work; strips much taller than 1 keep the per-call copying of the SIMD kernel small.
 */
const CAUSAL_STRIP = 32;

/** x · w + b for x: [N, d], w: [d, d] (rows = input features); returns [N, d]. */
export function project(x: Float32Array, n: number, d: number, w: Float32Array, b: Float32Array): Float32Array {
  return projectColumns(x, n, d, w, b, 0, d);
}

/**
 * Rows projected per kernel call. The SIMD kernel copies its operands into its own memory, which
 * never shrinks until trimmed: one call over 16384 × 768 inputs would grow it by 100 MB.
 */
const PROJECT_ROWS = 1024;

/** Columns col … col + cols − 1 of x · w + b, written to out (default a new [N, cols]); returns out. */
export function projectColumns(
  x: Float32Array, n: number, d: number, w: Float32Array, b: Float32Array, col: number, cols: number,
  out = new Float32Array(n * cols),
): Float32Array {
  const wt = transpose(view(w, col, d), d, cols, new Float32Array(cols * d)); // wt: [cols, d]
  for (let i = 0; i < n; i += PROJECT_ROWS) {
    const rows = Math.min(PROJECT_ROWS, n - i);
    gemmABt(rows, cols, d, view(x, i * d, d), view(wt, 0, d), view(out, i * cols, cols), 1, b, col);
  }
  return out;
}

/** The same view moved down `rows` rows. */
const down = (v: View, rows: number): View => view(v.data, v.offset + rows * v.stride, v.stride);

/**
 * Calls fn for the runs of query rows first … first + rows − 1 that one kernel call handles, with
 * the number of leading keys the run needs: all N, or under a causal mask the keys up to the end
 * of the run's strip (a strip is CAUSAL_STRIP rows counted from query 0).
 */
function forEachRun(
  plan: AttentionPlan, first: number, rows: number, fn: (i: number, count: number, keys: number) => void,
): void {
  const { n } = plan;
  if (!plan.mask.causal) {
    fn(first, rows, n);
    return;
  }
  const end = first + rows;
  for (let i = first; i < end;) {
    const stripEnd = (Math.floor(i / CAUSAL_STRIP) + 1) * CAUSAL_STRIP;
    const runEnd = Math.min(end, stripEnd);
    fn(i, runEnd - i, Math.min(n, stripEnd));
    i = runEnd;
  }
}

/**
 * Scores of query rows first … first + rows − 1 of one head: out[r][j] = scale · q[first + r] ·
 * k[j]. q and k are the head's [N, d_head] (through views, so a column block of [N, d] works),
 * out's row 0 is query `first`: [rows, N]. Under a causal mask keys past the row's strip are
 * not computed; the softmax zeroes them.
 */
export function scoreRows(
  q: View, k: View, plan: AttentionPlan, first: number, rows: number, out: View,
): void {
  forEachRun(plan, first, rows, (i, count, keys) => {
    gemmABt(count, keys, plan.dHead, down(q, i), k, down(out, i - first), plan.scale);
  });
}

/**
 * out[r][c] = Σ_j weights[r][j] · vt[c][j] for query rows first … first + rows − 1 of one head:
 * weights [rows, N] (row 0 is query `first`), vt the head's values transposed [d_head, N], out
 * [rows, d_head] (row 0 is query `first`). Under a causal mask a strip's weights are zero past
 * its last key, so the sum stops there.
 */
export function weightedValueRows(
  weights: View, vt: View, plan: AttentionPlan, first: number, rows: number, out: View,
): void {
  forEachRun(plan, first, rows, (i, count, keys) => {
    gemmABt(count, plan.dHead, keys, down(weights, i - first), vt, down(out, i - first));
  });
}
