// The options that fix the built-in layer, read once for `run` and `steps` so both build the
// same layer from the same command line: a run's head K and the steps of head K always agree.

import { appliedSpec, layerSpec, type LayerInput, type LayerSpec, type MaskKind, type WeightInit } from '../core';
import { UsageError } from './errors';
import { readText } from './io';
import { intOption } from './options';
import { loadTokenizerFile } from './tokenizerFile';

export const LAYER_OPTIONS = {
  text: { type: 'string' },
  matrix: { type: 'string' },
  heads: { type: 'string' },
  'd-model': { type: 'string' },
  seed: { type: 'string' },
  mask: { type: 'string', default: 'none' },
  weights: { type: 'string', default: 'random' },
  tokenizer: { type: 'string' },
  'no-positions': { type: 'boolean' },
  'no-scale': { type: 'boolean' },
} as const;

export interface LayerValues {
  text?: string;
  matrix?: string;
  heads?: string;
  'd-model'?: string;
  seed?: string;
  mask?: string;
  weights?: string;
  tokenizer?: string;
  'no-positions'?: boolean;
  'no-scale'?: boolean;
}

/** The spec as it applies to the input (a matrix's width is its d_model) and the input itself. */
export async function layerOf(verb: string, values: LayerValues): Promise<{ input: LayerInput; spec: LayerSpec }> {
  const defaults = layerSpec();
  const spec = layerSpec({
    heads: intOption('heads', values.heads, defaults.heads, 1),
    dModel: intOption('d-model', values['d-model'], defaults.dModel, 1),
    seed: intOption('seed', values.seed, defaults.seed, Number.MIN_SAFE_INTEGER),
    mask: maskOption(values.mask),
    init: initOption(values.weights),
    scale: !values['no-scale'],
    positions: !values['no-positions'],
  });
  const input = await layerInput(verb, values);
  return { input, spec: appliedSpec(input, spec) };
}

async function layerInput(verb: string, values: LayerValues): Promise<LayerInput> {
  if (values.text !== undefined && values.matrix !== undefined) {
    throw new UsageError('give either --text or --matrix, not both');
  }
  if (values.matrix !== undefined) {
    if (values.tokenizer !== undefined) throw new UsageError('--tokenizer goes with --text, not --matrix');
    // The file's rows are the embeddings, one per token: JSON rows, CSV or whitespace rows.
    return { kind: 'matrix', text: readText(values.matrix) };
  }
  if (values.text === undefined) throw new UsageError(`${verb} needs --text "…" or --matrix FILE`);
  const tokens = values.tokenizer ? await (await loadTokenizerFile(values.tokenizer))(values.text) : undefined;
  return { kind: 'text', text: values.text, tokens };
}

function maskOption(mask: string | undefined): MaskKind {
  if (mask !== 'none' && mask !== 'causal' && mask !== 'padding') {
    throw new UsageError(`--mask must be none, causal or padding, got "${mask}"`);
  }
  return mask;
}

function initOption(init: string | undefined): WeightInit {
  if (init !== 'random' && init !== 'identity') {
    throw new UsageError(`--weights must be random or identity, got "${init}"`);
  }
  return init;
}
