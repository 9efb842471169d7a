// Token embeddings for text with no model behind it: each distinct token text gets a fixed
// pseudo-random vector, so repeated words look alike to attention, plus optional sinusoidal
// positions so that order matters.

import { InputError } from './errors';
import { fillGaussian } from './random';
import type { Token } from './types';

export interface EmbedOptions {
  dModel: number;
  seed: number;
  /** Add sinusoidal position encodings (Vaswani et al. 2017); default true. */
  positions?: boolean;
}

/** Returns x: [N][d_model], row i the embedding of tokens[i]. */
export function embedTokens(tokens: readonly Token[], opts: EmbedOptions): Float32Array {
  const d = opts.dModel;
  if (!Number.isInteger(d) || d < 1) throw new InputError('option', `d_model must be a positive integer, got ${d}`);
  const n = tokens.length;
  const x = new Float32Array(n * d); // x: [N, d]
  // Unit-variance entries give rows of norm about sqrt(d), the same order as a position row
  // (norm sqrt(d/2)), so neither the token nor its position swamps the other. This matches the
  // sqrt(d_model) scaling of embeddings in Vaswani et al.
  const scale = 1;
  const cache = new Map<string, Float32Array>();
  for (let i = 0; i < n; i++) {
    const text = tokens[i].text;
    let row = cache.get(text);
    if (!row) {
      row = fillGaussian(new Float32Array(d), opts.seed, `token:${text}`, scale);
      cache.set(text, row);
    }
    x.set(row, i * d);
  }
  if (opts.positions !== false) addPositions(x, n, d);
  return x;
}

/** Adds PE[pos][2i] = sin(pos / 10000^(2i/d)), PE[pos][2i+1] = cos(same) to x: [N][d] in place. */
export function addPositions(x: Float32Array, n: number, d: number): Float32Array {
  for (let i = 0; i < d; i += 2) {
    const freq = Math.pow(10000, -i / d);
    for (let pos = 0; pos < n; pos++) {
      const angle = pos * freq;
      x[pos * d + i] += Math.sin(angle);
      if (i + 1 < d) x[pos * d + i + 1] += Math.cos(angle);
    }
  }
  return x;
}

/** The position encodings alone: [N][d]. */
export function positionEncodings(n: number, d: number): Float32Array {
  return addPositions(new Float32Array(n * d), n, d);
}
