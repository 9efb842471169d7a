// One head of the built-in layer, step by step: the run's own request (input and spec), with only
// the scaling and the mask as the step view asks, recomputed by the core's layerSteps. The heatmaps
// and the steps therefore read the same layer: the same weights setting, the same matrix.
import { layerSteps } from '../../core';
import type { LayerRequest } from '../../engine/run';
import { MAX_STEP_TOKENS, type StepsPayload } from '../../shared/protocol';

export function computeSteps(
  request: LayerRequest, sequence: number, head: number, scale: boolean, causal: boolean, n: number,
): StepsPayload {
  if (n > MAX_STEP_TOKENS) throw new RangeError(`${n} tokens: step by step goes up to ${MAX_STEP_TOKENS}`);
  if (head < 0 || head >= request.spec.heads) throw new RangeError(`there is no head ${head + 1}`);
  const spec = { ...request.spec, scale, mask: causal ? 'causal' as const : 'none' as const };
  const { steps: st } = layerSteps(request.input, spec, head);
  const { q, k, v, scores, scaled, masked, weights, output } = st;
  return { sequence, head, n: st.n, dHead: st.dHead, scale, causal, q, k, v, scores, scaled, masked, weights, output };
}
