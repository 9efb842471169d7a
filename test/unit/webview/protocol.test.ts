// The explorer's messages from the webview are checked before the host acts on them.
import assert from 'node:assert/strict';
import { checkSequenceKvHeads, isFromWebview, isRunRecord, isSequenceKvHeads } from '../../../src/shared/protocol';

describe('explorer messages', () => {
  it('accepts step requests, token reveals, export replies and render timings', () => {
    for (const ok of [
      { type: 'requestSteps', requestId: 1, sequence: 0, layer: 3, head: 2, scale: false, causal: true },
      { type: 'revealTokens', sequence: 0, tokens: [3, 4] },
      { type: 'exportReply', requestId: 2, sequence: 0, data: 'data:image/png;base64,AAAA' },
      { type: 'exportReply', requestId: 2, sequence: 0, data: '{}', theme: { variables: '--a: 1', bodyClass: 'vscode-dark' } },
      { type: 'exportReply', requestId: 2, sequence: 0, error: 'no canvas' },
      { type: 'rendered', requestId: 1, sequences: [], timings: { firstHeatmapMs: 3, allMs: 9 } },
    ]) {
      assert.equal(isFromWebview(ok), true, JSON.stringify(ok));
    }
  });

  it('rejects malformed ones', () => {
    for (const bad of [
      { type: 'requestSteps', requestId: 1, sequence: 0, layer: 0, head: -1, scale: false, causal: true },
      { type: 'requestSteps', requestId: 1, sequence: 0, layer: 0, head: 0, scale: 'yes', causal: true },
      { type: 'requestSteps', requestId: 1, sequence: 0, head: 0, scale: true, causal: true }, // no layer
      { type: 'requestSteps', requestId: 1, sequence: 0, layer: -1, head: 0, scale: true, causal: true },
      { type: 'revealTokens', sequence: 0, tokens: [1.5] },
      { type: 'revealTokens', sequence: 0, tokens: Array.from({ length: 17 }, (_, i) => i) },
      { type: 'exportReply', requestId: 2, sequence: 0, data: 7 },
      { type: 'exportReply', requestId: 2, sequence: 0, theme: { variables: 1, bodyClass: '' } },
      { type: 'rendered', requestId: 1, sequences: [], timings: { firstHeatmapMs: '3', allMs: 9 } },
    ]) {
      assert.equal(isFromWebview(bad), false, JSON.stringify(bad));
    }
  });

  it('checks run records read back from saved state', () => {
    assert.equal(isRunRecord({ sources: [{ uri: 'file:///a.txt', range: [0, 0, 0, 6], label: 'Line 1' }] }), true);
    assert.equal(isRunRecord({ sources: [{ uri: 'file:///a.txt', range: [0, 0, -1, 6], label: 'Line 1' }] }), false);
    assert.equal(isRunRecord({ sources: [{ uri: 'file:///a.txt', range: [0, 0], label: 'Line 1' }] }), false);
    assert.equal(isRunRecord(undefined), false);
    // Open Attention Data records the file it read, to read it again after a reload.
    assert.equal(isRunRecord({ sources: [], file: 'file:///data/run.npy' }), true);
    assert.equal(isRunRecord({ sources: [], file: 42 }), false);
  });

  it('takes a sequence\'s key/value heads only when each layer has a count that divides its heads', () => {
    const seq = { label: 'Line 1', layers: 2, heads: 8 };
    assert.equal(isSequenceKvHeads(seq), true, 'absent: no sharing');
    assert.equal(isSequenceKvHeads({ ...seq, kvHeads: [2, 2] }), true);
    assert.equal(isSequenceKvHeads({ ...seq, kvHeads: [1, 8] }), true);
    for (const kvHeads of [[2], [2, 2, 2], [3, 2], [0, 2], [2, 2.5], [16, 2], ['2', 2]] as unknown as number[][]) {
      assert.equal(isSequenceKvHeads({ ...seq, kvHeads }), false, JSON.stringify(kvHeads));
      assert.throws(() => checkSequenceKvHeads({ ...seq, kvHeads }), /^RangeError: Line 1: kvHeads must list 2 key\/value head counts, each a whole number ≥ 1 that divides 8 heads/);
    }
    assert.doesNotThrow(() => checkSequenceKvHeads({ ...seq, kvHeads: [4, 2] }));
  });
});
