// What the extension's worker thread computes for one sequence: the core's built-in layer,
// reduced to what crosses to the views (tokens and per-head weights).
import { inputTokens, runLayer, type LayerInput, type LayerSpec } from '../core';
import type { Token } from '../core/types';

export interface TextRunResult {
  tokens: Token[];
  heads: number;
  n: number;
  weights: Float32Array; // [H][N][N]
  output: Float32Array; // [N][d_model]
}

export function runText(input: LayerInput, spec: LayerSpec): TextRunResult {
  const { layer, result } = runLayer(input, spec);
  return { tokens: layer.tokens, heads: result.heads, n: result.n, weights: result.weights, output: result.output };
}

/** Token count without computing anything, to ask before a very long run. */
export function countTokens(input: LayerInput): number {
  return inputTokens(input).length;
}
