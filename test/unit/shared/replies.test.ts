import assert from 'node:assert/strict';
import { Replies, ReplyCancelledError, ReplyTimeoutError, type AbortSignalLike, type Timers } from '../../../src/shared/replies';

/** Timers that fire only when told, and say how many are still set. */
function fakeTimers() {
  const set = new Map<number, () => void>();
  let last = 0;
  const timers: Timers = {
    setTimeout(run) {
      set.set(++last, run);
      return last;
    },
    clearTimeout(timer) {
      set.delete(timer as number);
    },
  };
  return {
    timers,
    get live() {
      return set.size;
    },
    fireAll() {
      for (const [id, run] of [...set]) {
        set.delete(id);
        run();
      }
    },
  };
}

/** An AbortSignal that counts its listeners. */
class CountingSignal implements AbortSignalLike {
  aborted = false;
  readonly listeners = new Set<() => void>();
  addEventListener(_type: 'abort', listener: () => void): void {
    this.listeners.add(listener);
  }
  removeEventListener(_type: 'abort', listener: () => void): void {
    this.listeners.delete(listener);
  }
  abort(): void {
    this.aborted = true;
    for (const l of [...this.listeners]) l();
  }
}

const liveTimeouts = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('Replies', () => {
  it('resolves with the answer, once; a second answer or a failure finds nothing waiting', async () => {
    const r = new Replies<string>();
    const reply = r.wait(1, { timeoutMs: 60_000 });
    assert.equal(r.size, 1);
    assert.equal(r.answer(1, 'hello'), true);
    assert.equal(r.answer(1, 'again'), false);
    assert.equal(r.fail(1, new Error('late')), false);
    assert.equal(r.size, 0);
    assert.equal(await reply, 'hello');
  });

  it('rejects with the error a failure gives', async () => {
    const r = new Replies<string>();
    const reply = r.wait(1, { timeoutMs: 60_000 });
    const error = new Error('the worker threw');
    assert.equal(r.fail(1, error), true);
    await assert.rejects(reply, (e) => e === error);
  });

  it('hands out fresh ids, accepts given ones, keeps answers apart and ignores unknown ids', async () => {
    const r = new Replies<number>();
    assert.deepEqual([r.next(), r.next(), r.next()], [1, 2, 3]);
    const a = r.wait(10, { timeoutMs: 60_000 });
    const b = r.wait(20, { timeoutMs: 60_000 });
    assert.equal(r.answer(30, 30), false);
    r.answer(20, 2);
    r.answer(10, 1);
    assert.deepEqual(await Promise.all([a, b]), [1, 2]);
  });

  it('refuses a second wait on an id still waiting, and a time limit setTimeout cannot keep', () => {
    const r = new Replies<number>({ name: 'steps request' });
    void r.wait(1, { timeoutMs: Infinity });
    assert.throws(() => r.wait(1, { timeoutMs: 10 }), /steps request 1 is already waiting/);
    for (const timeoutMs of [-1, Number.NaN, 2 ** 31]) assert.throws(() => r.wait(2, { timeoutMs }), RangeError);
    r.closeAll(() => ({ value: 0 }));
  });

  it('rejects at its time limit with a ReplyTimeoutError naming what waited and how long', async () => {
    const r = new Replies<string>({ name: 'steps request' });
    const reply = r.wait(7, { timeoutMs: 5 });
    await assert.rejects(reply, (e: unknown) => {
      assert.ok(e instanceof ReplyTimeoutError);
      assert.equal(e.what, 'steps request 7');
      assert.equal(e.timeoutMs, 5);
      assert.equal(e.message, 'No reply to steps request 7 within 5 ms');
      return true;
    });
    assert.equal(r.answer(7, 'too late'), false);
    assert.equal(r.size, 0);
  });

  it('ends at its time limit as onTimeout says instead, when given', async () => {
    const r = new Replies<string>();
    assert.equal(await r.wait(1, { timeoutMs: 1, onTimeout: () => ({ value: 'no answer' }) }), 'no answer');
    await assert.rejects(r.wait(2, { timeoutMs: 1, onTimeout: () => ({ error: new Error('did not answer') }) }), /did not answer/);
    assert.equal(new ReplyTimeoutError('export 1', 60_000).message, 'No reply to export 1 within 60 s');
  });

  it('clears its timer and removes its abort listener whichever way it settles', async () => {
    const fake = fakeTimers();
    const signal = new CountingSignal();
    const r = new Replies<string>({ timers: fake.timers });
    const waits = [1, 2, 3, 4].map((id) => r.wait(id, { timeoutMs: 1000, signal }).catch((e: Error) => e.name));
    assert.equal(fake.live, 4);
    assert.equal(signal.listeners.size, 4);
    r.answer(1, 'answered');
    r.fail(2, new Error('failed'));
    assert.equal(fake.live, 2);
    assert.equal(signal.listeners.size, 2);
    r.closeAll(new Error('closed'));
    assert.equal(fake.live, 0);
    assert.equal(signal.listeners.size, 0);
    assert.deepEqual(await Promise.all(waits), ['answered', 'Error', 'Error', 'Error']);

    const timedOut = r.wait(5, { timeoutMs: 1000, signal });
    fake.fireAll();
    await assert.rejects(timedOut, ReplyTimeoutError);
    assert.equal(signal.listeners.size, 0, 'the time limit removed the abort listener');
  });

  it('leaves no real timer behind to keep the process alive once answered', async () => {
    const before = liveTimeouts();
    const r = new Replies<string>();
    const reply = r.wait(1, { timeoutMs: 60_000 });
    assert.equal(liveTimeouts(), before + 1);
    r.answer(1, 'done');
    assert.equal(liveTimeouts(), before);
    assert.equal(await reply, 'done');
    assert.equal(new Replies<string>().size, 0);
  });

  it('sets no timer at all for an Infinity time limit', () => {
    const fake = fakeTimers();
    const r = new Replies<string>({ timers: fake.timers });
    const reply = r.wait(1, { timeoutMs: Infinity });
    assert.equal(fake.live, 0);
    r.answer(1, 'x');
    return reply;
  });

  it('rejects with ReplyCancelledError when its signal aborts while it waits, and clears its timer', async () => {
    const fake = fakeTimers();
    const controller = new AbortController();
    const r = new Replies<string>({ name: 'run', timers: fake.timers });
    const reply = r.wait(3, { timeoutMs: 1000, signal: controller.signal });
    controller.abort();
    await assert.rejects(reply, (e: unknown) => e instanceof ReplyCancelledError && e.message === 'run 3 was cancelled');
    assert.equal(fake.live, 0);
    assert.equal(r.size, 0);
    assert.equal(r.answer(3, 'late'), false);
  });

  it('rejects at once, registering nothing, when its signal aborted before it waited', async () => {
    const fake = fakeTimers();
    const signal = new CountingSignal();
    signal.abort();
    const r = new Replies<string>({ timers: fake.timers });
    await assert.rejects(r.wait(1, { timeoutMs: 1000, signal }), ReplyCancelledError);
    assert.equal(await r.wait(2, { timeoutMs: 1000, signal, onAbort: () => ({ value: 'skipped' }) }), 'skipped');
    assert.equal(r.size, 0);
    assert.equal(fake.live, 0);
    assert.equal(signal.listeners.size, 0);
  });

  it('ends as onAbort says, settling once even when onAbort closes everything itself', async () => {
    // A worker client's onAbort terminates the worker, which closes every request, this one too.
    const signal = new CountingSignal();
    const r = new Replies<string>();
    const other = r.wait(1, { timeoutMs: 60_000 });
    let calls = 0;
    const reply = r.wait(2, {
      timeoutMs: 60_000,
      signal,
      onAbort: () => {
        calls++;
        r.closeAll(new Error('worker terminated'));
        return { error: new Error('not this one') };
      },
    });
    signal.abort();
    signal.abort();
    await assert.rejects(reply, /worker terminated/);
    await assert.rejects(other, /worker terminated/);
    assert.equal(calls, 1);
    assert.equal(r.size, 0);
  });

  it('closes every waiting request with one reason, or each as a callback says', async () => {
    const r = new Replies<string>();
    const failed = r.wait(1, { timeoutMs: 60_000 });
    const open = [r.wait(2, { timeoutMs: 60_000 }), r.wait(3, { timeoutMs: 60_000 })];
    assert.equal(r.fail(1, new Error('cancelled')), true);
    await assert.rejects(failed, /cancelled/);
    r.closeAll((id) => ({ value: `closed ${id}` }));
    assert.deepEqual(await Promise.all(open), ['closed 2', 'closed 3']);
    assert.equal(r.answer(2, 'after'), false);
    const gone = r.wait(4, { timeoutMs: 60_000 });
    r.closeAll(new Error('the panel was closed'));
    await assert.rejects(gone, /the panel was closed/);
    r.closeAll(new Error('nothing left to close'));
  });
});
