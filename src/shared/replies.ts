// The one way to wait for an answer that comes back by request id: host ↔ webview, webview ↔
// host, host ↔ worker threads. Each wait settles exactly once: by its answer, by a failure, by
// its time limit, by an AbortSignal, or by closeAll when either side goes away. Its timer is
// cleared and its abort listener removed whichever comes first, so nothing settled keeps a
// process alive. Pure: runs in the extension host, a webview and a worker alike.

/** How a request ends without its answer: a value to resolve with, or an error to reject with. */
export type Ending<T> = { value: T } | { error: Error };

/** The part of AbortSignal used here (shared code sees neither the DOM's nor Node's types). */
export interface AbortSignalLike {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** Timer functions; tests may pass fakes. */
export interface Timers {
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(timer: unknown): void;
}

/** Looked up on each call, so that whatever setTimeout the global scope has then is the one used. */
const globalTimers: Timers = {
  setTimeout: (run, ms) => (globalThis as unknown as Timers).setTimeout(run, ms),
  clearTimeout: (timer) => (globalThis as unknown as Timers).clearTimeout(timer),
};

/** Longer delays overflow setTimeout and would fire at once. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** No answer came within the time limit. */
export class ReplyTimeoutError extends Error {
  constructor(
    /** What waited, e.g. 'steps request 3'. */
    readonly what: string,
    readonly timeoutMs: number,
  ) {
    super(`No reply to ${what} within ${duration(timeoutMs)}`);
    this.name = 'ReplyTimeoutError';
  }
}

/** The request's AbortSignal fired before its answer came. */
export class ReplyCancelledError extends Error {
  constructor(readonly what: string) {
    super(`${what} was cancelled`);
    this.name = 'ReplyCancelledError';
  }
}

export interface WaitOptions<T> {
  /** Milliseconds to wait; Infinity only where something else ends a stuck request (a signal that terminates a worker). */
  timeoutMs: number;
  /** How to end at the time limit, given the error it would reject with otherwise. */
  onTimeout?: (timeout: ReplyTimeoutError) => Ending<T>;
  signal?: AbortSignalLike;
  /** How to end when `signal` aborts, given the error it would reject with otherwise. */
  onAbort?: (cancelled: ReplyCancelledError) => Ending<T>;
}

interface Open<T> {
  resolve(value: T): void;
  reject(error: Error): void;
  /** Clears the timer and removes the abort listener. */
  release(): void;
}

export class Replies<T> {
  private readonly open = new Map<number, Open<T>>();
  private lastId = 0;
  private readonly name: string;
  private readonly timers: Timers;

  /** `name` says what kind of request waits, in error messages ('steps request'). */
  constructor(options: { name?: string; timers?: Timers } = {}) {
    this.name = options.name ?? 'request';
    this.timers = options.timers ?? globalTimers;
  }

  /** A fresh request id (1, 2, …). Callers with ids of their own pass those to wait instead. */
  next(): number {
    return ++this.lastId;
  }

  /** How many requests are waiting. */
  get size(): number {
    return this.open.size;
  }

  /** Waits for the answer to `id`; register before sending, so that no answer can come first. */
  wait(id: number, options: WaitOptions<T>): Promise<T> {
    const { timeoutMs, signal } = options;
    if (!(timeoutMs >= 0 && (timeoutMs <= MAX_TIMEOUT_MS || timeoutMs === Infinity))) {
      throw new RangeError(`timeoutMs must be between 0 and ${MAX_TIMEOUT_MS}, or Infinity; got ${timeoutMs}`);
    }
    if (this.open.has(id)) throw new Error(`${this.name} ${id} is already waiting`);
    const what = `${this.name} ${id}`;
    const aborted = (): Ending<T> => {
      const error = new ReplyCancelledError(what);
      return options.onAbort ? options.onAbort(error) : { error };
    };
    if (signal?.aborted) return settled(aborted());
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => this.end(id, aborted());
      const timedOut = () => {
        const error = new ReplyTimeoutError(what, timeoutMs);
        this.end(id, options.onTimeout ? options.onTimeout(error) : { error });
      };
      const timer = timeoutMs === Infinity ? undefined : this.timers.setTimeout(timedOut, timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      const release = () => {
        if (timer !== undefined) this.timers.clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      this.open.set(id, { resolve, reject, release });
    });
  }

  /** The answer arrived; false when nothing waits for it (settled already, or unknown). */
  answer(id: number, value: T): boolean {
    return this.end(id, { value });
  }

  /** The other side reported a failure, or the request is ended on purpose; false as for answer. */
  fail(id: number, error: Error): boolean {
    return this.end(id, { error });
  }

  /** Ends every waiting request because a side went away: all with `reason`, or each as it says. */
  closeAll(reason: Error | ((id: number) => Ending<T>)): void {
    for (const id of [...this.open.keys()]) this.end(id, reason instanceof Error ? { error: reason } : reason(id));
  }

  private end(id: number, ending: Ending<T>): boolean {
    const request = this.open.get(id);
    if (!request) return false;
    this.open.delete(id);
    request.release();
    if ('error' in ending) request.reject(ending.error);
    else request.resolve(ending.value);
    return true;
  }
}

function settled<T>(ending: Ending<T>): Promise<T> {
  return 'error' in ending ? Promise.reject(ending.error) : Promise.resolve(ending.value);
}

function duration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${ms / 1000} s`;
}
