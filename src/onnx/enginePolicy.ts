// Which engine computes one attention layer: the TypeScript core or the exported ONNX graph in
// onnxruntime-web. The extension, the command line and the benchmark all ask this one function.

export type Engine = 'core' | 'onnx';

export interface EngineChoice {
  engine: Engine;
  /** onnxruntime intra-op threads; 1 for the core. */
  threads: number;
}

export interface EngineQuery {
  n: number;
  dModel: number;
  heads: number;
  /** Cores the caller may use (os.availableParallelism() in Node). */
  cores: number;
  /** False where onnxruntime cannot run (e.g. its WASM files are missing). */
  onnxAvailable?: boolean;
}

/** FLOPs of one layer: four projections (2·N·d² each) plus scores and weights·V (2·N²·d each). */
export function attentionFlops(n: number, dModel: number): number {
  return 2 * n * dModel * dModel * 4 + 2 * 2 * n * n * dModel;
}

/**
 * Below this many FLOPs the core wins: the round trip to the worker thread (a few tenths of a
 * millisecond) is then as long as the whole layer in the core (d_model 64 at N ≈ 16). Above it
 * onnxruntime's SIMD kernels win by 3× (d_model 64, N = 64) to 10× (d_model 768).
 * This assumes the exported session is reused; the first run also pays for export and load.
 */
export const CORE_MAX_FLOPS = 1e6;

export function chooseEngine(q: EngineQuery): EngineChoice {
  if (q.onnxAvailable === false || attentionFlops(q.n, q.dModel) < CORE_MAX_FLOPS) {
    return { engine: 'core', threads: 1 };
  }
  // Every core, up to 4: on the 2-core machine two threads ran N = 128 … 512 1.9× faster than
  // one. The work runs in a worker thread, so the extension host stays responsive regardless.
  // Beyond 4, WASM threads add synchronisation without adding speed at these sizes.
  return { engine: 'onnx', threads: Math.max(1, Math.min(4, Math.floor(q.cores))) };
}
