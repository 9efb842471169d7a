// Entry of dist/webviewOrt.js: onnxruntime-web's WebGPU build, run in the explorer panel.
// Loaded only when the engine setting asks for WebGPU; the main panel script stays small.
import * as ort from 'onnxruntime-web/webgpu';
import { ORT_GLOBAL, type OrtWebGpuApi, type OrtWebGpuRequest, type OrtWebGpuResult } from './api';

async function run(request: OrtWebGpuRequest): Promise<OrtWebGpuResult> {
  // A webview is not cross-origin isolated: no SharedArrayBuffer, so one thread and no proxy worker.
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  // The binary only, by URL: with no prefix or .mjs path given, the bundle uses its own inlined glue
  // instead of importing ort-wasm-*.mjs, which would need another file and a script-src entry.
  ort.env.wasm.wasmPaths = { wasm: request.wasmUrl };
  const started = performance.now();
  const session = await ort.InferenceSession.create(request.model, { executionProviders: ['webgpu'] });
  try {
    const x = new ort.Tensor('float32', request.x, [1, request.n, request.dModel]); // [1, N, d_model]
    const outputs = await session.run({ x }, ['attention_weights']);
    const weights = outputs.attention_weights; // [1, H, N, N], read back to the CPU
    if (!(weights.data instanceof Float32Array)) throw new Error(`attention_weights came back as ${weights.type}, not float32`);
    return { weights: weights.data, elapsedMs: performance.now() - started };
  } finally {
    await session.release();
  }
}

const api: OrtWebGpuApi = { run };
(globalThis as Record<string, unknown>)[ORT_GLOBAL] = api;
