import assert from 'node:assert/strict';
import { identityWeights, InputError, makeWeights, weightsFromJson } from '../../../src/core';

describe('weights', () => {
  it('makes seeded random weights with variance about 1/d_model and zero biases', () => {
    const d = 64;
    const w = makeWeights({ dModel: d, seed: 7 });
    assert.deepEqual(makeWeights({ dModel: d, seed: 7 }), w);
    assert.notDeepEqual(makeWeights({ dModel: d, seed: 8 }).wq, w.wq);
    assert.notDeepEqual(w.wq, w.wk);
    const variance = w.wq.reduce((a, v) => a + v * v, 0) / (d * d);
    assert.ok(Math.abs(variance * d - 1) < 0.1, `variance × d = ${variance * d}`);
    assert.ok(w.bq.every((v) => v === 0));
  });

  it('makes identity weights', () => {
    const w = makeWeights({ dModel: 3, seed: 0, init: 'identity' });
    assert.deepEqual(Array.from(w.wv), [1, 0, 0, 0, 1, 0, 0, 0, 1]);
    assert.deepEqual(w, identityWeights(3));
  });

  it('reads weights from JSON, with biases optional', () => {
    const I = [[1, 0], [0, 1]];
    const w = weightsFromJson({ wq: I, wk: I, wv: [[1, 2], [3, 4]], wo: I, bv: [0.5, -0.5] });
    assert.equal(w.dModel, 2);
    assert.deepEqual(Array.from(w.wv), [1, 2, 3, 4]);
    assert.deepEqual(Array.from(w.bv), [0.5, -0.5]);
    assert.deepEqual(Array.from(w.bq), [0, 0]);
  });

  it('validates shapes and values', () => {
    const I = [[1, 0], [0, 1]];
    const check = (value: unknown, code: string, pattern: RegExp) =>
      assert.throws(() => weightsFromJson(value), (e: unknown) => e instanceof InputError && e.code === code && pattern.test(e.message));
    check({ wq: I, wk: I, wv: I }, 'shape', /missing "wo"/);
    check({ wq: I, wk: [[1, 0, 0], [0, 1, 0]], wv: I, wo: I }, 'shape', /wk must be 2 × 2/);
    check({ wq: I, wk: I, wv: I, wo: [[1, 0], [0]] }, 'ragged', /wo: row 2/);
    check({ wq: I, wk: I, wv: I, wo: I, bo: [1] }, 'shape', /bo must have 2 values/);
    check({ wq: I, wk: I, wv: I, wo: [[1, 'a'], [0, 1]] }, 'not-a-number', /wo: row 1, column 2/);
    check([1, 2], 'shape', /JSON object/);
    assert.throws(() => weightsFromJson({ wq: I, wk: I, wv: I, wo: I }, 3), { code: 'shape' });
  });

  it('rejects an unknown init', () => {
    assert.throws(() => makeWeights({ dModel: 2, seed: 0, init: 'zeros' as 'random' }), { code: 'option' });
  });
});
