// What the extension's worker thread computes for one sequence: the core's text → attention
// pipeline, reduced to what crosses to the views (tokens and per-head weights).
import { attentionForText, tokenizeText } from '../core';
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
  const { tokens, result } = attentionForText(text, opts);
  return { tokens, heads: result.heads, n: result.n, weights: result.weights, output: result.output };
}

/** Token count without computing anything, to ask before a very long run. */
export function countTokens(text: string): number {
  return tokenizeText(text).length;
}
