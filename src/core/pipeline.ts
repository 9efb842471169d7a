// Text in, attention out: the sequence of steps the editor command and `cli run` both take.

import { multiHeadAttention } from './attention';
import { embedTokens } from './embed';
import { InputError } from './errors';
import { tokenizeText } from './tokenize';
import type { AttentionResult, LayerWeights, MaskKind, Token, WeightInit } from './types';
import { makeWeights } from './weights';

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
  const tokens = opts.tokens ?? tokenizeText(text);
  if (tokens.length === 0) throw new InputError('empty', 'the text holds no tokens');
  const x = embedTokens(tokens, { dModel: opts.dModel, seed: opts.seed, positions: opts.positions });
  const layer = makeWeights({ dModel: opts.dModel, seed: opts.seed, init: opts.init });
  const keyPadding = opts.mask === 'padding' ? paddingFromSpecial(tokens) : undefined;
  const result = multiHeadAttention(x, tokens.length, layer, {
    heads: opts.heads, mask: opts.mask, keyPadding, scale: opts.scale,
  });
  return { tokens, x, layer, result };
}

/** For text, "padding" hides the special tokens a tokenizer added ([PAD], [CLS] …) as keys. */
function paddingFromSpecial(tokens: Token[]): Uint8Array {
  return Uint8Array.from(tokens, (t) => (t.special ? 0 : 1));
}
