// What the extension's worker thread computes for one sequence: the core's text → attention
// pipeline, reduced to what crosses to the views (tokens and per-head weights).
import { attentionForText, makeWeights, multiHeadAttention, parseMatrix, tokenizeText } from '../core';
import type { MaskKind, Token, WeightInit } from '../core/types';

export interface TextRunOptions {
  heads: number;
  dModel: number;
  seed: number;
  mask: MaskKind;
  /** Scale scores by 1/sqrt(d_head); default true. Off only to show why it is there. */
  scale?: boolean;
  /**
   * 'matrix': the text is an N × d matrix of embeddings, one row per token (JSON, CSV or
   * whitespace rows), and d_model is its width. Default 'text'.
   */
  input?: 'text' | 'matrix';
  /** 'random' (seeded, scaled by 1/sqrt(d_model); the default) or 'identity' (pure similarity). */
  init?: WeightInit;
}

export interface TextRunResult {
  tokens: Token[];
  heads: number;
  n: number;
  weights: Float32Array; // [H][N][N]
  output: Float32Array; // [N][d_model]
}

export function runText(text: string, opts: TextRunOptions): TextRunResult {
  if (opts.input === 'matrix') return runMatrix(text, opts);
  const { tokens, result } = attentionForText(text, opts);
  return { tokens, heads: result.heads, n: result.n, weights: result.weights, output: result.output };
}

/** The rows of the matrix are the embeddings, one per token: d_model is the matrix's width. */
function runMatrix(text: string, opts: TextRunOptions): TextRunResult {
  const m = parseMatrix(text); // x: [N, d]
  const tokens: Token[] = Array.from({ length: m.rows }, (_, i) => ({ text: `#${i + 1}`, start: 0, end: 0 }));
  const layer = makeWeights({ dModel: m.cols, seed: opts.seed, init: opts.init });
  const r = multiHeadAttention(m.data, m.rows, layer, { heads: opts.heads, mask: opts.mask, scale: opts.scale ?? true });
  return { tokens, heads: r.heads, n: r.n, weights: r.weights, output: r.output };
}

/** Token count without computing anything, to ask before a very long run. */
export function countTokens(text: string): number {
  return tokenizeText(text).length;
}
