// Text in, attention out: the built-in layer (layer.ts) on a text, in the shape the tests and
// older callers know.

import { layerSpec, runLayer } from './layer';
import type { AttentionResult, LayerWeights, MaskKind, Token, WeightInit } from './types';

export interface TextAttentionOptions {
  heads: number;
  dModel: number;
  seed: number;
  mask: MaskKind;
  /** Sinusoidal positions on the embeddings; default true. */
  positions?: boolean;
  /** Default 'random'. */
  init?: WeightInit;
  /** Scale scores by 1/sqrt(d_head); default true. */
  scale?: boolean;
  /** Tokens already made (e.g. by a tokenizer.json); default tokenizeText(text). */
  tokens?: Token[];
}

export interface TextAttention {
  tokens: Token[];
  x: Float32Array; // [N, d_model]
  layer: LayerWeights;
  result: AttentionResult;
}

export function attentionForText(text: string, opts: TextAttentionOptions): TextAttention {
  const { tokens, ...spec } = opts;
  const { layer, result } = runLayer({ kind: 'text', text, tokens }, layerSpec(spec));
  return { tokens: layer.tokens, x: layer.x, layer: layer.weights, result };
}
