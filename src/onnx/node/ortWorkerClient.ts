// The extension host's handle on onnxruntime: every model load and run happens in a worker
// thread (dist/ortWorker.js), so the host's event loop never blocks, and cancelling a run is
// terminating its worker. One worker per thread count, started on first use.
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Replies } from '../../shared/replies';
import { OnnxCancelledError, OnnxError, OnnxRuntimeError } from '../errors';
import { transferables, type ExternalFile, type Feeds, type FromWorker, type ToWorker, type WorkerInit } from './protocol';

export interface OrtWorkerClientOptions {
  /** The bundled worker script; default: ortWorker.js next to the calling bundle. */
  workerPath?: string;
  /** Folder with ort-wasm-simd-threaded.{mjs,wasm}; default: the worker script's folder. */
  wasmDir?: string;
}

export interface RunOptions {
  /** onnxruntime intra-op threads (default 1). */
  threads?: number;
  /** Aborting terminates the worker running the request; the request rejects with OnnxCancelledError. */
  signal?: AbortSignal;
  /**
   * Hand the model's buffer to the worker instead of copying it (it is detached afterwards):
   * saves a copy of a large model. Ignored when the array is a view into a larger buffer.
   */
  transferModel?: boolean;
  /** The files the model keeps weights in, passed to onnxruntime with the model. */
  externalData?: ExternalFile[];
}

export interface RunResult {
  outputs: Feeds;
  /** Milliseconds spent in session.run inside the worker. */
  ms: number;
}

/** A request before the handle gives it an id. */
type Request = ToWorker extends infer T ? (T extends ToWorker ? Omit<T, 'id'> : never) : never;

/**
 * A copy with a buffer of its own, safe to transfer. (A Node Buffer's slice() is a view into a
 * shared pool, so it cannot be used for this.)
 */
function ownCopy<T extends Feeds[string]['data']>(a: T): T {
  return (a instanceof Uint8Array ? new Uint8Array(a) : a.slice()) as T;
}

/** One worker thread and the requests waiting on it. */
class WorkerHandle {
  readonly worker: Worker;
  private readonly replies = new Replies<FromWorker>({ name: 'onnxruntime request' });
  private ended = false;

  constructor(workerPath: string, init: WorkerInit, private readonly onEnd: () => void) {
    this.worker = new Worker(workerPath, { workerData: init });
    this.worker.unref();
    this.worker.on('message', (msg: FromWorker) => this.settle(msg));
    this.worker.on('error', (e: Error) => this.end(new OnnxRuntimeError(`onnxruntime worker failed: ${e.message}`)));
    this.worker.on('exit', (code) => this.end(new OnnxRuntimeError(`onnxruntime worker exited (code ${code})`)));
  }

  request(req: Request, signal?: AbortSignal, transfer: ArrayBuffer[] = []): Promise<FromWorker> {
    if (this.ended) return Promise.reject(new OnnxCancelledError('the onnxruntime worker has been stopped'));
    if (signal?.aborted) return Promise.reject(new OnnxCancelledError('cancelled'));
    const id = this.replies.next();
    const reply = this.replies.wait(id, {
      // No time limit: a large model takes as long as it takes, and a caller who stops waiting
      // aborts, which terminates the worker (and so rejects every request on it).
      timeoutMs: Infinity,
      signal,
      onAbort: () => {
        this.terminate();
        return { error: new OnnxCancelledError('cancelled') };
      },
    });
    // While a request is out, the worker keeps the process alive; when idle it does not.
    this.worker.ref();
    try {
      this.worker.postMessage({ ...req, id } as ToWorker, transfer);
    } catch (e) {
      this.replies.fail(id, e instanceof Error ? e : new Error(String(e)));
      this.unrefWhenIdle();
    }
    return reply;
  }

  terminate(): void {
    this.end(new OnnxCancelledError('cancelled'));
    void this.worker.terminate();
  }

  private settle(msg: FromWorker): void {
    if (msg.type === 'error') this.replies.fail(msg.id, new OnnxRuntimeError(msg.message));
    else this.replies.answer(msg.id, msg);
    this.unrefWhenIdle();
  }

