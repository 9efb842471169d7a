// The ONNX engine for one attention layer: export the layer, run it in onnxruntime in a worker
// thread, and hand back the same shape of result as the core's multiHeadAttention.
import type { AttentionResult, LayerWeights } from '../../core/types';
import { exportAttentionModel, type ExportOptions } from '../export';
import { OrtWorkerClient } from './ortWorkerClient';

export interface OnnxCaseOptions extends ExportOptions {
  /** onnxruntime threads (default 1). */
  threads?: number;
  signal?: AbortSignal;
  /** A long-lived client to reuse; without one, a client is made for this call and disposed. */
  client?: OrtWorkerClient;
}

/** x: [N][d_model] row-major. Resolves to weights [H][N][N] and output [N][d_model]. */
export async function runCaseOnnx(
  x: Float32Array, n: number, w: LayerWeights, opts: OnnxCaseOptions,
): Promise<AttentionResult> {
  const d = w.dModel;
  if (x.length !== n * d) throw new RangeError(`x has ${x.length} values, expected ${n}×${d}`);
  const model = exportAttentionModel(w, opts);
  const client = opts.client ?? new OrtWorkerClient();
  try {
    const { outputs } = await client.run(
      model,
      { x: { type: 'float32', dims: [1, n, d], data: x } },
      ['attention_weights', 'output'],
      { threads: opts.threads ?? 1, signal: opts.signal },
    );
    // attention_weights: [1, H, N, N] and output: [1, N, d] are already [H][N][N] and [N][d] in memory.
    return {
      n, dModel: d, heads: opts.heads, dHead: d / opts.heads,
      weights: outputs.attention_weights.data as Float32Array,
      output: outputs.output.data as Float32Array,
    };
  } finally {
    if (!opts.client) client.dispose();
  }
}
