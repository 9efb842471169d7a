// One head, step by step. For the built-in layer: the run's own request (input and spec), with
// only the scaling and the mask as the step view asks, recomputed by the core's layerSteps, so the
// heatmaps and the steps read the same layer. For a shipped model: the queries, keys and values
// the model itself computed, taken from its graph (Engines.modelSteps), then the same steps.
import { layerSteps, type HeadSteps } from '../../core';
import type { AttentionRun, LayerRequest } from '../../engine/run';
import { MAX_STEP_TOKENS, type RequestStepsMessage, type StepsPayload } from '../../shared/protocol';
import type { Engines } from '../onnx/engines';
import type * as vscode from 'vscode';

export function computeSteps(
  request: LayerRequest, sequence: number, head: number, scale: boolean, causal: boolean, n: number,
): StepsPayload {
  checkSteps(n);
  if (head < 0 || head >= request.spec.heads) throw new RangeError(`there is no head ${head + 1}`);
  const spec = { ...request.spec, scale, mask: causal ? 'causal' as const : 'none' as const };
  return stepsPayload(layerSteps(request.input, spec, head).steps, { sequence, layer: 0, scale, causal });
}

/** Steps of a run as the step view asks: the built-in layer's, or a model's that gives its q, k, v; undefined when neither. */
export async function runSteps(
  run: AttentionRun, m: RequestStepsMessage, engines: Engines, token: vscode.CancellationToken,
): Promise<StepsPayload | undefined> {
  if (run.layer) return computeSteps(run.layer, m.sequence, m.head, m.scale, m.causal, run.n);
  if (!run.model) return undefined;
  checkSteps(run.n);
  if (m.layer >= run.layers) throw new RangeError(`there is no layer ${m.layer + 1}`);
  const steps = await engines.modelSteps(run.model, m.layer, m.head, { scale: m.scale, causal: m.causal }, token);
  return stepsPayload(steps, m);
}

function checkSteps(n: number): void {
  if (n > MAX_STEP_TOKENS) throw new RangeError(`${n} tokens: step by step goes up to ${MAX_STEP_TOKENS}`);
}

function stepsPayload(st: HeadSteps, m: Pick<RequestStepsMessage, 'sequence' | 'layer' | 'scale' | 'causal'>): StepsPayload {
  const { q, k, v, scores, scaled, masked, weights, output } = st;
  return { sequence: m.sequence, layer: m.layer, head: st.head, n: st.n, dHead: st.dHead, scale: m.scale, causal: m.causal, q, k, v, scores, scaled, masked, weights, output };
}
