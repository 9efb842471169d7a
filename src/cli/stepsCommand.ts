// `steps --head K`: one head of the layer `run` computes, with every intermediate from q, k, v
// to the output, as the Step by Step view shows them. Built by the core's layerSteps from the
// same options as `run`, so its weights are head K of run's.

import { InputError, layerSteps, runLayer, type LayerInput, type LayerSpec } from '../core';
import { emit, jsonLine, nestedJson } from './io';

export interface StepsArgs {
  input: LayerInput;
  spec: LayerSpec;
  /** Counted from 0. */
  head: number;
  out?: string;
}

export async function stepsCommand(args: StepsArgs): Promise<void> {
  const { heads } = args.spec;
  if (args.head < 0 || args.head >= heads) {
    throw new InputError('option', `--head must be from 0 to ${heads - 1} (the layer has ${heads} heads), got ${args.head}`);
  }
  if (args.input.kind === 'matrix') {
    // A matrix's rows go in as given and can overflow float32: runLayer refuses it, as `run` and `case` do.
    runLayer(args.input, args.spec);
  }
  const { layer, steps: s } = layerSteps(args.input, args.spec, args.head);
  const { n, dHead } = s;
  const body = {
    tokens: layer.tokens,
    head: args.head,
    q: nestedJson(s.q, n, dHead), // [N][d_head]
    k: nestedJson(s.k, n, dHead), // [N][d_head]
    v: nestedJson(s.v, n, dHead), // [N][d_head]
    scores: nestedJson(s.scores, n, n), // [N][N], q · kᵀ
    scaled: nestedJson(s.scaled, n, n), // [N][N], scores / sqrt(d_head), or scores with --no-scale
    // JSON has no −∞: the cells the mask hides are written as null (as every non-finite number is).
    masked: nestedJson(s.masked, n, n), // [N][N]
    weights: nestedJson(s.weights, n, n), // [N][N], softmax of masked over keys
    output: nestedJson(s.output, n, dHead), // [N][d_head], weights · v
  };
  await emit(jsonLine(body), args.out);
}
