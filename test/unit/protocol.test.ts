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

describe('tile and summary requests from the webview', () => {
  const tile = {
    type: 'requestTile', requestId: 4, run: 2, sequence: 0,
    choice: { layer: 0, head: 2, aggregate: 'none', rollout: false },
    filters: { threshold: 0, topK: 0, hideSpecial: false },
    window: { q0: 0, q1: 2048, k0: 0, k1: 2048 }, rows: 256, cols: 256,
  };

  it('accepts a tile request and a summary request of the shapes the panel sends', () => {
    assert.equal(isFromWebview(tile), true);
    assert.equal(isFromWebview({ ...tile, choice: { layer: 1, head: 0, aggregate: 'mean', rollout: true } }), true);
    assert.equal(isFromWebview({ type: 'requestStats', requestId: 1, run: 2, sequence: 0, causal: false }), true);
    assert.equal(isFromWebview({ type: 'rendered', requestId: 1, sequences: [], timings: { firstHeatmapMs: 1, allMs: 2, firstDrawnAt: 3 } }), true);
  });

  it('rejects empty or inverted windows, tiles larger than any screen, unknown aggregates and filters out of range', () => {
    for (const bad of [
      { ...tile, window: { q0: 5, q1: 5, k0: 0, k1: 1 } },
      { ...tile, window: { q0: 0, q1: 1, k0: 3, k1: 2 } },
      { ...tile, window: { q0: -1, q1: 1, k0: 0, k1: 1 } },
      { ...tile, rows: 0 },
      { ...tile, cols: 4097 },
      { ...tile, rows: 1.5 },
      { ...tile, choice: { ...tile.choice, aggregate: 'sum' } },
      { ...tile, choice: { ...tile.choice, head: -1 } },
      { ...tile, filters: { threshold: 2, topK: 0, hideSpecial: false } },
      { ...tile, filters: { threshold: 0, topK: 0 } },
      { ...tile, window: undefined },
      { type: 'requestStats', requestId: 1, run: 2, sequence: 0 },
      { type: 'requestStats', requestId: 1, sequence: 0, causal: true },
      { ...tile, run: undefined },
      { type: 'rendered', requestId: 1, sequences: [], timings: { firstHeatmapMs: 1, allMs: 2, firstDrawnAt: 'now' } },
    ]) {
      assert.equal(isFromWebview(bad), false, JSON.stringify(bad));
    }
  });
});
