// One head of the built-in layer, step by step: the same embeddings and weights the run used
// (same text, seed and d_model), recomputed by the core with scaling and the mask as asked.
import { embedTokens, headSteps, makeWeights, tokenizeText } from '../../core';
import type { StepsPayload } from '../../shared/protocol';
import type { ExploreSettings } from '../settings';

/** Steps keep several N × N matrices: beyond this they would cost more memory than they teach. */
export const MAX_STEP_TOKENS = 512;

export function computeSteps(
  text: string, settings: ExploreSettings, sequence: number, head: number, scale: boolean, causal: boolean,
): StepsPayload {
  const tokens = tokenizeText(text);
  const n = tokens.length;
  if (n > MAX_STEP_TOKENS) throw new RangeError(`${n} tokens: step by step goes up to ${MAX_STEP_TOKENS}`);
  if (head < 0 || head >= settings.heads) throw new RangeError(`there is no head ${head + 1}`);
  const x = embedTokens(tokens, { dModel: settings.dModel, seed: settings.seed }); // x: [N, d_model]
  const layer = makeWeights({ dModel: settings.dModel, seed: settings.seed });
  const st = headSteps(x, n, layer, { heads: settings.heads, mask: causal ? 'causal' : 'none', scale }, head);
  return { sequence, head, n, dHead: st.dHead, scale, causal, ...pickMatrices(st) };
}

function pickMatrices(st: ReturnType<typeof headSteps>) {
  const { q, k, v, scores, scaled, masked, weights, output } = st;
  return { q, k, v, scores, scaled, masked, weights, output };
}
