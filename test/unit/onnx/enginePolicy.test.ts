import assert from 'node:assert/strict';
import { attentionFlops, chooseEngine } from '../../../src/onnx/enginePolicy';

describe('engine policy', () => {
  it('counts projection and attention FLOPs', () => {
    assert.equal(attentionFlops(128, 768), 2 * 128 * 768 * 768 * 4 + 4 * 128 * 128 * 768);
  });

  it('keeps tiny layers in the core and sends larger ones to onnxruntime', () => {
    assert.equal(chooseEngine({ n: 4, dModel: 16, heads: 2, cores: 2 }).engine, 'core');
    assert.equal(chooseEngine({ n: 64, dModel: 64, heads: 4, cores: 2 }).engine, 'core');
    assert.equal(chooseEngine({ n: 256, dModel: 64, heads: 4, cores: 2 }).engine, 'onnx');
    assert.equal(chooseEngine({ n: 4, dModel: 256, heads: 4, cores: 2 }).engine, 'onnx', 'wide layers cost the core per call');
    for (const n of [1, 128, 512, 1024, 2048]) {
      assert.equal(chooseEngine({ n, dModel: 768, heads: 12, cores: 2 }).engine, 'onnx');
    }
  });

  it('uses every core, at most 4 threads', () => {
    const threads = (cores: number) => chooseEngine({ n: 512, dModel: 768, heads: 12, cores }).threads;
    assert.deepEqual([1, 2, 3, 8, 64].map(threads), [1, 2, 3, 4, 4]);
  });

  it('uses the core when onnxruntime is unavailable', () => {
    assert.deepEqual(chooseEngine({ n: 2048, dModel: 768, heads: 12, cores: 8, onnxAvailable: false }), { engine: 'core', threads: 1 });
  });
});
