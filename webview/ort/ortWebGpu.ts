// Entry of dist/webviewOrt.js: onnxruntime-web's WebGPU build, run in the explorer panel (and on
// the benchmark's page). Loaded only when the engine setting asks for WebGPU; the main panel
// script stays small.
import * as ort from 'onnxruntime-web/webgpu';
import { ORT_GLOBAL, type OrtWebGpuApi, type OrtWebGpuRequest, type OrtWebGpuResult, type OrtWebGpuSession } from './api';

async function open(model: Uint8Array, wasmUrl: string): Promise<OrtWebGpuSession> {
  // A webview is not cross-origin isolated: no SharedArrayBuffer, so one thread and no proxy worker.
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  // The binary only, by URL: with no prefix or .mjs path given, the bundle uses its own inlined glue
  // instead of importing ort-wasm-*.mjs, which would need another file and a script-src entry.
  ort.env.wasm.wasmPaths = { wasm: wasmUrl };
  const session = await ort.InferenceSession.create(model, { executionProviders: ['webgpu'] });
  return {
    async run(x, n, dModel) {
      const outputs = await session.run({ x: new ort.Tensor('float32', x, [1, n, dModel]) }, ['attention_weights']);
      const weights = outputs.attention_weights; // [1, H, N, N], read back to the CPU
      if (!(weights.data instanceof Float32Array)) throw new Error(`attention_weights came back as ${weights.type}, not float32`);
      return weights.data;
    },
    release: () => session.release(),
  };
}

async function run(request: OrtWebGpuRequest): Promise<OrtWebGpuResult> {
  const started = performance.now();
  const session = await open(request.model, request.wasmUrl);
  try {
    const weights = await session.run(request.x, request.n, request.dModel);
    return { weights, elapsedMs: performance.now() - started };
  } finally {
    await session.release();
  }
}

const api: OrtWebGpuApi = { run, open };
(globalThis as Record<string, unknown>)[ORT_GLOBAL] = api;
