// The computation behind "Explore Selection" and `cli run --text`: text → tokens → seeded
// embeddings → one seeded attention layer. Pure, so the extension's worker thread, a webview
// and the command line all produce the same numbers for the same text and settings.
import { embedTokens, makeWeights, multiHeadAttention, tokenizeText } from '../core';
import type { MaskKind, Token } from '../core/types';

export interface TextRunOptions {
  heads: number;
  dModel: number;
  seed: number;
  mask: MaskKind;
}

export interface TextRunResult {
  tokens: Token[];
  heads: number;
  n: number;
  weights: Float32Array; // [H][N][N]
  output: Float32Array; // [N][d_model]
}

export function runText(text: string, opts: TextRunOptions): TextRunResult {
  const tokens = tokenizeText(text);
  const n = tokens.length;
  const x = embedTokens(tokens, { dModel: opts.dModel, seed: opts.seed, positions: true }); // [N, d_model]
  const w = makeWeights({ dModel: opts.dModel, seed: opts.seed, init: 'random' });
  const r = multiHeadAttention(x, n, w, { heads: opts.heads, mask: opts.mask });
  return { tokens, heads: r.heads, n, weights: r.weights, output: r.output };
}

/** Token count without computing anything, to ask before a very long run. */
export function countTokens(text: string): number {
  return tokenizeText(text).length;
}
