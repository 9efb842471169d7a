// Masking and the row softmax of attention. A query may look at key j when the mask allows it:
// causal masks hide later keys (j > i), key padding hides keys marked 0. A row whose keys are all
// hidden gets weights of zero, where the textbook formula would give 0/0 = NaN.

import { simdExp } from './kernels';

export interface MaskPlan {
  causal: boolean;
  /** [N], 0 where a key is padding; null when no key is hidden for padding. */
  keep: Uint8Array | null;
}

/** Number of leading keys query i can possibly see: all N, or i + 1 under a causal mask. */
export const visibleKeys = (mask: MaskPlan, i: number, n: number): number => (mask.causal ? Math.min(i + 1, n) : n);

/**
 * Each row's softmax statistics, at index `at` + r for row r of a call: the largest visible score
 * (−∞ when every key is hidden, +∞ when a score overflowed) and Σ exp(score − max) over the
 * visible keys (the count of +∞ scores in the overflow case, 0 when every key is hidden). Kept in
 * double precision, as computed, so weights rebuilt from them are the same bits.
 */
export interface RowStats {
  max: Float32Array;
  sum: Float64Array;
  at: number;
}

/**
 * In place over rows i = first … first + rows − 1 of p: [N, N] (row i at offset + (i − first)·n):
 * replaces scores by softmax weights over the keys query i may see, and zeros elsewhere. With
 * `record`, also stores each row's max and normaliser there.
 */
export function maskedSoftmaxRows(
  p: Float32Array, offset: number, first: number, rows: number, n: number, mask: MaskPlan, record?: RowStats,
): void {
  const simd = simdExp(n);
  for (let r = 0; r < rows; r++) {
    const i = first + r;
    const row = offset + r * n;
    const limit = visibleKeys(mask, i, n);
    // Subtracting the row maximum keeps exp() in range for arbitrarily large logits.
    const max = visibleMax(p, row, limit, mask.keep);
    const sum = softmaxRow(p, row, limit, n, mask.keep, simd, max, null);
    if (record) {
      record.max[record.at + r] = max;
      record.sum[record.at + r] = sum;
    }
  }
}

/**
 * maskedSoftmaxRows with each row's max and normaliser given (as recorded by it) instead of
 * found: the same weights, bit for bit, from scores recomputed later.
 */
export function softmaxRowsFromStats(
  p: Float32Array, offset: number, first: number, rows: number, n: number, mask: MaskPlan, stats: RowStats,
): void {
  const simd = simdExp(n);
  for (let r = 0; r < rows; r++) {
    const limit = visibleKeys(mask, first + r, n);
    softmaxRow(p, offset + r * n, limit, n, mask.keep, simd, stats.max[stats.at + r], stats.sum[stats.at + r]);
  }
}

/** The largest score among the first `limit` keys that are not padding (−∞ when none is). */
function visibleMax(p: Float32Array, row: number, limit: number, keep: Uint8Array | null): number {
  let max = -Infinity;
  for (let j = 0; j < limit; j++) if ((!keep || keep[j]) && p[row + j] > max) max = p[row + j];
  return max;
}

/**
 * One row of scores to weights, given its max; the normaliser is summed here unless given.
 * Returns the normaliser (see RowStats).
 */
function softmaxRow(
  p: Float32Array, row: number, limit: number, n: number, keep: Uint8Array | null,
  simd: ReturnType<typeof simdExp>, max: number, given: number | null,
): number {
  if (max === -Infinity) {
    p.fill(0, row, row + n);
    return 0;
  }
  if (max === Infinity) return infiniteRow(p, row, limit, n, keep);
  const e = simd ? simdRow(simd, p, row, limit, max) : jsRow(p, row, limit, max);
  // The sum is taken in double precision, so each weight is rounded to float32 once.
  let sum = 0;
  if (given !== null) sum = given;
  else if (keep) for (let j = 0; j < limit; j++) sum += keep[j] ? e[j] : 0;
  else for (let j = 0; j < limit; j++) sum += e[j];
  const inv = 1 / sum;
  if (keep) for (let j = 0; j < limit; j++) p[row + j] = keep[j] ? e[j] * inv : 0;
  else for (let j = 0; j < limit; j++) p[row + j] = e[j] * inv;
  p.fill(0, row + limit, row + n);
  return sum;
}

/** exp(p[row + j] − max) for j < limit, four at a time in the SIMD kernel (float32). */
function simdRow(simd: NonNullable<ReturnType<typeof simdExp>>, p: Float32Array, row: number, limit: number, max: number): Float32Array {
  simd.heap.set(p.subarray(row, row + limit), 0);
  simd.exp(limit, max);
  return simd.heap;
}

let buffer = new Float64Array(256);

/** exp(p[row + j] − max) for j < limit with Math.exp, kept in double precision. */
function jsRow(p: Float32Array, row: number, limit: number, max: number): Float64Array {
  if (buffer.length < limit) buffer = new Float64Array(Math.max(limit, buffer.length * 2));
  for (let j = 0; j < limit; j++) buffer[j] = Math.exp(p[row + j] - max);
  return buffer;
}

/** A score that overflowed float32 to +∞ wins outright; ties share the weight evenly. Returns their count. */
function infiniteRow(p: Float32Array, row: number, limit: number, n: number, keep: Uint8Array | null): number {
  let count = 0;
  for (let j = 0; j < limit; j++) if ((!keep || keep[j]) && p[row + j] === Infinity) count++;
  for (let j = 0; j < n; j++) {
    p[row + j] = j < limit && (!keep || keep[j]) && p[row + j] === Infinity ? 1 / count : 0;
  }
  return count;
}

/** masked[i][j] = scaled[i][j] where query i may see key j, −∞ elsewhere. Both [N, N]. */
export function applyMask(scaled: Float32Array, n: number, mask: MaskPlan): Float32Array {
  const masked = new Float32Array(scaled);
  for (let i = 0; i < n; i++) {
    const limit = visibleKeys(mask, i, n);
    for (let j = 0; j < n; j++) {
      if (j >= limit || (mask.keep && !mask.keep[j])) masked[i * n + j] = -Infinity;
    }
  }
  return masked;
}
