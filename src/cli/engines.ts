// The engines `--engine NAME` can pick. Each entry loads its engine on first use, so an engine
// with heavy dependencies costs nothing unless it is asked for. To add one, add an entry that
// resolves to a function with the signature of `multiHeadAttention`, returning a promise.

import { checkAttentionInputs, InputError, multiHeadAttention, type AttentionOptions, type AttentionResult, type LayerWeights } from '../core';
import { UsageError } from './errors';

export type EngineRun = (
  x: Float32Array, n: number, w: LayerWeights, opts: AttentionOptions,
) => Promise<AttentionResult>;

const ENGINES: Record<string, () => Promise<EngineRun>> = {
  core: async () => async (x, n, w, opts) => multiHeadAttention(x, n, w, opts),
  // The layer exported to ONNX (opset 17) and run by onnxruntime-web's WASM backend in a worker.
  onnx: async () => {
    const { runCaseOnnx } = await import('../onnx/node/runCase');
    return async (x, n, w, opts) => {
      if (opts.mask === 'padding' || opts.keyPadding) {
        throw new InputError('mask', 'the onnx engine exports masks none and causal, without keyPadding; use --engine core for padding');
      }
      // The core's checks (heads dividing d_model, finite numbers, shapes), before a worker starts.
      checkAttentionInputs(x, n, w, opts);
      return runCaseOnnx(x, n, w, { heads: opts.heads, mask: opts.mask, scale: opts.scale });
    };
  },
};

export const engineNames = (): string[] => Object.keys(ENGINES);

export async function loadEngine(name: string): Promise<EngineRun> {
  const load = Object.hasOwn(ENGINES, name) ? ENGINES[name] : undefined;
  if (!load) throw new UsageError(`unknown engine "${name}"; available: ${engineNames().join(', ')}`);
  return load();
}

/** Makes `name` available to --engine; a later registration under the same name replaces it. */
export function registerEngine(name: string, load: () => Promise<EngineRun>): void {
  ENGINES[name] = load;
}
