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
 * The core wins only for small layers: below about 5e6 FLOPs with d_model up to 128 (d_model 64:
 * N = 64 takes 0.4 ms in the core and 0.8 ms through the worker; at N = 128 they are even).
 * Its fixed cost per call grows with d_model² (about 35 ms at d_model 768 even for N = 1,
 * against 0.5 ms in onnxruntime), so wider layers always go to onnxruntime.
 * This assumes the exported session is reused; the first run also pays for export and load.
 */
export const CORE_MAX_FLOPS = 5e6;
export const CORE_MAX_D_MODEL = 128;

export function chooseEngine(q: EngineQuery): EngineChoice {
  const small = q.dModel <= CORE_MAX_D_MODEL && attentionFlops(q.n, q.dModel) < CORE_MAX_FLOPS;
  if (q.onnxAvailable === false || small) return { engine: 'core', threads: 1 };
  // Every core, up to 4: on the 2-core machine two threads ran d_model 768 at N = 512 … 1024
  // twice as fast as one. The work runs in a worker thread, so the extension host stays responsive regardless.
  // Beyond 4, WASM threads add synchronisation without adding speed at these sizes.
  return { engine: 'onnx', threads: Math.max(1, Math.min(4, Math.floor(q.cores))) };
}
