// Where a layer's parameters come from: seeded random, identity, or a JSON object.

import { InputError } from './errors';
import { matrixFromRows, vectorFromArray } from './matrix';
import { fillGaussian } from './random';
import type { LayerWeights, WeightInit } from './types';

export interface WeightOptions {
  dModel: number;
  seed: number;
  /** 'random' (default): N(0, 1/d_model) entries, zero biases. 'identity': pure similarity. */
  init?: WeightInit;
}

const MATRICES = ['wq', 'wk', 'wv', 'wo'] as const;
const BIASES = ['bq', 'bk', 'bv', 'bo'] as const;

export function makeWeights(opts: WeightOptions): LayerWeights {
  const d = opts.dModel;
  if (!Number.isInteger(d) || d < 1) throw new InputError('option', `d_model must be a positive integer, got ${d}`);
  const init = opts.init ?? 'random';
  switch (init) {
    case 'random':
      return randomWeights(d, opts.seed);
    case 'identity':
      return identityWeights(d);
    default:
      throw new InputError('option', `unknown weight init "${String(init)}"; use random or identity`);
  }
}

/**
 * Entries drawn from N(0, 1/d_model): a projection then keeps the size of its input, which keeps
 * attention scores in a range where softmax is neither uniform nor one-hot. Biases are zero, as
 * torch.nn.MultiheadAttention initialises them.
 */
function randomWeights(d: number, seed: number): LayerWeights {
  const scale = 1 / Math.sqrt(d);
  const w = zeroWeights(d);
  for (const name of MATRICES) fillGaussian(w[name], seed, `weight:${name}`, scale);
  return w;
}

/** wq = wk = wv = wo = I and zero biases: scores are plain dot products of the inputs. */
export function identityWeights(d: number): LayerWeights {
  const w = zeroWeights(d);
  for (const name of MATRICES) for (let i = 0; i < d; i++) w[name][i * d + i] = 1;
  return w;
}

function zeroWeights(d: number): LayerWeights {
  const m = () => new Float32Array(d * d); // [d_model, d_model]
  const v = () => new Float32Array(d); // [d_model]
  return { dModel: d, wq: m(), wk: m(), wv: m(), wo: m(), bq: v(), bk: v(), bv: v(), bo: v() };
}

/**
 * Reads `{"wq","wk","wv","wo": [[…]], "bq","bk","bv","bo": […]}` in the `x · w + b` convention
 * (rows = input features). Biases are optional and default to zeros. When `dModel` is given the
 * matrices must match it; otherwise it is taken from wq.
 */
export function weightsFromJson(value: unknown, dModel?: number): LayerWeights {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError('shape', 'weights must be a JSON object with wq, wk, wv and wo');
  }
  const obj = value as Record<string, unknown>;
  for (const name of MATRICES) {
    if (!(name in obj)) throw new InputError('shape', `weights: missing "${name}"`);
  }
  const d = dModel ?? (Array.isArray(obj.wq) ? obj.wq.length : 0);
  const w = zeroWeights(Math.max(d, 1));
  for (const name of MATRICES) w[name] = matrixFromRows(obj[name], name, [d, d]).data;
  for (const name of BIASES) {
    if (obj[name] !== undefined && obj[name] !== null) w[name] = vectorFromArray(obj[name], name, d);
  }
  return w;
}

/** Checks that every array of `w` has the length its d_model requires. */
export function checkWeights(w: LayerWeights): void {
  const d = w.dModel;
  if (!Number.isInteger(d) || d < 1) throw new InputError('shape', `weights: d_model must be a positive integer, got ${d}`);
  for (const name of MATRICES) {
    if (w[name].length !== d * d) {
      throw new InputError('shape', `weights: ${name} must hold ${d} × ${d} values, got ${w[name].length}`);
    }
  }
  for (const name of BIASES) {
    if (w[name].length !== d) throw new InputError('shape', `weights: ${name} must hold ${d} values, got ${w[name].length}`);
  }
}
