// Requests the host sent to a webview, waiting for the reply with their requestId. Each one
// settles exactly once: by its reply, by its time limit, or when the panel closes; its timer is
// cleared whichever comes first.

/** How a request ends without a reply: a value to resolve with, or an error to reject with. */
export type Ending<T> = { value: T } | { error: Error };

interface Open<T> {
  resolve(value: T): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

export class PendingReplies<T> {
  private readonly open = new Map<number, Open<T>>();

  /** Waits for the reply to `requestId`; after `timeoutMs` it ends as `onTimeout` says. */
  wait(requestId: number, timeoutMs: number, onTimeout: () => Ending<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => this.end(requestId, onTimeout()), timeoutMs);
      this.open.set(requestId, { resolve, reject, timer });
    });
  }

  /** The reply arrived; false when nothing waits for it (answered, timed out or unknown). */
  answer(requestId: number, value: T): boolean {
    return this.end(requestId, { value });
  }

  /** Ends one request without its reply (cancelled, say). */
  end(requestId: number, ending: Ending<T>): boolean {
    const request = this.open.get(requestId);
    if (!request) return false;
    this.open.delete(requestId);
    clearTimeout(request.timer);
    if ('error' in ending) request.reject(ending.error);
    else request.resolve(ending.value);
    return true;
  }

  /** Ends every open request, e.g. when the panel closes. */
  endAll(ending: (requestId: number) => Ending<T>): void {
    for (const requestId of [...this.open.keys()]) this.end(requestId, ending(requestId));
  }
}
