// The one rule that sizes a run before it is allocated, shared by the command line and the extension.
import assert from 'node:assert/strict';
import { checkRunMemory, DEFAULT_MAX_MEMORY, estimateRunBytes, formatBytes, isInputError, parseByteSize } from '../../../src/core';

describe('run memory estimate', () => {
  it('counts (layers + 1)·H·N² weights and scores, 5·N·d activations and 4·d² projections, in float32', () => {
    assert.equal(estimateRunBytes({ n: 10, heads: 2, layers: 1, dModel: 8 }), 4 * (2 * 2 * 100 + 5 * 10 * 8 + 4 * 64));
    assert.equal(estimateRunBytes({ n: 3, heads: 2, layers: 4, dModel: 0 }), 4 * 5 * 2 * 9);
  });

  it('refuses past the limit with an InputError naming the size and what allows more', () => {
    const big = { n: 50_000, heads: 4, layers: 1, dModel: 64 };
    assert.throws(() => checkRunMemory(big, DEFAULT_MAX_MEMORY, '--max-memory'), (e: unknown) =>
      isInputError(e) && e.code === 'too-large' && /50000 tokens × 4 heads × 1 layer, d_model 64 need about 75 GB.*--max-memory allows more/.test(e.message));
    assert.doesNotThrow(() => checkRunMemory({ n: 512, heads: 12, layers: 12, dModel: 768 }, DEFAULT_MAX_MEMORY, 'x'));
  });

  it('reads and writes sizes as people type them', () => {
    assert.equal(parseByteSize('4GB'), 4 * 2 ** 30);
    assert.equal(parseByteSize('512 mb'), 512 * 2 ** 20);
    assert.equal(parseByteSize('1.5G'), 1.5 * 2 ** 30);
    assert.equal(parseByteSize('1000'), 1000);
    for (const bad of ['', '0', '-1GB', 'GB', '4XB', '1e9']) assert.equal(parseByteSize(bad), null, bad);
    assert.equal(formatBytes(2 * 2 ** 30), '2.0 GB');
    assert.equal(formatBytes(100), '100 bytes');
  });
});
