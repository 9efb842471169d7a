// runAttention with the command line's environment: the core runs inline (no worker thread to
// keep a shell responsive), and onnxruntime's worker, which loads 14 MB of WASM, starts only
// when an engine asks for it and is closed when the run ends.

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
  let client: OrtWorkerClient | undefined;
  let Client: typeof OrtWorkerClient | undefined;
  if (request.kind === 'model' || request.engine !== 'core') {
    ({ OrtWorkerClient: Client } = await import('../onnx/node/ortWorkerClient'));
  }
  const ort = (): OrtWorkerClient => {
    if (!Client) throw new Error('the core engine asked for onnxruntime');
    return (client ??= new Client());
  };
  try {
    return await runAttention(request, { cores, ort, chooseLayers });
  } finally {
    client?.dispose();
  }
}
