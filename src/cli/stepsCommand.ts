// `steps --head K`: one head of the layer `run` computes, with every intermediate from q, k, v
// to the output, as the Step by Step view shows them. Built by the core's layerSteps from the
// same options as `run`, so its weights are head K of run's.

import { InputError, layerSteps, type LayerInput, type LayerSpec } from '../core';
import { emit, nested } from './io';

export interface StepsArgs {
  input: LayerInput;
  spec: LayerSpec;
  /** Counted from 0. */
  head: number;
  out?: string;
}

export function stepsCommand(args: StepsArgs): void {
  const { heads } = args.spec;
  if (args.head < 0 || args.head >= heads) {
    throw new InputError('option', `--head must be from 0 to ${heads - 1} (the layer has ${heads} heads), got ${args.head}`);
  }
  const { layer, steps: s } = layerSteps(args.input, args.spec, args.head);
  const { n, dHead } = s;
  const body = {
    tokens: layer.tokens,
    head: args.head,
    q: nested(s.q, n, dHead), // [N][d_head]
    k: nested(s.k, n, dHead), // [N][d_head]
    v: nested(s.v, n, dHead), // [N][d_head]
    scores: nested(s.scores, n, n), // [N][N], q · kᵀ
    scaled: nested(s.scaled, n, n), // [N][N], scores / sqrt(d_head), or scores with --no-scale
    // JSON has no −∞: the cells the mask hides are written as null.
    masked: nested(s.masked, n, n).map((row) => row.map((x) => (x === -Infinity ? null : x))), // [N][N]
    weights: nested(s.weights, n, n), // [N][N], softmax of masked over keys
    output: nested(s.output, n, dHead), // [N][d_head], weights · v
  };
  emit(JSON.stringify(body) + '\n', args.out);
}
