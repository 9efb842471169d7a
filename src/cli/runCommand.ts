// `run --text "…"` or `run --matrix FILE`: the computation the editor command runs on a
// selection, from the shell, through the same runAttention on the core engine.

import { buildLayer, checkAttentionOutcome, type AttentionResult, type LayerInput, type LayerSpec } from '../core';
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
  if (args.input.kind === 'matrix') checkMatrixRun(args, run.weights);
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

/**
 * A matrix's rows go in as given, so its scores can overflow float32 (text embeddings cannot):
 * the same check `case` makes on every engine. The run keeps no output, so the output checked
 * is finite by construction; the scores and weights are what can fail.
 */
function checkMatrixRun(args: RunArgs, weights: Float32Array): void {
  const layer = buildLayer(args.input, args.spec);
  const result: AttentionResult = {
    n: layer.n, dModel: layer.spec.dModel, heads: layer.spec.heads, dHead: layer.spec.dModel / layer.spec.heads,
    weights, output: new Float32Array(layer.n * layer.spec.dModel),
  };
  checkAttentionOutcome(layer.x, layer.n, layer.weights, layer.options, result);
}
