// The extension host's side of the attention worker: one lazily started worker thread,
// terminated (and restarted on the next run) when the user cancels.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as vscode from 'vscode';
import type { LayerInput, LayerSpec } from '../core';
import type { ComputeReply, FromWorker, ToWorker } from '../shared/workerProtocol';

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
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: ComputeReply) => void; reject: (e: Error) => void }>();

  constructor(private readonly distPath: string) {}

  compute(input: LayerInput, spec: LayerSpec, token: vscode.CancellationToken): Promise<ComputeReply> {
    if (token.isCancellationRequested) return Promise.reject(new CancelledError());
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise<ComputeReply>((resolve, reject) => {
      const sub = token.onCancellationRequested(() => {
        // A busy JS thread cannot be interrupted; ending the worker is the only prompt way out.
        this.reset(new CancelledError());
      });
      this.pending.set(id, {
        resolve: (r) => {
          sub.dispose();
          resolve(r);
        },
        reject: (e) => {
          sub.dispose();
          reject(e);
        },
      });
      const msg: ToWorker = { type: 'compute', id, input, spec };
      worker.postMessage(msg);
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(path.join(this.distPath, 'attentionWorker.js'));
    worker.on('message', (msg: FromWorker) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.type === 'result') p.resolve(msg);
      else p.reject(new ComputeError(msg.message, msg.code));
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
    for (const p of this.pending.values()) p.reject(reason);
    this.pending.clear();
    void worker?.terminate();
  }

  dispose(): void {
    this.reset(new CancelledError());
  }
}
