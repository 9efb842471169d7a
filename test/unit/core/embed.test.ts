import assert from 'node:assert/strict';
import { embedTokens, hashString, mulberry32, positionEncodings, tokenizeText } from '../../../src/core';

describe('embedTokens', () => {
  it('is deterministic: fixed values for a fixed seed', () => {
    // Pinned values: a change here means every saved view and fixture would shift.
    assert.equal(hashString('hello', 0), hashString('hello', 0));
    assert.notEqual(hashString('hello', 0), hashString('hello', 1));
    const r = mulberry32(42);
    assert.deepEqual([r(), r()].map((v) => v.toFixed(8)), PINNED_MULBERRY);
    const x = embedTokens(tokenizeText('cat'), { dModel: 4, seed: 42, positions: false });
    assert.deepEqual(Array.from(x, (v) => v.toFixed(5)), PINNED_CAT);
  });

  it('gives the same token the same vector, and different seeds different vectors', () => {
    const tokens = tokenizeText('the cat saw the dog');
    const x = embedTokens(tokens, { dModel: 8, seed: 1, positions: false });
    assert.deepEqual(x.subarray(0, 8), x.subarray(24, 32));
    assert.notDeepEqual(x.subarray(0, 8), x.subarray(8, 16));
    const y = embedTokens(tokens, { dModel: 8, seed: 2, positions: false });
    assert.notDeepEqual(x.subarray(0, 8), y.subarray(0, 8));
    assert.deepEqual(embedTokens(tokens, { dModel: 8, seed: 1, positions: false }), x);
  });

  it('adds sinusoidal positions unless turned off', () => {
    const tokens = tokenizeText('a a a');
    const plain = embedTokens(tokens, { dModel: 6, seed: 3, positions: false });
    const withPos = embedTokens(tokens, { dModel: 6, seed: 3 });
    const pe = positionEncodings(3, 6);
    for (let i = 0; i < plain.length; i++) assert.ok(Math.abs(withPos[i] - plain[i] - pe[i]) < 1e-6);
    // Position 0 is sin(0) = 0, cos(0) = 1 alternately; position 1, dimension 0 is sin(1).
    assert.deepEqual(Array.from(pe.subarray(0, 6)), [0, 1, 0, 1, 0, 1]);
    assert.ok(Math.abs(pe[6] - Math.sin(1)) < 1e-7);
    assert.ok(Math.abs(pe[6 + 2] - Math.sin(1 / Math.pow(10000, 2 / 6))) < 1e-7);
  });

  it('handles an odd d_model', () => {
    const pe = positionEncodings(2, 5);
    assert.ok(Math.abs(pe[5 + 4] - Math.sin(1 / Math.pow(10000, 4 / 5))) < 1e-7);
  });

  it('rejects a bad d_model', () => {
    assert.throws(() => embedTokens([], { dModel: 0, seed: 1 }), { code: 'option' });
  });
});

// mulberry32(42) starts 0.6011037519…, as in the reference implementation of the generator.
const PINNED_MULBERRY = ['0.60110375', '0.44829056'];
const PINNED_CAT = ['0.60126', '-1.51403', '-0.67993', '-0.43311'];
