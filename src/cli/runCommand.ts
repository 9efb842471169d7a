// `run --text "…"` or `run --matrix FILE`: the computation the editor command runs on a
// selection, from the shell, through the same runAttention on the core engine.

import type { LayerInput, LayerSpec } from '../core';
import { attention } from './attention';
import { emit, jsonLine, weightsCsv, weightsJson } from './io';

export interface RunArgs {
  input: LayerInput;
  /** As it applies to the input: a matrix's width is its d_model. */
  spec: LayerSpec;
  format: 'json' | 'csv';
  out?: string;
}

export async function runCommand(args: RunArgs): Promise<void> {
  const { spec } = args;
  const run = await attention({ kind: 'layer', input: args.input, spec, engine: 'core' }, 1);
  if (args.format === 'csv') return emit(weightsCsv(run), args.out);
  const body = {
    tokens: run.tokens,
    n: run.n,
    heads: run.heads,
    dModel: spec.dModel,
    dHead: spec.dModel / spec.heads,
    seed: spec.seed,
    mask: spec.mask,
    weights: weightsJson(run), // [H][N][N]
  };
  return emit(jsonLine(body), args.out);
}
