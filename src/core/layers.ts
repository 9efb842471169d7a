// Several attention layers in sequence, for views that look across depth (attention rollout).
// Each layer reads the previous layer's output plus, by default, the residual path around it:
// x_{l+1} = x_l + attention_l(x_l), the connection rollout's added identity stands for.

import { multiHeadAttention } from './attention';
import type { AttentionOptions, AttentionResult, LayerWeights } from './types';

export interface StackOptions extends AttentionOptions {
  /** Add each layer's input to its output before the next layer; default true. */
  residual?: boolean;
}

export function multiLayerAttention(
  x: Float32Array, n: number, layers: readonly LayerWeights[], opts: StackOptions,
): AttentionResult[] {
  const results: AttentionResult[] = [];
  let input = x; // input: [N, d]
  for (const layer of layers) {
    const r = multiHeadAttention(input, n, layer, opts);
    results.push(r);
    if (opts.residual === false) {
      input = r.output;
    } else {
      const next = new Float32Array(r.output); // next: [N, d]
      for (let i = 0; i < next.length; i++) next[i] += input[i];
      input = next;
    }
  }
  return results;
}
