// Shapes shared by every part of the attention core. All matrices are row-major Float32Arrays;
// the comment on each field gives its logical shape.

/** A token with the character range of the source text it came from (UTF-16 offsets, end exclusive). */
export interface Token {
  text: string;
  start: number;
  end: number;
  /** Vocabulary id, when a tokenizer.json assigned one. */
  id?: number;
  /** True for tokens such as [CLS] or <s> that a tokenizer adds and that have no source text. */
  special?: boolean;
}

export type MaskKind = 'none' | 'causal' | 'padding';

/**
 * One attention layer's parameters, in the convention `q = x · wq + bq`:
 * `wq` has shape [d_model][d_model] with rows indexing input features, head h uses columns
 * h·d_head … (h+1)·d_head − 1, and `output = concat(heads) · wo + bo`.
 * This is torch.nn.MultiheadAttention with its projection matrices transposed.
 */
export interface LayerWeights {
  dModel: number;
  wq: Float32Array; // [d_model][d_model]
  wk: Float32Array; // [d_model][d_model]
  wv: Float32Array; // [d_model][d_model]
  wo: Float32Array; // [d_model][d_model]
  bq: Float32Array; // [d_model]
  bk: Float32Array; // [d_model]
  bv: Float32Array; // [d_model]
  bo: Float32Array; // [d_model]
}

export interface AttentionOptions {
  heads: number;
  mask: MaskKind;
  /** Scale scores by 1/sqrt(d_head); default true. Off only to show why it is there. */
  scale?: boolean;
  /**
   * [N], 1 for a real key, 0 for padding that no query may attend to. Required by mask 'padding';
   * also honoured with 'none' and 'causal' (causal + padding hides both).
   */
  keyPadding?: Uint8Array;
}

export interface AttentionResult {
  n: number;
  dModel: number;
  heads: number;
  dHead: number;
  weights: Float32Array; // [H][N][N], row q holds query q's weights over keys
  output: Float32Array; // [N][d_model]
}

/** Every intermediate of one head, for the step-by-step view. */
export interface HeadSteps {
  head: number;
  n: number;
  dHead: number;
  q: Float32Array; // [N][d_head]
  k: Float32Array; // [N][d_head]
  v: Float32Array; // [N][d_head]
  scores: Float32Array; // [N][N], q · kᵀ
  scaled: Float32Array; // [N][N], scores / sqrt(d_head) (or a copy of scores when scaling is off)
  masked: Float32Array; // [N][N], -Infinity where masked
  weights: Float32Array; // [N][N], softmax of masked over keys
  output: Float32Array; // [N][d_head], weights · v
}

export type WeightInit = 'random' | 'identity';
