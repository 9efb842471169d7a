// Multi-head self-attention, in the convention of types.ts: q = x · wq + bq, head h reads
// columns h·d_head … (h+1)·d_head − 1, output = concat(heads) · wo + bo. This is
// torch.nn.MultiheadAttention with its projection matrices transposed.
//
// multiHeadAttention keeps only what every view needs (per-head weights and the output) and
// reuses one N × N buffer per head, so memory stays at H·N² floats plus O(N·d).
// headSteps recomputes one head with every intermediate, for the step-by-step view; it runs the
// same kernels in the same order, so its weights equal multiHeadAttention's bit for bit.

import { gemmABt, transpose, trimWasmMemory, view } from './kernels';
import { applyMask, maskedSoftmaxRows } from './softmax';
import type { AttentionOptions, AttentionResult, HeadSteps, LayerWeights } from './types';
import { checkAttentionInputs, type AttentionPlan } from './validate';

/**
 * Rows handled per kernel call under a causal mask. Skipping the hidden upper triangle saves up
 * to half the work; strips much taller than 1 keep the per-call copying of the SIMD kernel small.
 */
const CAUSAL_STRIP = 32;

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
    scoresInto(q, k, plan, h, weights, offset); // weights[h] = q_h · k_hᵀ · scale: [N, N]
    maskedSoftmaxRows(weights, offset, 0, n, n, plan.mask); // rows now sum to 1 (or are all 0)
    transpose(view(v, h * dh, d), n, dh, vt); // vt = v_hᵀ: [dh, N]
    weightedValues(weights, offset, vt, plan, context, h * dh, d); // context[:, h] = weights[h] · v_h
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
  const unscaled: AttentionPlan = { ...plan, scale: 1 };
  const scores = new Float32Array(n * n); // scores: [N, N] = q · kᵀ
  scoresInto(q, k, { ...unscaled, d: dh }, 0, scores, 0);
  const scaled = new Float32Array(n * n); // scaled: [N, N]
  scoresInto(q, k, { ...plan, d: dh }, 0, scaled, 0);
  const masked = applyMask(scaled, n, plan.mask); // masked: [N, N], −∞ where hidden
  const weights = new Float32Array(scaled); // weights: [N, N]
  maskedSoftmaxRows(weights, 0, 0, n, n, plan.mask);
  const vt = transpose(view(v, 0, dh), n, dh, new Float32Array(dh * n)); // vt: [dh, N]
  const output = new Float32Array(n * dh); // output: [N, dh] = weights · v
  weightedValues(weights, 0, vt, plan, output, 0, dh);
  trimWasmMemory();
  return { head, n, dHead: dh, q, k, v, scores, scaled, masked, weights, output };
}

/** x · w + b for x: [N, d], w: [d, d] (rows = input features); returns [N, d]. */
function project(x: Float32Array, n: number, d: number, w: Float32Array, b: Float32Array): Float32Array {
  return projectColumns(x, n, d, w, b, 0, d);
}

/** Columns col … col + cols − 1 of x · w + b; returns [N, cols]. */
function projectColumns(
  x: Float32Array, n: number, d: number, w: Float32Array, b: Float32Array, col: number, cols: number,
): Float32Array {
  const wt = transpose(view(w, col, d), d, cols, new Float32Array(cols * d)); // wt: [cols, d]
  const out = new Float32Array(n * cols);
  gemmABt(n, cols, d, view(x, 0, d), view(wt, 0, d), view(out, 0, cols), 1, b, col);
  return out;
}

/**
 * out[offset + i·N + j] = scale · q_h[i] · k_h[j] for head h, where q and k are [N, plan.d] and
 * head h is the column block h·dh …. Under a causal mask only keys j ≤ i (rounded up to a
 * strip of rows) are computed; the softmax zeroes the rest.
 */
function scoresInto(
  q: Float32Array, k: Float32Array, plan: AttentionPlan, h: number, out: Float32Array, offset: number,
): void {
  const { n, d, dHead: dh, scale } = plan;
  const qv = view(q, h * dh, d);
  const kv = view(k, h * dh, d);
  if (!plan.mask.causal) {
    gemmABt(n, n, dh, qv, kv, view(out, offset, n), scale);
    return;
  }
  for (let i = 0; i < n; i += CAUSAL_STRIP) {
    const rows = Math.min(CAUSAL_STRIP, n - i);
    const cols = Math.min(n, i + CAUSAL_STRIP);
    gemmABt(rows, cols, dh, view(q, h * dh + i * d, d), kv, view(out, offset + i * n, n), scale);
  }
}

/** out[i][col + c] = Σ_j weights[i][j] · vt[c][j]: weights [N, N] at offset, vt [dh, N]. */
function weightedValues(
  weights: Float32Array, offset: number, vt: Float32Array, plan: AttentionPlan,
  out: Float32Array, col: number, ldOut: number,
): void {
  const { n, dHead: dh } = plan;
  if (!plan.mask.causal) {
    gemmABt(n, dh, n, view(weights, offset, n), view(vt, 0, n), view(out, col, ldOut));
    return;
  }
  // Under a causal mask, the strip of rows i … i + STRIP − 1 has nonzero weights only for keys
  // j < i + STRIP.
  for (let i = 0; i < n; i += CAUSAL_STRIP) {
    const rows = Math.min(CAUSAL_STRIP, n - i);
    const keys = Math.min(n, i + CAUSAL_STRIP);
    gemmABt(rows, dh, keys, view(weights, offset + i * n, n), view(vt, 0, n), view(out, col + i * ldOut, ldOut));
  }
}
