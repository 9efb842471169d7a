// What the lazily loaded ORT bundle (dist/webviewOrt.js) offers the panel's script and the
// benchmark page. The bundle is an ES module loaded by a <script nonce> only when a run asks for
// WebGPU, and hands this object over on globalThis, because a nonce'd <script> is the one way the
// CSP lets code in.
import type { WebGpuLayerInput } from '../../src/shared/webgpu';

export interface OrtWebGpuRequest extends WebGpuLayerInput {
  /** Webview URI of ORT's .wasm binary. */
  wasmUrl: string;
}

export interface OrtWebGpuResult {
  weights: Float32Array; // [1][H][N][N]
  /** Session creation (graph compile, shader setup) plus the run, in the webview. */
  elapsedMs: number;
}

/** One session kept open, for timing runs apart from session creation (the benchmark). */
export interface OrtWebGpuSession {
  run(x: Float32Array, n: number, dModel: number): Promise<Float32Array>; // x: [1][N][d] → [1][H][N][N]
  release(): Promise<void>;
}

export interface OrtWebGpuApi {
  /** Creates a session, runs it once and releases it. */
  run(request: OrtWebGpuRequest): Promise<OrtWebGpuResult>;
  open(model: Uint8Array, wasmUrl: string): Promise<OrtWebGpuSession>;
}

/** The global the bundle sets when it has loaded. */
export const ORT_GLOBAL = 'attentionExplorerOrt';
