// Multi-head self-attention, in the convention of types.ts: q = x · wq + bq, head h reads
// columns h·d_head … (h+1)·d_head − 1, output = concat(heads) · wo + bo. This is
// torch.nn.MultiheadAttention with its projection matrices transposed.
//
// multiHeadAttention keeps only what every view needs (per-head weights and the output) and
// reuses one N × N buffer per head, so memory stays at H·N² floats plus O(N·d).
// headSteps recomputes one head with every intermediate, for the step-by-step view; it runs the
// same kernels in the same order, so its weights equal multiHeadAttention's bit for bit.

import { transpose, trimWasmMemory, view } from './kernels';
import { project, projectColumns, scoreRows, weightedValueRows } from './products';
import { applyMask, maskedSoftmaxRows } from './softmax';
import type { AttentionOptions, AttentionResult, HeadSteps, LayerWeights } from './types';
import { InputError } from './errors';
import { checkAttentionInputs, type AttentionPlan } from './validate';

export function multiHeadAttention(
  x: Float32Array, n: number, w: LayerWeights, opts: AttentionOptions,
): AttentionResult {
  const plan = checkAttentionInputs(x, n, w, opts);
  const { d, heads: H, dHead: dh } = plan;
  // q, k, v: [N, d]; head h is the column block h·dh … (h+1)·dh − 1 of each.
  const q = project(x, n, d, w.wq, w.bq);
  const k = project(x, n, d, w.wk, w.bk);
  const v = project(x, n, d, w.wv, w.bv);
  const weights = new Float32Array(H * n * n); // weights: [H, N, N]
  const context = new Float32Array(n * d); // concat(heads): [N, d]
  const vt = new Float32Array(dh * n); // one head's v, transposed: [dh, N]
  for (let h = 0; h < H; h++) {
    const offset = h * n * n;
    // weights[h] = q_h · k_hᵀ · scale: [N, N]
    scoreRows(view(q, h * dh, d), view(k, h * dh, d), plan, 0, n, view(weights, offset, n));
    maskedSoftmaxRows(weights, offset, 0, n, n, plan.mask); // rows now sum to 1 (or are all 0)
    transpose(view(v, h * dh, d), n, dh, vt); // vt = v_hᵀ: [dh, N]
    // context[:, h] = weights[h] · v_h: [N, dh]
    weightedValueRows(view(weights, offset, n), view(vt, 0, n), plan, 0, n, view(context, h * dh, d));
  }
  const output = project(context, n, d, w.wo, w.bo); // output: [N, d]
  trimWasmMemory();
  return { n, dModel: d, heads: H, dHead: dh, weights, output };
}

export function headSteps(
  x: Float32Array, n: number, w: LayerWeights, opts: AttentionOptions, head: number,
): HeadSteps {
  const plan = checkAttentionInputs(x, n, w, opts, head);
  const { d, dHead: dh } = plan;
  const col = head * dh;
  // q, k, v of this head only: [N, dh]
  const q = projectColumns(x, n, d, w.wq, w.bq, col, dh);
  const k = projectColumns(x, n, d, w.wk, w.bk, col, dh);
  const v = projectColumns(x, n, d, w.wv, w.bv, col, dh);
  return stepsOf(q, k, v, plan, head);
}

/**
 * One head's steps from its own queries, keys and values ([N, d_head] each), as a model computed
 * them: scores, scaling by 1/sqrt(d_head) (unless `scale` is false), the mask, softmax, output.
 */
export function headStepsFromQkv(
  q: Float32Array, k: Float32Array, v: Float32Array, n: number, dHead: number, opts: { scale: boolean; causal: boolean }, head: number,
): HeadSteps {
  if (!Number.isInteger(n) || n < 1) throw new InputError('empty', `need at least one token, got N = ${n}`);
  for (const [name, m] of [['q', q], ['k', k], ['v', v]] as const) {
    if (m.length !== n * dHead) throw new InputError('shape', `${name} must hold N × d_head = ${n} × ${dHead} values, got ${m.length}`);
  }
  const plan: AttentionPlan = {
    n, d: dHead, heads: 1, dHead, scale: opts.scale ? 1 / Math.sqrt(dHead) : 1, mask: { causal: opts.causal, keep: null },
  };
  return stepsOf(q, k, v, plan, head);
}

/** The steps after the projection, shared by the built-in layer and a model's own q, k, v. */
function stepsOf(q: Float32Array, k: Float32Array, v: Float32Array, plan: AttentionPlan, head: number): HeadSteps {
  const { n, dHead: dh } = plan;
  const unscaled: AttentionPlan = { ...plan, scale: 1 };
  const scores = new Float32Array(n * n); // scores: [N, N] = q · kᵀ
  scoreRows(view(q, 0, dh), view(k, 0, dh), unscaled, 0, n, view(scores, 0, n));
  const scaled = new Float32Array(n * n); // scaled: [N, N]
  scoreRows(view(q, 0, dh), view(k, 0, dh), plan, 0, n, view(scaled, 0, n));
  const masked = applyMask(scaled, n, plan.mask); // masked: [N, N], −∞ where hidden
  const weights = new Float32Array(scaled); // weights: [N, N]
  maskedSoftmaxRows(weights, 0, 0, n, n, plan.mask);
  const vt = transpose(view(v, 0, dh), n, dh, new Float32Array(dh * n)); // vt: [dh, N]
  const output = new Float32Array(n * dh); // output: [N, dh] = weights · v
  weightedValueRows(view(weights, 0, n), view(vt, 0, n), plan, 0, n, view(output, 0, dh));
  trimWasmMemory();
  return { head, n, dHead: dh, q, k, v, scores, scaled, masked, weights, output };
}
