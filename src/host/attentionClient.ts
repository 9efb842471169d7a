// The extension host's side of the attention worker threads. Ordinary runs share one lazily
// started worker, terminated (and restarted on the next run) when the user cancels or a run times
// out. A run too large to hand back gets a worker of its own that keeps the weights and answers
// tiles until the run is released, so cancelling anything else never takes it with it.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as vscode from 'vscode';
import type { LayerInput, LayerSpec } from '../core';
import { OVERVIEW_BLOCKS, type Tile, type Window } from '../core/tiles';
import type { HeadStats } from '../shared/matrices';
import type { MatrixChoice, MatrixFilters } from '../shared/protocol';
import { Replies } from '../shared/replies';
import type { ComputeReply, FromWorker, ToWorker, WorkerReply } from '../shared/workerProtocol';

/** A 16384-token run takes about a minute; no answer in ten means the worker is stuck. */
const COMPUTE_TIMEOUT_MS = 10 * 60_000;

export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledError';
  }
}

/** A failure reported by the core, with its stable error code when it has one. */
export class ComputeError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'ComputeError';
  }
}

/** Requests without an id yet. */
type Request = ToWorker extends infer T ? (T extends ToWorker ? Omit<T, 'id'> : never) : never;

/** One worker thread and the requests waiting on it. */
class CoreWorker {
  private worker: Worker | undefined;
  private readonly replies = new Replies<WorkerReply>({ name: 'attention worker request' });

  constructor(private readonly script: string) {}

  /** Sends a request; cancelling ends the worker (a busy JS thread cannot be interrupted otherwise). */
  ask(request: Request, token?: vscode.CancellationToken): Promise<WorkerReply> {
    if (token?.isCancellationRequested) return Promise.reject(new CancelledError());
    const worker = this.ensure();
    const id = this.replies.next();
    const reply = this.replies.wait(id, {
      timeoutMs: COMPUTE_TIMEOUT_MS,
      // A worker silent this long is stuck: end it, so that the next run gets a fresh one.
      onTimeout: (error) => {
        this.end(error);
        return { error };
      },
    });
    const sub = token?.onCancellationRequested(() => this.end(new CancelledError()));
    try {
      worker.postMessage({ ...request, id } as ToWorker);
    } catch (e) {
      this.replies.fail(id, e instanceof Error ? e : new Error(String(e)));
    }
    return reply.finally(() => sub?.dispose());
  }

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.script);
    worker.on('message', (msg: FromWorker) => {
      if (msg.type === 'failure') this.replies.fail(msg.id, new ComputeError(msg.message, msg.code));
      else this.replies.answer(msg.id, msg);
    });
    worker.on('error', (e) => this.end(e instanceof Error ? e : new Error(String(e))));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.end(new Error(`attention worker stopped (exit code ${code})`));
    });
    this.worker = worker;
    return worker;
  }

  /** Ends the worker and fails everything still waiting on it. */
  end(reason: Error): void {
    const worker = this.worker;
    this.worker = undefined;
    this.replies.closeAll(reason);
    void worker?.terminate();
  }
}

/** Weights a worker keeps: ask it for tiles and summaries; release it when the run is no longer shown. */
export interface KeptRun {
  reply: ComputeReply;
  tile(choice: MatrixChoice, filters: MatrixFilters, window: Window, rows: number, cols: number): Promise<{ tile: Tile; peak: number }>;
  stats(causal: boolean): Promise<HeadStats>;
  release(): void;
}

function expect<T extends WorkerReply['type']>(reply: WorkerReply, type: T): Extract<WorkerReply, { type: T }> {
  if (reply.type !== type) throw new Error(`the attention worker answered ${reply.type} to a ${type} request`);
  return reply as Extract<WorkerReply, { type: T }>;
}

export class AttentionClient implements vscode.Disposable {
  private readonly shared: CoreWorker;
  private readonly kept = new Set<CoreWorker>();

  constructor(private readonly distPath: string) {
    this.shared = new CoreWorker(this.script);
  }

  private get script(): string {
    return path.join(this.distPath, 'attentionWorker.js');
  }

  /** The layer's weights, computed in the shared worker and handed back. */
  async compute(input: LayerInput, spec: LayerSpec, token: vscode.CancellationToken, sequence?: number): Promise<ComputeReply> {
    return expect(await this.shared.ask({ type: 'compute', input, spec, sequence }, token), 'result');
  }

  /** The layer computed blockwise in a worker of its own, which keeps the weights. */
  async keep(input: LayerInput, spec: LayerSpec, token: vscode.CancellationToken): Promise<KeptRun> {
    const worker = new CoreWorker(this.script);
    this.kept.add(worker);
    const release = () => {
      this.kept.delete(worker);
      worker.end(new CancelledError());
    };
    try {
      const reply = expect(await worker.ask({ type: 'compute', input, spec, keep: { overview: OVERVIEW_BLOCKS } }, token), 'result');
      return {
        reply,
        tile: async (choice, filters, window, rows, cols) => {
          const t = expect(await worker.ask({ type: 'tile', choice, filters, window, rows, cols }), 'tile');
          return { tile: t.tile, peak: t.peak };
        },
        stats: async (causal) => {
          const { entropy, sparsity, max } = expect(await worker.ask({ type: 'stats', causal }), 'stats');
          return { entropy, sparsity, max };
        },
        release,
      };
    } catch (e) {
      release();
      throw e;
    }
  }

  dispose(): void {
    this.shared.end(new CancelledError());
    for (const worker of this.kept) worker.end(new CancelledError());
    this.kept.clear();
  }
}
