// Checks at the entry of the attention functions. NaN or ±Infinity anywhere in the input or the
// weights is rejected here, because once inside, a NaN spreads through softmax and can come out
// as weights that merely look odd rather than as an obvious failure.

import { InputError } from './errors';
import type { MaskPlan } from './softmax';
import type { AttentionOptions, LayerWeights } from './types';
import { checkWeights } from './weights';

export interface AttentionPlan {
  n: number;
  d: number;
  heads: number;
  dHead: number;
  /** Factor applied to q · kᵀ: 1/sqrt(d_head), or 1 with scaling off. */
  scale: number;
  mask: MaskPlan;
}

export function checkAttentionInputs(
  x: Float32Array, n: number, w: LayerWeights, opts: AttentionOptions, head?: number,
): AttentionPlan {
  checkWeights(w);
  const d = w.dModel;
  if (!Number.isInteger(n) || n < 1) throw new InputError('empty', `need at least one token, got N = ${n}`);
  if (x.length !== n * d) {
    throw new InputError('shape', `x must hold N × d_model = ${n} × ${d} = ${n * d} values, got ${x.length}`);
  }
  const H = opts.heads;
  if (!Number.isInteger(H) || H < 1) throw new InputError('heads', `heads must be a positive integer, got ${H}`);
  if (d % H !== 0) {
    throw new InputError('heads', `d_model ${d} is not divisible by ${H} heads; pick a head count that divides it`);
  }
  if (head !== undefined && (!Number.isInteger(head) || head < 0 || head >= H)) {
    throw new InputError('heads', `head ${head} does not exist; heads are numbered 0 … ${H - 1}`);
  }
  checkFiniteMatrix(x, d, 'input');
  for (const name of ['wq', 'wk', 'wv', 'wo', 'bq', 'bk', 'bv', 'bo'] as const) checkFiniteMatrix(w[name], d, name);
  const dHead = d / H;
  const scale = opts.scale === false ? 1 : 1 / Math.sqrt(dHead);
  return { n, d, heads: H, dHead, scale, mask: maskPlan(opts, n) };
}

function maskPlan(opts: AttentionOptions, n: number): MaskPlan {
  const pad = opts.keyPadding;
  if (pad !== undefined && pad.length !== n) {
    throw new InputError('mask', `keyPadding must have one entry per token (${n}), got ${pad.length}`);
  }
  switch (opts.mask) {
    case 'none':
      return { causal: false, keep: pad ?? null };
    case 'causal':
      return { causal: true, keep: pad ?? null };
    case 'padding':
      if (!pad) throw new InputError('mask', 'mask "padding" needs keyPadding: one 0/1 entry per token');
      return { causal: false, keep: pad };
    default:
      throw new InputError('mask', `unknown mask "${String(opts.mask)}"; use none, causal or padding`);
  }
}

/** Throws naming the first non-finite cell (1-based row and column of a [*, cols] matrix). */
function checkFiniteMatrix(a: Float32Array, cols: number, what: string): void {
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) {
      const row = Math.floor(i / cols) + 1;
      const col = (i % cols) + 1;
      throw new InputError('non-finite', `${what}: row ${row}, column ${col} is ${a[i]}; attention needs finite numbers`, row, col);
    }
  }
}
