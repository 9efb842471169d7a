// runAttention with the command line's environment: the core runs inline (no worker thread to
// keep a shell responsive), and onnxruntime's worker, which loads 14 MB of WASM, starts only
// when an engine asks for it and is closed when the run ends.

import type { GeneratedRun, GenerateRequest } from '../engine/generate';
import type { AttentionRequest, AttentionRun, EngineEnv } from '../engine/run';
import type { OrtWorkerClient } from '../onnx/node/ortWorkerClient';

/**
 * `cores` bounds onnxruntime's threads; the core engine ignores it. `chooseLayers` sees a model's
 * layers and heads before its full run (to refuse one too large).
 */
export async function attention(
  request: AttentionRequest, cores: number, chooseLayers?: EngineEnv['chooseLayers'],
): Promise<AttentionRun> {
  // Loaded on use so that `case` and `steps` never evaluate the engines' ONNX code.
  const { runAttention } = await import('../engine/run');
  return withEnv(request.kind === 'model' || request.engine !== 'core', cores, chooseLayers, (env) => runAttention(request, env));
}

/** `run --generate K`: the model continues the text, then the attention of the whole. */
export async function generation(request: GenerateRequest, cores: number, chooseLayers?: EngineEnv['chooseLayers']): Promise<GeneratedRun> {
  const { generateAttention } = await import('../engine/generate');
  return withEnv(true, cores, chooseLayers, (env) => generateAttention(request, env));
}

async function withEnv<T>(
  needsOrt: boolean, cores: number, chooseLayers: EngineEnv['chooseLayers'], run: (env: EngineEnv) => Promise<T>,
): Promise<T> {
  let client: OrtWorkerClient | undefined;
  let Client: typeof OrtWorkerClient | undefined;
  if (needsOrt) ({ OrtWorkerClient: Client } = await import('../onnx/node/ortWorkerClient'));
  const ort = (): OrtWorkerClient => {
    if (!Client) throw new Error('the core engine asked for onnxruntime');
    return (client ??= new Client());
  };
  try {
    return await run({ cores, ort, chooseLayers });
  } finally {
    client?.dispose();
  }
}
