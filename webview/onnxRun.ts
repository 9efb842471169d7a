// Runs an ONNX graph in the panel with onnxruntime-web's WebGPU backend, for the host's
// `onnx-webgpu` engine. WebGPU is probed first (navigator.gpu, a non-null adapter) so that a
// machine without it never loads the 27 MB WebGPU build; every failure becomes a reason in the
// reply, and the host then runs the WASM backend and says why.
import type { OnnxReplyMessage, RunOnnxMessage } from '../src/shared/protocol';
import { GPU_WITHOUT_ADAPTER, probeWebGpu, type GpuLike } from '../src/shared/webgpu';
import { ORT_GLOBAL, type OrtWebGpuApi } from './ort/api';

let loading: Promise<OrtWebGpuApi> | undefined;

/** The nonce the host gave this page's scripts; a script added with it passes the CSP. */
function pageNonce(): string {
  return document.querySelector<HTMLScriptElement>('script[nonce]')?.nonce ?? '';
}

function loadOrt(src: string): Promise<OrtWebGpuApi> {
  loading ??= new Promise<OrtWebGpuApi>((resolve, reject) => {
    const script = document.createElement('script');
    script.type = 'module';
    script.nonce = pageNonce();
    script.src = src;
    script.onload = () => {
      const api = (globalThis as Record<string, unknown>)[ORT_GLOBAL] as OrtWebGpuApi | undefined;
      if (api) resolve(api);
      else reject(new Error('the onnxruntime bundle loaded but did not start'));
    };
    script.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.append(script);
  }).catch((e: unknown) => {
    loading = undefined; // let a later run try again
    throw e;
  });
  return loading;
}

export async function runOnnx(message: RunOnnxMessage): Promise<OnnxReplyMessage> {
  const base = { type: 'onnxReply' as const, requestId: message.requestId };
  const gpu = message.simulateNoAdapter ? GPU_WITHOUT_ADAPTER : (navigator as Navigator & { gpu?: GpuLike }).gpu;
  const probe = await probeWebGpu(gpu);
  if (!probe.ok) return { ...base, fallback: probe.reason, detail: probe.detail };
  try {
    const ort = await loadOrt(message.ortScript);
    const r = await ort.run({ model: message.model, x: message.x, n: message.n, dModel: message.dModel, wasmUrl: message.ortWasm });
    return { ...base, weights: r.weights, elapsedMs: r.elapsedMs, adapter: probe.adapter };
  } catch (e) {
    return { ...base, fallback: 'failed', detail: (e instanceof Error ? e.message : String(e)).slice(0, 2_000) };
  }
}
