// Comparisons with tolerances for the numeric tests.
import assert from 'node:assert/strict';

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
