// Whether WebGPU can run here, decided before onnxruntime's 27 MB WebGPU build is loaded, and the
// reasons the host names when the WASM backend has to run instead. Pure: the caller passes
// navigator.gpu (or a stand-in), so the decision is tested without a browser.

/** What a WebGPU run of the exported layer takes, wherever it is asked for or carried out. */
export interface WebGpuLayerInput {
  model: Uint8Array; // ONNX model bytes (input x, output attention_weights)
  x: Float32Array; // [1][N][d_model]
  n: number;
  dModel: number;
}

/** Why the WebGPU backend did not run. */
export type WebGpuFallbackReason =
  /** The browser has no navigator.gpu (WebGPU off, or an older engine). */
  | 'no-webgpu'
  /** navigator.gpu.requestAdapter() resolved to null: no usable GPU, or it is blocklisted. */
  | 'no-adapter'
  /** An adapter was found, but onnxruntime could not create or run the session. */
  | 'failed'
  /** Nothing can run WebGPU for this caller (only the explorer panel can). */
  | 'no-panel';

export const WEBGPU_FALLBACK_REASONS: readonly WebGpuFallbackReason[] = ['no-webgpu', 'no-adapter', 'failed', 'no-panel'];

/** What a probe found: an adapter (with a short description), or a reason to fall back. */
export type WebGpuProbe =
  | { ok: true; adapter: string }
  | { ok: false; reason: WebGpuFallbackReason; detail?: string };

/** The part of GPUAdapterInfo we show; every field is optional because browsers leave some empty. */
interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  description?: string;
}

/** The part of navigator.gpu the probe needs. */
export interface GpuLike {
  requestAdapter(): Promise<{ info?: AdapterInfoLike } | null>;
}

/** A short name for the adapter, e.g. "google swiftshader"; "" when the browser tells nothing. */
export function adapterName(info: AdapterInfoLike | undefined): string {
  if (!info) return '';
  const parts = [info.vendor, info.architecture].filter((p): p is string => typeof p === 'string' && p.length > 0);
  const name = parts.length ? parts.join(' ') : (info.description ?? '');
  return name.slice(0, 80);
}

/** Gate on navigator.gpu and a non-null adapter, the two ways WebGPU is missing in practice. */
export async function probeWebGpu(gpu: GpuLike | undefined): Promise<WebGpuProbe> {
  if (!gpu) return { ok: false, reason: 'no-webgpu' };
  let adapter: { info?: AdapterInfoLike } | null;
  try {
    adapter = await gpu.requestAdapter();
  } catch (e) {
    return { ok: false, reason: 'failed', detail: e instanceof Error ? e.message : String(e) };
  }
  if (!adapter) return { ok: false, reason: 'no-adapter' };
  return { ok: true, adapter: adapterName(adapter.info) };
}

/** A stand-in for a browser whose requestAdapter() finds nothing (tests of the fallback). */
export const GPU_WITHOUT_ADAPTER: GpuLike = { requestAdapter: () => Promise.resolve(null) };
