// Summaries of computed attention, worked out once and shared by every view.
//
// entropy   mean over queries of −Σ_j w_ij ln w_ij (nats) per head. A row spread evenly over
//           n keys has entropy ln n; a row on one key has 0.
// sparsity  mean over queries of 1 − exp(entropy_i) / n_i per head, where n_i is the number of
//           keys query i may see and exp(entropy_i) is the "effective number of keys" it uses
//           (the perplexity of its row). 0 for an even spread, approaching 1 as attention
//           concentrates on one key. Unlike a fixed weight threshold it does not depend on N,
//           and unlike a Gini index it needs no sort. Queries that see fewer than two keys have
//           no choice to make and are left out.
// topKeys   the k keys with the largest weights for every query, largest first (ties: lower index).
// rollout   attention rollout across layers (Abnar & Zuidema 2020): average the heads, add the
//           identity for the residual path, renormalise rows, and multiply through the layers.
//
// Queries whose keys are all masked (rows of zeros) are left out of entropy and sparsity.

import { gemmABt, transpose, view } from './kernels';
import { visibleKeys, type MaskPlan } from './softmax';
import type { AttentionOptions, AttentionResult } from './types';

export interface TopKeys {
  k: number;
  keys: Int32Array; // [H, N, k]
  weights: Float32Array; // [H, N, k]
}

export interface AttentionAnalysis {
  entropy: Float32Array; // [H]
  sparsity: Float32Array; // [H]
  top: TopKeys;
}

export interface AnalysisOptions {
  /** The mask the result was computed with, so sparsity counts only keys a query could see. */
  mask?: AttentionOptions['mask'];
  keyPadding?: Uint8Array;
  /** Keys kept per query by topKeys; default 5 (at most N). */
  topK?: number;
}

export function analyzeAttention(r: AttentionResult, opts: AnalysisOptions = {}): AttentionAnalysis {
  const { entropy, sparsity } = headSpread(r, opts);
  return { entropy, sparsity, top: topKeys(r, opts.topK ?? 5) };
}

/** −Σ w ln w over one row (0 · ln 0 = 0). */
export function rowEntropy(w: Float32Array, offset: number, n: number): number {
  let h = 0;
  for (let j = offset; j < offset + n; j++) {
    const p = w[j];
    if (p > 0) h -= p * Math.log(p);
  }
  return h;
}

/** Mean row entropy and sparsity per head, as defined at the top of this file. */
export function headSpread(r: AttentionResult, opts: AnalysisOptions = {}): { entropy: Float32Array; sparsity: Float32Array } {
  const { n, heads: H } = r;
  const spread = new SpreadAccumulator(H, n, { causal: opts.mask === 'causal', keep: opts.keyPadding ?? null });
  for (let h = 0; h < H; h++) for (let i = 0; i < n; i++) spread.addRow(h, i, r.weights, (h * n + i) * n);
  return spread.finish();
}

/**
 * Entropy and sparsity gathered one row at a time, in any order, so that weights computed block by
 * block (blockwise.ts) are summarised in the same pass that computes them, by the same rules.
 */
export class SpreadAccumulator {
  private readonly visible: Int32Array; // visible[i]: keys query i may see
  private readonly sums: Float64Array; // [H][4]: entropy sum, entropy rows, sparsity sum, sparsity rows

  constructor(private readonly heads: number, private readonly n: number, mask: MaskPlan) {
    this.visible = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const limit = visibleKeys(mask, i, n);
      let count = 0;
      for (let j = 0; j < limit; j++) if (!mask.keep || mask.keep[j]) count++;
      this.visible[i] = count;
    }
    this.sums = new Float64Array(heads * 4);
  }

  /** Row i of head h: w[offset … offset + N − 1]. */
  addRow(h: number, i: number, w: Float32Array, offset: number): void {
    const n = this.n;
    if (this.visible[i] === 0 || rowIsZero(w, offset, n)) return;
    const e = rowEntropy(w, offset, n);
    const s = this.sums;
    s[h * 4] += e;
    s[h * 4 + 1]++;
    if (this.visible[i] >= 2) {
      s[h * 4 + 2] += Math.max(0, 1 - Math.exp(e) / this.visible[i]);
      s[h * 4 + 3]++;
    }
  }

  finish(): { entropy: Float32Array; sparsity: Float32Array } {
    const entropy = new Float32Array(this.heads); // [H]
    const sparsity = new Float32Array(this.heads); // [H]
    const s = this.sums;
    for (let h = 0; h < this.heads; h++) {
      entropy[h] = s[h * 4 + 1] ? s[h * 4] / s[h * 4 + 1] : 0;
      sparsity[h] = s[h * 4 + 3] ? s[h * 4 + 2] / s[h * 4 + 3] : 0;
    }
    return { entropy, sparsity };
  }
}

