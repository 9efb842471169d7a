// Messages between the extension host (OrtWorkerClient) and the onnxruntime worker (ortWorker).
// Every request carries an id; the worker answers each with exactly one reply of the same id.
// Tensor data crosses as typed arrays whose buffers are transferred, never as JSON arrays.
import type { OnnxErrorCode } from '../errors';
import type { Feeds } from '../tensor';

export type { Feeds, TensorData, TensorType } from '../tensor';

/** Data the worker is started with; fixed for its lifetime because ORT reads it only once. */
export interface WorkerInit {
  /** Folder holding ort-wasm-simd-threaded.{mjs,wasm}. */
  wasmDir: string;
  /** ORT intra-op threads; 1 runs everything on the worker thread itself. */
  threads: number;
}

/** A file the model keeps weights in, by the name the model gives it. */
export interface ExternalFile { path: string; data: Uint8Array }

/** Create a session from model bytes (and the files holding its external data). */
export interface LoadRequest { type: 'load'; id: number; model: Uint8Array; externalData?: ExternalFile[] }
/** Run a loaded session; `outputs` lists the graph outputs to fetch. */
export interface RunRequest { type: 'run'; id: number; session: number; feeds: Feeds; outputs: string[] }
/** Release a session's memory. */
export interface ReleaseRequest { type: 'release'; id: number; session: number }

export type ToWorker = LoadRequest | RunRequest | ReleaseRequest;

/** A session was created. */
export interface LoadedReply {
  type: 'loaded';
  id: number;
  session: number;
  inputNames: string[];
  outputNames: string[];
}
/** A run finished; `ms` is the time spent inside session.run. */
export interface ResultReply { type: 'result'; id: number; outputs: Feeds; ms: number }
/** A session was released. */
export interface ReleasedReply { type: 'released'; id: number }
/** A request failed. */
export interface ErrorReply { type: 'error'; id: number; code: OnnxErrorCode; message: string }

export type FromWorker = LoadedReply | ResultReply | ReleasedReply | ErrorReply;

/** The buffers of a set of tensors, to pass as a transfer list. */
export function transferables(feeds: Feeds): ArrayBuffer[] {
  const seen = new Set<ArrayBuffer>();
  for (const t of Object.values(feeds)) {
    if (t.data.buffer instanceof ArrayBuffer) seen.add(t.data.buffer);
  }
  return [...seen];
}
