// What the lazily loaded ORT bundle (dist/webviewOrt.js) offers the panel's script. The bundle
// is an ES module loaded by a <script nonce> only when a run asks for WebGPU, and hands this
// object over on globalThis, because a nonce'd <script> is the one way the CSP lets code in.

export interface OrtWebGpuRequest {
  model: Uint8Array; // ONNX model bytes
  x: Float32Array; // [1][N][d_model]
  n: number;
  dModel: number;
  /** Webview URI of ORT's .wasm binary. */
  wasmUrl: string;
}

export interface OrtWebGpuResult {
  weights: Float32Array; // [1][H][N][N]
  /** Session creation (graph compile, shader setup) plus the run, in the webview. */
  elapsedMs: number;
}

export interface OrtWebGpuApi {
  run(request: OrtWebGpuRequest): Promise<OrtWebGpuResult>;
}

/** The global the bundle sets when it has loaded. */
export const ORT_GLOBAL = 'attentionExplorerOrt';