  private unrefWhenIdle(): void {
    if (this.replies.size === 0) this.worker.unref();
  }

  private end(reason: OnnxError): void {
    if (this.ended) return;
    this.ended = true;
    this.replies.closeAll(reason);
    this.onEnd();
  }
}

/** A model loaded in a worker. Release it when done; its memory lives in the worker's WASM heap. */
export class OrtSession {
  constructor(
    private readonly handle: WorkerHandle,
    private readonly id: number,
    readonly inputNames: string[],
    readonly outputNames: string[],
  ) {}

  /** Runs the model; feed buffers are copied before they cross, so callers keep theirs. */
  async run(feeds: Feeds, outputs: string[], signal?: AbortSignal): Promise<RunResult> {
    const copy: Feeds = {};
    for (const [k, t] of Object.entries(feeds)) copy[k] = { ...t, data: ownCopy(t.data) };
    const msg = await this.handle.request({ type: 'run', session: this.id, feeds: copy, outputs }, signal, transferables(copy));
    if (msg.type !== 'result') throw new OnnxRuntimeError(`unexpected reply ${msg.type}`);
    return { outputs: msg.outputs, ms: msg.ms };
  }

  async release(): Promise<void> {
    await this.handle.request({ type: 'release', session: this.id });
  }
}

export class OrtWorkerClient {
  private readonly workers = new Map<number, WorkerHandle>();
  private readonly workerPath: string;
  private readonly wasmDir: string;

  constructor(opts: OrtWorkerClientOptions = {}) {
    this.workerPath = opts.workerPath ?? path.join(__dirname, 'ortWorker.js');
    this.wasmDir = opts.wasmDir ?? path.dirname(this.workerPath);
  }

  /** Creates a session in the worker for `threads`, starting that worker if needed. */
  async load(model: Uint8Array, opts: RunOptions = {}): Promise<OrtSession> {
    const handle = this.worker(opts.threads ?? 1);
    const whole = model.byteOffset === 0 && model.byteLength === model.buffer.byteLength && model.buffer instanceof ArrayBuffer;
    const bytes = opts.transferModel && whole ? model : ownCopy(model);
    const externalData = opts.externalData?.map((f) => ({ path: f.path, data: ownCopy(f.data) }));
    const msg = await handle.request({ type: 'load', model: bytes, ...(externalData ? { externalData } : {}) }, opts.signal,
      [bytes.buffer as ArrayBuffer, ...(externalData ?? []).map((f) => f.data.buffer as ArrayBuffer)]);
    if (msg.type !== 'loaded') throw new OnnxRuntimeError(`unexpected reply ${msg.type}`);
    return new OrtSession(handle, msg.session, msg.inputNames, msg.outputNames);
  }

  /** Loads, runs once and releases: for one-off runs. */
  async run(model: Uint8Array, feeds: Feeds, outputs: string[], opts: RunOptions = {}): Promise<RunResult> {
    const session = await this.load(model, opts);
    let result: RunResult;
    try {
      result = await session.run(feeds, outputs, opts.signal);
    } catch (e) {
      // The run's own error is the one to report; a failed release after it (a cancelled
      // worker has nothing left to release) adds nothing.
      await session.release().catch(() => undefined);
      throw e;
    }
    await session.release();
    return result;
  }

  /** Stops every worker; requests in flight reject with OnnxCancelledError. */
  cancelAll(): void {
    for (const h of [...this.workers.values()]) h.terminate();
  }

  dispose(): void {
    this.cancelAll();
  }

  private worker(threads: number): WorkerHandle {
    if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be a positive integer, got ${threads}`);
    let handle = this.workers.get(threads);
    if (!handle) {
      const created: WorkerHandle = new WorkerHandle(this.workerPath, { wasmDir: this.wasmDir, threads }, () => {
        if (this.workers.get(threads) === created) this.workers.delete(threads);
      });
      handle = created;
      this.workers.set(threads, handle);
    }
    return handle;
  }
}