function rowIsZero(w: Float32Array, offset: number, n: number): boolean {
  for (let j = offset; j < offset + n; j++) if (w[j] !== 0) return false;
  return true;
}

/** The k heaviest keys of every query of every head, by insertion into a small sorted list. */
export function topKeys(r: AttentionResult, k: number): TopKeys {
  const { n, heads: H } = r;
  const kk = Math.max(0, Math.min(Math.floor(k), n));
  const keys = new Int32Array(H * n * kk); // [H, N, k]
  const weights = new Float32Array(H * n * kk); // [H, N, k]
  for (let row = 0; row < H * n; row++) {
    const w = row * n, out = row * kk;
    let size = 0;
    for (let j = 0; j < n; j++) {
      const v = r.weights[w + j];
      if (size === kk && !(v > weights[out + kk - 1])) continue;
      // Strictly greater moves past, so an equal weight stays behind its lower-index twin.
      let pos = size < kk ? size : kk - 1;
      while (pos > 0 && v > weights[out + pos - 1]) {
        weights[out + pos] = weights[out + pos - 1];
        keys[out + pos] = keys[out + pos - 1];
        pos--;
      }
      weights[out + pos] = v;
      keys[out + pos] = j;
      if (size < kk) size++;
    }
  }
  return { k: kk, keys, weights };
}

/**
 * Attention rollout over layers given in order (first layer first). Returns [N, N]: row i is how
 * much the last layer's token i draws on each input token through all layers.
 */
export function attentionRollout(layers: readonly AttentionResult[]): Float32Array {
  if (layers.length === 0) throw new RangeError('attention rollout needs at least one layer');
  const n = layers[0].n;
  let rollout = residualAverage(layers[0]); // [N, N]
  const rt = new Float32Array(n * n); // rollout transposed, for the A · Bᵀ kernel: [N, N]
  for (let l = 1; l < layers.length; l++) {
    if (layers[l].n !== n) throw new RangeError(`layer ${l + 1} has ${layers[l].n} tokens, layer 1 has ${n}`);
    const a = residualAverage(layers[l]);
    transpose(view(rollout, 0, n), n, n, rt);
    const next = new Float32Array(n * n);
    gemmABt(n, n, n, view(a, 0, n), view(rt, 0, n), view(next, 0, n)); // next = a · rollout
    rollout = next;
  }
  return rollout;
}

/** (mean over heads of the weights + I), each row renormalised to sum to 1: [N, N]. */
export function residualAverage(r: AttentionResult): Float32Array {
  const { n, heads: H } = r;
  const acc = new Float64Array(n * n);
  for (let h = 0; h < H; h++) {
    const w = r.weights.subarray(h * n * n, (h + 1) * n * n);
    for (let c = 0; c < n * n; c++) acc[c] += w[c];
  }
  const out = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    acc[i * n + i] += H; // + I, scaled by H because acc still holds the sum over heads
    let sum = 0;
    for (let j = 0; j < n; j++) sum += acc[i * n + j];
    for (let j = 0; j < n; j++) out[i * n + j] = acc[i * n + j] / sum;
  }
  return out;
}

/**
 * The first weight a query gives to a later key above `tolerance`, in matrices [M][N][N] (M =
 * layers × heads, row q of a matrix holds query q's weights): where attention is not causal.
 * Undefined for causal attention, where every query sees only itself and what came before.
 */
export function laterKeyWeight(weights: Float32Array, n: number, tolerance = 0): { matrix: number; query: number; key: number } | undefined {
  for (let m = 0; m * n * n < weights.length; m++) {
    const base = m * n * n;
    for (let q = 0; q < n - 1; q++) {
      for (let k = q + 1; k < n; k++) if (weights[base + q * n + k] > tolerance) return { matrix: m, query: q, key: k };
    }
  }
  return undefined;
}
