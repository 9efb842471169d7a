// Masking and the row softmax of attention. A query may look at key j when the mask allows it:
// causal masks hide later keys (j > i), key padding hides keys marked 0. A row whose keys are all
// hidden gets weights of zero, where the textbook formula would give 0/0 = NaN.

export interface MaskPlan {
  causal: boolean;
  /** [N], 0 where a key is padding; null when no key is hidden for padding. */
  keep: Uint8Array | null;
}

/** Number of leading keys query i can possibly see: all N, or i + 1 under a causal mask. */
export const visibleKeys = (mask: MaskPlan, i: number, n: number): number => (mask.causal ? Math.min(i + 1, n) : n);

/**
 * In place over rows i = first … first + rows − 1 of p: [N, N] (row i at offset + (i − first)·n):
 * replaces scores by softmax weights over the keys query i may see, and zeros elsewhere.
 */
export function maskedSoftmaxRows(
  p: Float32Array, offset: number, first: number, rows: number, n: number, mask: MaskPlan,
): void {
  const keep = mask.keep;
  for (let r = 0; r < rows; r++) {
    const i = first + r;
    const row = offset + r * n;
    const limit = visibleKeys(mask, i, n);
    // Subtracting the row maximum keeps exp() in range for arbitrarily large logits.
    let max = -Infinity;
    for (let j = 0; j < limit; j++) if ((!keep || keep[j]) && p[row + j] > max) max = p[row + j];
    if (max === -Infinity) {
      p.fill(0, row, row + n);
      continue;
    }
    if (max === Infinity) {
      infiniteRow(p, row, limit, n, keep);
      continue;
    }
    // The exponentials stay in double precision until the final division, so each weight is
    // rounded to float32 once.
    const e = scratch(limit);
    let sum = 0;
    for (let j = 0; j < limit; j++) {
      const v = !keep || keep[j] ? Math.exp(p[row + j] - max) : 0;
      e[j] = v;
      sum += v;
    }
    const inv = 1 / sum;
    for (let j = 0; j < limit; j++) p[row + j] = e[j] * inv;
    p.fill(0, row + limit, row + n);
  }
}

let buffer = new Float64Array(256);
function scratch(length: number): Float64Array {
  if (buffer.length < length) buffer = new Float64Array(Math.max(length, buffer.length * 2));
  return buffer;
}

/** A score that overflowed float32 to +∞ wins outright; ties share the weight evenly. */
function infiniteRow(p: Float32Array, row: number, limit: number, n: number, keep: Uint8Array | null): void {
  let count = 0;
  for (let j = 0; j < limit; j++) if ((!keep || keep[j]) && p[row + j] === Infinity) count++;
  for (let j = 0; j < n; j++) {
    p[row + j] = j < limit && (!keep || keep[j]) && p[row + j] === Infinity ? 1 / count : 0;
  }
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
