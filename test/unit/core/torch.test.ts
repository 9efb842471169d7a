// The core against torch.nn.MultiheadAttention (float64 reference on float32 inputs).
import assert from 'node:assert/strict';
import { activeKernel, headSteps, multiHeadAttention, setKernel, type KernelKind } from '../../../src/core';
import { assertClose, assertCloseRelative } from './helpers';
import { loadTorchCases } from './fixtures';

const cases = loadTorchCases();

for (const kernel of ['wasm', 'js'] as KernelKind[]) {
  describe(`agreement with PyTorch (${kernel} kernel)`, () => {
    before(() => setKernel(kernel));
    after(() => setKernel('wasm'));

    it('has the reference cases and the kernel', () => {
      assert.ok(cases.length >= 8, `found ${cases.length} cases`);
      assert.equal(activeKernel(), kernel);
    });

    for (const c of cases) {
      it(`${c.name}: ${c.description}`, () => {
        const r = multiHeadAttention(c.x, c.n, c.layer, { heads: c.heads, mask: c.mask, keyPadding: c.keyPadding });
        assert.deepEqual([r.n, r.dModel, r.heads, r.dHead], [c.n, c.d, c.heads, c.d / c.heads]);
        assertClose(r.weights, c.expected.weights, 1e-5, 'weights');
        assertCloseRelative(r.output, c.expected.output, 1e-5, 'output');
        for (const q of c.fullyMaskedQueries) {
          for (let h = 0; h < c.heads; h++) {
            const row = r.weights.subarray((h * c.n + q) * c.n, (h * c.n + q + 1) * c.n);
            assert.ok(row.every((v) => v === 0), `head ${h}, query ${q} should be all zeros`);
          }
        }
      });
    }

    for (const c of cases.filter((c) => c.expected.steps)) {
      it(`${c.name}: every step of head ${c.expected.steps?.head}`, () => {
        const want = c.expected.steps!;
        const s = headSteps(c.x, c.n, c.layer, { heads: c.heads, mask: c.mask, keyPadding: c.keyPadding }, want.head);
        for (const key of ['q', 'k', 'v', 'scores', 'scaled', 'output'] as const) {
          assertCloseRelative(s[key], want[key] as number[], 1e-5, key);
        }
        assertClose(s.weights, want.weights as number[], 1e-5, 'weights');
      });
    }
  });
}
