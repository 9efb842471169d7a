import assert from 'node:assert/strict';
import { isFromWebview } from '../../src/shared/protocol';

describe('webview message shape check', () => {
  it('accepts the messages the webview sends', () => {
    assert.equal(isFromWebview({ type: 'ready' }), true);
    assert.equal(isFromWebview({ type: 'error', message: 'boom' }), true);
    assert.equal(
      isFromWebview({ type: 'rendered', requestId: 3, sequences: [{ tokens: 6, heads: 4, drawnCanvases: 4 }] }),
      true,
    );
  });

  it('rejects anything else', () => {
    for (const bad of [
      null,
      undefined,
      'ready',
      42,
      {},
      { type: 'unknown' },
      { type: 'error' },
      { type: 'error', message: 7 },
      { type: 'error', message: 'x'.repeat(10_001) },
      { type: 'rendered', requestId: -1, sequences: [] },
      { type: 'rendered', requestId: 1.5, sequences: [] },
      { type: 'rendered', requestId: 1, sequences: {} },
      { type: 'rendered', requestId: 1, sequences: [{ tokens: '6', heads: 4, drawnCanvases: 4 }] },
      { type: 'rendered', requestId: 1, sequences: [null] },
    ]) {
      assert.equal(isFromWebview(bad), false, JSON.stringify(bad));
    }
  });
});
