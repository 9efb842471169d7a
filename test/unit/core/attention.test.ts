import assert from 'node:assert/strict';
import {
  embedTokens, headSteps, identityWeights, InputError, makeWeights, multiHeadAttention, setKernel,
  layerSpec, runLayer, type KernelKind, type LayerWeights,
} from '../../../src/core';
import { assertClose, assertCloseRelative, randomInput, withBiases } from './helpers';
import { naiveAttention } from './naive';

const naiveOf = (w: LayerWeights) => ({ ...w, d: w.dModel });

for (const kernel of ['wasm', 'js'] as KernelKind[]) describe(`with the ${kernel} kernel`, () => {
  before(() => setKernel(kernel));
  after(() => setKernel('wasm'));

  describe('multiHeadAttention', () => {
    const shapes = [
      { n: 1, d: 4, heads: 2 },
      { n: 5, d: 12, heads: 4 },
      { n: 7, d: 10, heads: 5 },
      { n: 13, d: 16, heads: 1 },
      { n: 9, d: 24, heads: 3 },
    ];
    for (const { n, d, heads } of shapes) {
      for (const mask of ['none', 'causal'] as const) {
        it(`matches a plain double-precision version: N=${n}, d=${d}, ${heads} heads, mask ${mask}`, () => {
          const w = withBiases(makeWeights({ dModel: d, seed: n + d, init: 'random' }), 3);
          const x = randomInput(n, d, 7);
          const got = multiHeadAttention(x, n, w, { heads, mask });
          const want = naiveAttention(x, n, naiveOf(w), heads, mask === 'causal');
          assert.equal(got.dHead, d / heads);
          assertClose(got.weights, want.weights, 1e-6, 'weights');
          assertCloseRelative(got.output, want.output, 1e-5, 'output');
        });
      }
    }

    it('gives a single token all of its own attention', () => {
      const w = makeWeights({ dModel: 8, seed: 1 });
      const r = multiHeadAttention(randomInput(1, 8, 2), 1, w, { heads: 2, mask: 'none' });
      assert.deepEqual(Array.from(r.weights), [1, 1]);
    });

    it('stays finite and one-hot with huge logits', () => {
      const n = 6, d = 8;
      const x = randomInput(n, d, 5, 1e4);
      const r = multiHeadAttention(x, n, identityWeights(d), { heads: 2, mask: 'none' });
      for (const v of r.weights) assert.ok(Number.isFinite(v));
      for (let row = 0; row < 2 * n; row++) {
        const cells = Array.from(r.weights.subarray(row * n, row * n + n));
        assert.ok(Math.abs(cells.reduce((a, b) => a + b, 0) - 1) < 1e-6);
        assert.equal(Math.max(...cells), 1);
      }
    });

    it('turns a fully masked row into zeros, not NaN', () => {
      const n = 4, d = 6;
      const w = withBiases(makeWeights({ dModel: d, seed: 9 }), 9);
      const keyPadding = Uint8Array.from([0, 1, 1, 1]);
      // Causal + padding of key 0: query 0 may see no key at all.
      const r = multiHeadAttention(randomInput(n, d, 4), n, w, { heads: 3, mask: 'causal', keyPadding });
      for (let h = 0; h < 3; h++) assert.deepEqual(Array.from(r.weights.subarray(h * n * n, h * n * n + n)), [0, 0, 0, 0]);
      // Its output is then the output bias alone.
      assertClose(r.output.subarray(0, d), w.bo, 1e-7, 'output of the masked query');
      for (const v of r.output) assert.ok(Number.isFinite(v));
    });

    it('gives all zeros when every key is padding', () => {
      const r = multiHeadAttention(randomInput(3, 4, 1), 3, identityWeights(4), {
        heads: 1, mask: 'padding', keyPadding: new Uint8Array(3),
      });
      assert.ok(r.weights.every((v) => v === 0));
    });

    it('hides padded keys from every query', () => {
      const n = 5, d = 8;
      const keep = Uint8Array.from([1, 1, 0, 1, 0]);
      const w = withBiases(makeWeights({ dModel: d, seed: 2 }), 2);
      const x = randomInput(n, d, 3);
      const got = multiHeadAttention(x, n, w, { heads: 2, mask: 'padding', keyPadding: keep });
      const want = naiveAttention(x, n, naiveOf(w), 2, false, keep);
      assertClose(got.weights, want.weights, 1e-6, 'weights');
      assertCloseRelative(got.output, want.output, 1e-5, 'output');
    });

    it('can switch the 1/sqrt(d_head) scaling off', () => {
      const n = 4, d = 8;
      const w = makeWeights({ dModel: d, seed: 4 });
      const x = randomInput(n, d, 6);
      const got = multiHeadAttention(x, n, w, { heads: 2, mask: 'none', scale: false });
      const want = naiveAttention(x, n, naiveOf(w), 2, false, null, false);
      assertClose(got.weights, want.weights, 1e-6, 'weights');
    });

    it('rejects NaN and Infinity in the input, naming the cell', () => {
      const x = randomInput(3, 4, 1);
      x[6] = NaN; // row 2, column 3
      assert.throws(
        () => multiHeadAttention(x, 3, identityWeights(4), { heads: 1, mask: 'none' }),
        (e: unknown) => e instanceof InputError && e.code === 'non-finite' && e.row === 2 && e.column === 3,
      );
      const w = identityWeights(4);
      w.wk[0] = Infinity;
      assert.throws(() => multiHeadAttention(randomInput(3, 4, 1), 3, w, { heads: 1, mask: 'none' }), { code: 'non-finite' });
    });

    it('rejects a head count that does not divide d_model', () => {
      assert.throws(
        () => multiHeadAttention(randomInput(2, 10, 1), 2, identityWeights(10), { heads: 4, mask: 'none' }),
        { name: 'InputError', code: 'heads' },
      );
    });

    it('rejects inputs of the wrong shape and empty inputs', () => {
      const w = identityWeights(4);
      assert.throws(() => multiHeadAttention(new Float32Array(7), 2, w, { heads: 1, mask: 'none' }), { code: 'shape' });
      assert.throws(() => multiHeadAttention(new Float32Array(0), 0, w, { heads: 1, mask: 'none' }), { code: 'empty' });
      assert.throws(() => multiHeadAttention(new Float32Array(8), 2, w, { heads: 1, mask: 'padding' }), { code: 'mask' });
    });
  });

  describe('headSteps', () => {
    for (const mask of ['none', 'causal'] as const) {
      it(`agrees bit for bit with multiHeadAttention (mask ${mask})`, () => {
        const n = 9, d = 12, heads = 4;
        const w = withBiases(makeWeights({ dModel: d, seed: 8 }), 8);
        const x = randomInput(n, d, 8);
        const all = multiHeadAttention(x, n, w, { heads, mask });
        const context = new Float32Array(n * d);
        for (let h = 0; h < heads; h++) {
          const s = headSteps(x, n, w, { heads, mask }, h);
          assert.deepEqual(s.weights, all.weights.subarray(h * n * n, (h + 1) * n * n));
          for (let i = 0; i < n; i++) context.set(s.output.subarray(i * 3, i * 3 + 3), i * d + h * 3);
        }
        // concat(heads) · wo + bo reproduces the layer output.
        const out = new Float64Array(n * d);
        for (let i = 0; i < n; i++)
          for (let j = 0; j < d; j++) {
            let acc = w.bo[j];
            for (let p = 0; p < d; p++) acc += context[i * d + p] * w.wo[p * d + j];
            out[i * d + j] = acc;
          }
        assertCloseRelative(all.output, out, 1e-6, 'output');
      });
    }

    it('exposes consistent intermediates', () => {
      const n = 4, d = 8;
      const w = makeWeights({ dModel: d, seed: 3 });
      const s = headSteps(randomInput(n, d, 2), n, w, { heads: 2, mask: 'causal' }, 1);
      assert.equal(s.q.length, n * 4);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          let dot = 0;
          for (let c = 0; c < 4; c++) dot += s.q[i * 4 + c] * s.k[j * 4 + c];
          assert.ok(Math.abs(s.scores[i * n + j] - dot) < 1e-5);
          assert.ok(Math.abs(s.scaled[i * n + j] - dot / 2) < 1e-5);
          assert.equal(s.masked[i * n + j], j > i ? -Infinity : s.scaled[i * n + j]);
          if (j > i) assert.equal(s.weights[i * n + j], 0);
        }
    });

    it('rejects a head that does not exist', () => {
      assert.throws(() => headSteps(new Float32Array(8), 2, identityWeights(4), { heads: 2, mask: 'none' }, 2), { code: 'heads' });
    });
  });
});

describe('runLayer on text', () => {
  it('runs tokenize → embed → seeded layer, with scaling switchable', () => {
    const spec = layerSpec({ heads: 2, dModel: 8, seed: 5, mask: 'causal' });
    const a = runLayer({ kind: 'text', text: 'the cat sat' }, spec);
    assert.deepEqual(a.layer.tokens.map((t) => t.text), ['the', 'cat', 'sat']);
    assert.equal(a.result.weights.length, 2 * 3 * 3);
    const x = embedTokens(a.layer.tokens, { dModel: 8, seed: 5 });
    assert.deepEqual(a.layer.x, x);
    const again = multiHeadAttention(x, 3, makeWeights({ dModel: 8, seed: 5 }), { heads: 2, mask: 'causal' });
    assert.deepEqual(a.result.weights, again.weights);
    const unscaled = runLayer({ kind: 'text', text: 'the cat sat' }, { ...spec, scale: false });
    assert.notDeepEqual(unscaled.result.weights, a.result.weights);
    assert.throws(() => runLayer({ kind: 'text', text: ' ' }, layerSpec({ heads: 1, dModel: 4, seed: 1 })), { code: 'empty' });
  });
});
