// The options notebook cells add to the text pipeline: matrix input and unscaled scores.
import assert from 'node:assert/strict';
import { embedTokens, tokenizeText } from '../../../src/core';
import { runText } from '../../../src/shared/pipeline';

const base = { heads: 2, dModel: 8, seed: 42, mask: 'none' as const };

describe('text pipeline options for notebook cells', () => {
  it('a matrix of the embeddings gives the same weights as the text they came from', () => {
    const text = '我喜欢吃苹果';
    const x = embedTokens(tokenizeText(text), { dModel: 8, seed: 42 }); // [6, 8]
    const rows = Array.from({ length: 6 }, (_, i) => Array.from(x.subarray(i * 8, (i + 1) * 8)).join(' ')).join('\n');
    const fromText = runText(text, base);
    const fromMatrix = runText(rows, { ...base, dModel: 999, input: 'matrix' });
    assert.deepEqual(fromMatrix.weights, fromText.weights);
    assert.deepEqual(fromMatrix.tokens.map((t) => t.text), ['#1', '#2', '#3', '#4', '#5', '#6']);
  });

  it('scale defaults to on, and off gives sharper rows of the same layer', () => {
    const scaled = runText('the cat sat on the mat', base);
    assert.deepEqual(runText('the cat sat on the mat', { ...base, scale: true }).weights, scaled.weights);
    const unscaled = runText('the cat sat on the mat', { ...base, scale: false });
    assert.notDeepEqual(unscaled.weights, scaled.weights);
    const maxOf = (w: Float32Array) => w.reduce((m, v) => Math.max(m, v), 0);
    assert.ok(maxOf(unscaled.weights) > maxOf(scaled.weights));
    for (let r = 0; r < unscaled.heads * unscaled.n; r++) {
      const sum = unscaled.weights.subarray(r * unscaled.n, (r + 1) * unscaled.n).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - 1) < 1e-5);
    }
  });

  it('reports a matrix whose width the heads do not divide, and empty text', () => {
    assert.throws(() => runText('1 2 3\n4 5 6', { ...base, input: 'matrix' }), (e: unknown) => (e as { code?: string }).code === 'heads');
    assert.throws(() => runText('   ', { ...base, scale: false }), (e: unknown) => (e as { code?: string }).code === 'empty');
  });
});
