// The extension host's side of the attention worker: one lazily started worker thread,
// terminated (and restarted on the next run) when the user cancels or a run times out.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as vscode from 'vscode';
import type { LayerInput, LayerSpec } from '../core';
import { Replies } from '../shared/replies';
import type { ComputeReply, FromWorker, ToWorker } from '../shared/workerProtocol';

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

export class AttentionClient implements vscode.Disposable {
  private worker: Worker | undefined;
  private readonly replies = new Replies<ComputeReply>({ name: 'attention computation' });

  constructor(private readonly distPath: string) {}

  compute(input: LayerInput, spec: LayerSpec, token: vscode.CancellationToken): Promise<ComputeReply> {
    if (token.isCancellationRequested) return Promise.reject(new CancelledError());
    const worker = this.ensureWorker();
    const id = this.replies.next();
    const reply = this.replies.wait(id, {
      timeoutMs: COMPUTE_TIMEOUT_MS,
      // A worker silent this long is stuck: end it, so that the next run gets a fresh one.
      onTimeout: (error) => {
        this.reset(error);
        return { error };
      },
    });
    // A busy JS thread cannot be interrupted; ending the worker is the only prompt way out.
    const sub = token.onCancellationRequested(() => this.reset(new CancelledError()));
    try {
      const msg: ToWorker = { type: 'compute', id, input, spec };
      worker.postMessage(msg);
    } catch (e) {
      this.replies.fail(id, e instanceof Error ? e : new Error(String(e)));
    }
    return reply.finally(() => sub.dispose());
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(path.join(this.distPath, 'attentionWorker.js'));
    worker.on('message', (msg: FromWorker) => {
      if (msg.type === 'result') this.replies.answer(msg.id, msg);
      else this.replies.fail(msg.id, new ComputeError(msg.message, msg.code));
    });
    worker.on('error', (e) => this.reset(e instanceof Error ? e : new Error(String(e))));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.reset(new Error(`attention worker stopped (exit code ${code})`));
    });
    this.worker = worker;
    return worker;
  }

  /** Ends the worker and fails everything still waiting on it. */
  private reset(reason: Error): void {
    const worker = this.worker;
    this.worker = undefined;
    this.replies.closeAll(reason);
    void worker?.terminate();
  }

  dispose(): void {
    this.reset(new CancelledError());
  }
}
