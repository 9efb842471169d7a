// The built-in layer, described once. A LayerSpec says which layer (heads, d_model, seed, mask,
// weight init, scaling); a LayerInput says what goes in (text, a numbers matrix, or token ids).
// buildLayer turns the pair into tokens, embeddings and weights, and is the only place that does:
// the panel, step by step, notebooks, the command line, the benchmark and the ONNX export all
// ask it, so the heatmaps and the steps of one run can never be computed from different layers.

import { headSteps, multiHeadAttention } from './attention';
import { embedTokens } from './embed';
import { InputError } from './errors';
import { parseMatrix } from './matrix';
import { checkAttentionOutcome } from './outcome';
import { tokenizeText } from './tokenize';
import type { AttentionOptions, AttentionResult, HeadSteps, LayerWeights, MaskKind, Token, WeightInit } from './types';
import { makeWeights } from './weights';

/** Everything that fixes the built-in layer's numbers, whoever runs it. */
export interface LayerSpec {
  heads: number;
  /** Embedding width; a numbers matrix brings its own (its column count) and this is ignored. */
  dModel: number;
  seed: number;
  mask: MaskKind;
  /** Wq, Wk, Wv, Wo: seeded 'random' or 'identity'. */
  init: WeightInit;
  /** Scores scaled by 1/sqrt(d_head); false only to show why the scaling is there. */
  scale: boolean;
  /** Sinusoidal positions added to text embeddings (never to a matrix, which is used as given). */
  positions: boolean;
}

/** What goes into the layer. */
export type LayerInput =
  /** Text, tokenized per CJK character and per word; `tokens` when a tokenizer.json made them. */
  | { kind: 'text'; text: string; tokens?: Token[] }
  /** An N × d matrix written as text (JSON rows, CSV or whitespace rows): the embeddings themselves. */
  | { kind: 'matrix'; text: string }
  /** Token ids, each embedded by its id. */
  | { kind: 'ids'; ids: number[] };

/**
 * What a selection or a cell holds: a matrix of embeddings, one row per token, when every line is
 * numbers (or it is a JSON list) and there is more than one number ("2024" alone is text).
 */
export function looksLikeMatrix(text: string): boolean {
  const t = text.trim();
  if (!/^[-+0-9.eE,\s[\]]+$/.test(t) || !/\d/.test(t)) return false;
  return /[\s,]/.test(t.replace(/^\[+|\]+$/g, ''));
}

/** A selection's text as the layer's input: the matrix itself when it is all numbers, else text. */
export function inputOf(text: string): LayerInput {
  return looksLikeMatrix(text) ? { kind: 'matrix', text } : { kind: 'text', text };
}

/** A spec with the defaults the extension and the command line share. */
export function layerSpec(partial: Partial<LayerSpec> = {}): LayerSpec {
  return {
    heads: 4, dModel: 64, seed: 42, mask: 'none', init: 'random', scale: true, positions: true,
    ...dropUndefined(partial),
  };
}

function dropUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The layer, ready to run: what every engine computes from. */
export interface BuiltLayer {
  tokens: Token[];
  n: number;
  /** The spec as it applies: d_model is the matrix's width for a matrix input. */
  spec: LayerSpec;
  x: Float32Array; // [N, d_model]
  weights: LayerWeights;
  /** What multiHeadAttention and headSteps take. */
  options: AttentionOptions;
}

/** Tokens of an input without embedding anything (to ask before a very long run). */
export function inputTokens(input: LayerInput): Token[] {
  switch (input.kind) {
    case 'text':
      return input.tokens ?? tokenizeText(input.text);
    case 'matrix':
      return matrixTokens(parseMatrix(input.text).rows);
    case 'ids':
      return input.ids.map((id) => ({ text: String(id), start: -1, end: -1, id }));
  }
}

/** Rows of a matrix have no text of their own: they are shown as #1, #2, … */
function matrixTokens(rows: number): Token[] {
  return Array.from({ length: rows }, (_, i) => ({ text: `#${i + 1}`, start: -1, end: -1 }));
}

/** The spec as it applies to an input: a matrix brings its own d_model, its width. */
export function appliedSpec(input: LayerInput, spec: LayerSpec): LayerSpec {
  return input.kind === 'matrix' ? { ...spec, dModel: parseMatrix(input.text).cols } : spec;
}

export function buildLayer(input: LayerInput, spec: LayerSpec): BuiltLayer {
  let tokens: Token[];
  let x: Float32Array;
  let dModel = spec.dModel;
  if (input.kind === 'matrix') {
    const m = parseMatrix(input.text); // x: [N, d]
    tokens = matrixTokens(m.rows);
    x = m.data;
    dModel = m.cols;
  } else {
    tokens = inputTokens(input);
    if (tokens.length === 0) throw new InputError('empty', 'the text holds no tokens');
    x = embedTokens(tokens, { dModel, seed: spec.seed, positions: spec.positions }); // x: [N, d_model]
  }
  if (tokens.length === 0) throw new InputError('empty', 'the input holds no tokens');
  if (!Number.isInteger(spec.heads) || spec.heads < 1) throw new InputError('heads', `heads must be a positive integer, got ${spec.heads}`);
  if (dModel % spec.heads !== 0) {
    throw new InputError('heads', `d_model ${dModel} is not divisible by ${spec.heads} heads; pick a head count that divides it`);
  }
  const weights = layerWeights({ ...spec, dModel });
  // For text, "padding" hides the special tokens a tokenizer added ([PAD], [CLS] …) as keys.
  const keyPadding = spec.mask === 'padding' ? Uint8Array.from(tokens, (t) => (t.special ? 0 : 1)) : undefined;
  return {
    tokens, n: tokens.length, spec: { ...spec, dModel }, x, weights,
    options: { heads: spec.heads, mask: spec.mask, scale: spec.scale, keyPadding },
  };
}

/** Wq, Wk, Wv, Wo of a spec (d_model as given): the same for every input. */
export function layerWeights(spec: LayerSpec): LayerWeights {
  return makeWeights({ dModel: spec.dModel, seed: spec.seed, init: spec.init });
}

/**
 * The layer run by the core: every head's weights and the output, checked for overflow (a query
 * whose scores or output leave float32's range is an input error naming it, in `sequence`).
 */
export function runLayer(input: LayerInput, spec: LayerSpec, sequence = 1): { layer: BuiltLayer; result: AttentionResult } {
  const layer = buildLayer(input, spec);
  const result = multiHeadAttention(layer.x, layer.n, layer.weights, layer.options);
  checkAttentionOutcome(layer.x, layer.n, layer.weights, layer.options, result, sequence);
  return { layer, result };
}

/** One head of the same layer with every intermediate (head counted from 0). */
export function layerSteps(input: LayerInput, spec: LayerSpec, head: number): { layer: BuiltLayer; steps: HeadSteps } {
  const layer = buildLayer(input, spec);
  return { layer, steps: headSteps(layer.x, layer.n, layer.weights, layer.options, head) };
}
