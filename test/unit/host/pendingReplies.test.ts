import assert from 'node:assert/strict';
import { PendingReplies } from '../../../src/host/pendingReplies';

describe('PendingReplies', () => {
  it('resolves with the reply, once; a second reply finds nothing waiting', async () => {
    const p = new PendingReplies<string>();
    const reply = p.wait(1, 60_000, () => ({ value: 'late' }));
    assert.equal(p.answer(1, 'hello'), true);
    assert.equal(p.answer(1, 'again'), false);
    assert.equal(await reply, 'hello');
  });

  it('ends as the time limit says when no reply comes, and ignores the reply after it', async () => {
    const p = new PendingReplies<string>();
    assert.equal(await p.wait(1, 1, () => ({ value: 'no answer' })), 'no answer');
    await assert.rejects(p.wait(2, 1, () => ({ error: new Error('did not answer') })), /did not answer/);
    assert.equal(p.answer(1, 'too late'), false);
  });

  it('keeps replies apart by request id, and unknown ids change nothing', async () => {
    const p = new PendingReplies<number>();
    const a = p.wait(1, 60_000, () => ({ value: -1 }));
    const b = p.wait(2, 60_000, () => ({ value: -1 }));
    assert.equal(p.answer(3, 30), false);
    p.answer(2, 20);
    p.answer(1, 10);
    assert.deepEqual(await Promise.all([a, b]), [10, 20]);
  });

  it('ends one request on demand and every open one when the panel closes', async () => {
    const p = new PendingReplies<string>();
    const cancelled = p.wait(1, 60_000, () => ({ value: 'x' }));
    const open = [p.wait(2, 60_000, () => ({ value: 'x' })), p.wait(3, 60_000, () => ({ value: 'x' }))];
    assert.equal(p.end(1, { error: new Error('cancelled') }), true);
    await assert.rejects(cancelled, /cancelled/);
    p.endAll((id) => ({ value: `closed ${id}` }));
    assert.deepEqual(await Promise.all(open), ['closed 2', 'closed 3']);
    assert.equal(p.answer(2, 'after'), false);
  });
});
