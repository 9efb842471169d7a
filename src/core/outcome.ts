// What every engine's result must satisfy before anyone reads it, checked after the engine ran by
// this one function whichever engine it was, so the core and onnxruntime report the same thing
// for the same input: a query whose scores leave float32's range (the core would share the weight
// among the +∞ scores, onnxruntime writes NaN), a row of weights that is NaN or all zeros where
// keys were visible, or an output that overflows. A row whose keys the mask hides on purpose
// keeps its documented weights of zero, in both engines.

import { InputError } from './errors';
import { visibleKeys, type MaskPlan } from './softmax';
import type { AttentionOptions, AttentionResult, LayerWeights } from './types';
import { checkAttentionInputs, type AttentionPlan } from './validate';

const F32_MAX = 3.4028234663852886e38;

/**
 * Throws an InputError ('overflow') naming the first query (1-based, of `sequence`: the command
 * line runs one, the editor numbers its selections) whose scores or output leave float32's
 * range, or whose weights are not a distribution. Rows the mask hides entirely are set to zeros, as the core writes them.
 */
export function checkAttentionOutcome(
  x: Float32Array, n: number, w: LayerWeights, opts: AttentionOptions, r: AttentionResult, sequence = 1,
): void {
  const plan = checkAttentionInputs(x, n, w, opts);
  const where = (q: number, head?: number): string =>
    `sequence ${sequence}, query ${q + 1}${head === undefined ? '' : ` (head ${head + 1})`}`;
  checkScores(x, w, plan, where);
  checkWeights(r.weights, plan, where);
  checkOutput(r.output, n, w.dModel, where);
}

/** Where a problem is, for the message: "sequence 2, query 5 (head 3)". */
type Where = (q: number, head?: number) => string;

/**
 * Scores q·kᵀ·scale past float32's range. Most inputs are ruled out by a bound (largest row norm
 * of x times the projections' Frobenius norms); only then are q and k formed, in double.
 */
function checkScores(x: Float32Array, w: LayerWeights, plan: AttentionPlan, where: Where): void {
  const { n, d } = plan;
  let xMax = 0;
  for (let i = 0; i < n; i++) xMax = Math.max(xMax, norm(x, i * d, d));
  const qBound = xMax * norm(w.wq, 0, d * d) + norm(w.bq, 0, d);
  const kBound = xMax * norm(w.wk, 0, d * d) + norm(w.bk, 0, d);
  if (qBound * kBound * plan.scale < F32_MAX / 4) return;
  const q = project(x, n, d, w.wq, w.bq); // q: [N, d_model]
  const k = project(x, n, d, w.wk, w.bk); // k: [N, d_model]
  for (let i = 0; i < n; i++) {
    for (let h = 0; h < plan.heads; h++) {
      const limit = visibleKeys(plan.mask, i, n);
      for (let j = 0; j < limit; j++) {
        if (plan.mask.keep && !plan.mask.keep[j]) continue;
        let s = 0;
        for (let c = h * plan.dHead; c < (h + 1) * plan.dHead; c++) s += q[i * d + c] * k[j * d + c];
        if (!(Math.abs(s * plan.scale) <= F32_MAX)) {
          throw new InputError('overflow', `${where(i, h)}: its score for key ${j + 1} overflows float32; scale the input down`, i + 1);
        }
      }
    }
  }
}

function norm(a: Float32Array, from: number, len: number): number {
  let s = 0;
  for (let i = from; i < from + len; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

/** x · w + b in double precision, [N, d]. */
function project(x: Float32Array, n: number, d: number, w: Float32Array, b: Float32Array): Float64Array {
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++)
    for (let c = 0; c < d; c++) {
      let s = b[c];
      for (let e = 0; e < d; e++) s += x[i * d + e] * w[e * d + c];
      out[i * d + c] = s;
    }
  return out;
}

/** Each row a distribution over the keys it sees; a row that sees none is zeros. weights: [H, N, N]. */
function checkWeights(weights: Float32Array, plan: AttentionPlan, where: Where): void {
  const { n } = plan;
  for (let h = 0; h < plan.heads; h++) {
    for (let i = 0; i < n; i++) {
      const row = (h * n + i) * n;
      if (!seesAnyKey(plan.mask, i, n)) {
        weights.fill(0, row, row + n);
        continue;
      }
      let sum = 0;
      for (let j = 0; j < n; j++) sum += weights[row + j];
      if (!(Math.abs(sum - 1) <= 1e-3)) {
        throw new InputError('overflow', `${where(i, h)}: its scores are all −∞ or NaN (weights sum to ${sum}); scale the input down`, i + 1);
      }
    }
  }
}

function seesAnyKey(mask: MaskPlan, i: number, n: number): boolean {
  const limit = visibleKeys(mask, i, n);
  if (!mask.keep) return limit > 0;
  for (let j = 0; j < limit; j++) if (mask.keep[j]) return true;
  return false;
}

/** output: [N, d_model], every value finite. */
function checkOutput(output: Float32Array, n: number, d: number, where: Where): void {
  for (let i = 0; i < n * d; i++) {
    if (!Number.isFinite(output[i])) {
      const q = Math.floor(i / d);
      throw new InputError('overflow', `${where(q)}: its output (column ${(i % d) + 1}) overflows float32; scale the input down`, q + 1);
    }
  }
}
