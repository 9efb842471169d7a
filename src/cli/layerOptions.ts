// The options that fix the built-in layer, read once for `run` and `steps` so both build the
// same layer from the same command line: a run's head K and the steps of head K always agree.

import {
  appliedSpec, checkRunMemory, inputTokens, layerSpec, type LayerInput, type LayerSpec, type MaskKind, type WeightInit,
} from '../core';
import { UsageError } from './errors';
import { readText } from './io';
import { intOption, LIMIT_OPTIONS, MAX_MEMORY_FLAG, MAX_SEED, maxMemoryOption } from './options';
import { loadTokenizerFile } from './tokenizerFile';

export const LAYER_OPTIONS = {
  text: { type: 'string' },
  'text-file': { type: 'string' },
  matrix: { type: 'string' },
  heads: { type: 'string' },
  'd-model': { type: 'string' },
  seed: { type: 'string' },
  mask: { type: 'string', default: 'none' },
  weights: { type: 'string', default: 'random' },
  tokenizer: { type: 'string' },
  'no-positions': { type: 'boolean' },
  'no-scale': { type: 'boolean' },
  ...LIMIT_OPTIONS,
} as const;

export interface LayerValues {
  text?: string;
  'text-file'?: string;
  matrix?: string;
  heads?: string;
  'd-model'?: string;
  seed?: string;
  mask?: string;
  weights?: string;
  tokenizer?: string;
  'no-positions'?: boolean;
  'no-scale'?: boolean;
  'max-memory'?: string;
}

/** The spec as it applies to the input (a matrix's width is its d_model) and the input itself. */
export async function layerOf(verb: string, values: LayerValues): Promise<{ input: LayerInput; spec: LayerSpec }> {
  const defaults = layerSpec();
  const spec = layerSpec({
    heads: intOption('heads', values.heads, defaults.heads, 1),
    dModel: intOption('d-model', values['d-model'], defaults.dModel, 1),
    seed: intOption('seed', values.seed, defaults.seed, 0, MAX_SEED),
    mask: maskOption(values.mask),
    init: initOption(values.weights),
    scale: !values['no-scale'],
    positions: !values['no-positions'],
  });
  const limit = maxMemoryOption(values['max-memory']);
  const input = await layerInput(verb, values);
  const applied = appliedSpec(input, spec);
  // Counting tokens is cheap; refusing here comes before any N² or d_model² allocation.
  const n = inputTokens(input).length;
  checkRunMemory({ n, heads: applied.heads, layers: 1, dModel: applied.dModel }, limit, MAX_MEMORY_FLAG);
  return { input, spec: applied };
}

/** --text, or --text-file read as UTF-8; undefined when neither is given. */
export function textOption(values: Pick<LayerValues, 'text' | 'text-file'>): string | undefined {
  if (values.text !== undefined && values['text-file'] !== undefined) {
    throw new UsageError('give either --text or --text-file, not both');
  }
  return values['text-file'] !== undefined ? readText(values['text-file']) : values.text;
}

async function layerInput(verb: string, values: LayerValues): Promise<LayerInput> {
  const text = textOption(values);
  if (text !== undefined && values.matrix !== undefined) {
    throw new UsageError('give either --text or --matrix, not both');
  }
  if (values.matrix !== undefined) {
    if (values.tokenizer !== undefined) throw new UsageError('--tokenizer goes with --text, not --matrix');
    // The file's rows are the embeddings, one per token: JSON rows, CSV or whitespace rows.
    return { kind: 'matrix', text: readText(values.matrix) };
  }
  if (text === undefined) throw new UsageError(`${verb} needs --text "…" or --matrix FILE (or --text-file FILE)`);
  const tokens = values.tokenizer ? await (await loadTokenizerFile(values.tokenizer))(text) : undefined;
  return { kind: 'text', text, tokens };
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
