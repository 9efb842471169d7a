// Comparisons with tolerances for the numeric tests, and the seeded inputs they compare on.
import assert from 'node:assert/strict';
import { fillGaussian } from '../../../src/core/random';
import type { LayerWeights } from '../../../src/core/types';

/** x: [N, d] of seeded N(0, scale²) entries. */
export function randomInput(n: number, d: number, seed: number, scale = 1): Float32Array {
  return fillGaussian(new Float32Array(n * d), seed, 'test-input', scale);
}

/** w with seeded N(0, 0.25) biases, so tests cover the + b of every projection. */
export function withBiases(w: LayerWeights, seed: number): LayerWeights {
  for (const name of ['bq', 'bk', 'bv', 'bo'] as const) fillGaussian(w[name], seed, name, 0.5);
  return w;
}

/** Every |actual − expected| ≤ tol. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let worst = 0, at = -1;
  for (let i = 0; i < actual.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    if (!(err <= worst)) { worst = err; at = i; }
  }
  assert.ok(worst <= tol, `${what}: index ${at} differs by ${worst} (got ${actual[at]}, want ${expected[at]}, tol ${tol})`);
}

/** Errors measured relative to the largest |expected| (at least 1), for outputs of any magnitude. */
export function assertCloseRelative(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  let scale = 1;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  assertClose(actual, expected, tol * scale, `${what} (scale ${scale})`);
}
