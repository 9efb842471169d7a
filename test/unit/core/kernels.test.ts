import assert from 'node:assert/strict';
import { activeKernel, identityWeights, multiHeadAttention, setKernel } from '../../../src/core';
import { gemmABt, simdExp, view, type KernelKind } from '../../../src/core/kernels';
import { fillGaussian } from '../../../src/core/random';
import { wasmMemoryBytes } from '../../../src/core/wasm/runtime';

const random = (length: number, key: string) => fillGaussian(new Float32Array(length), 11, key);

/** c = alpha · a · bᵀ + bias with a, b read through strided views, on the chosen kernel. */
function product(kernel: KernelKind, m: number, n: number, k: number, bias: boolean) {
  setKernel(kernel);
  const lda = k + 3, ldb = k + 5, ldc = n + 2;
  const a = random(m * lda + 1, 'a'), b = random(n * ldb + 2, 'b'), c = new Float32Array(m * ldc + 1);
  const bv = random(n + 4, 'bias');
  gemmABt(m, n, k, view(a, 1, lda), view(b, 2, ldb), view(c, 1, ldc), 0.75, bias ? bv : null, 4 - 4 * Number(!bias));
  const want = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[1 + i * lda + p] * b[2 + j * ldb + p];
      want[i * n + j] = 0.75 * s + (bias ? bv[4 + j] : 0);
    }
  let worst = 0;
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) worst = Math.max(worst, Math.abs(c[1 + i * ldc + j] - want[i * n + j]));
  return { c, worst, ldc };
}

describe('kernels', () => {
  after(() => setKernel('wasm'));

  it('uses the WebAssembly kernel in Node', () => {
    setKernel('wasm');
    assert.equal(activeKernel(), 'wasm');
    setKernel('js');
    assert.equal(activeKernel(), 'js');
  });

  for (const kernel of ['wasm', 'js'] as KernelKind[]) {
    it(`${kernel}: computes alpha · A · Bᵀ + bias through strided views, for every remainder shape`, () => {
      for (const [m, n, k] of [[1, 1, 1], [2, 4, 4], [3, 5, 7], [5, 9, 13], [8, 8, 64], [7, 3, 2], [6, 17, 33]]) {
        for (const bias of [true, false]) {
          const { worst } = product(kernel, m, n, k, bias);
          assert.ok(worst < 1e-5 * Math.sqrt(k), `${m}×${n}×${k}: error ${worst}`);
        }
      }
    });

    it(`${kernel}: gives a cell the same bits whichever tile computes it`, () => {
      setKernel(kernel);
      const m = 7, n = 11, k = 19;
      const a = random(m * k, 'a'), b = random(n * k, 'b');
      const full = new Float32Array(m * n);
      gemmABt(m, n, k, view(a, 0, k), view(b, 0, k), view(full, 0, n));
      // Rows 3 … 5 and columns 5 … 10 on their own: different tile boundaries.
      const part = new Float32Array(3 * 6);
      gemmABt(3, 6, k, view(a, 3 * k, k), view(b, 5 * k, k), view(part, 0, 6));
      for (let i = 0; i < 3; i++) for (let j = 0; j < 6; j++) assert.equal(part[i * 6 + j], full[(i + 3) * n + j + 5]);
    });
  }

  it('computes softmax exponentials to float32 accuracy in the SIMD kernel', () => {
    setKernel('wasm');
    const xs = Array.from({ length: 1001 }, (_, i) => -82 + (i * 86) / 1000); // x − 4 in [−86, 0]
    const simd = simdExp(xs.length + 3);
    assert.ok(simd, 'SIMD exp available');
    simd.heap.set([...xs, 4, 4.5, -200], 0);
    simd.exp(xs.length + 3, 4); // exp(x − 4)
    let worst = 0;
    // The kernel subtracts in float32, so compare with the exponential of that float32 argument.
    const arg = (x: number) => Math.fround(Math.fround(x) - 4);
    xs.forEach((x, i) => (worst = Math.max(worst, Math.abs(simd.heap[i] / Math.exp(arg(x)) - 1))));
    assert.ok(worst < 3e-7, `relative error ${worst}`);
    assert.equal(simd.heap[xs.length], 1); // exp(0) exactly
    assert.ok(Math.abs(simd.heap[xs.length + 1] - Math.exp(0.5)) < 1e-6);
    assert.ok(simd.heap[xs.length + 2] >= 0 && simd.heap[xs.length + 2] < 1e-37); // clamped, never NaN
  });

  it('has no SIMD exponentials with the JavaScript kernel', () => {
    setKernel('js');
    assert.equal(simdExp(8), null);
  });

  it('gives back WebAssembly memory a long sequence grew', () => {
    setKernel('wasm');
    const n = 3000, d = 4; // P (N × N) alone takes 36 MB of the kernels' memory
    const r = multiHeadAttention(random(n * d, 'long'), n, identityWeights(d), { heads: 1, mask: 'none' });
    assert.equal(r.weights.length, n * n);
    assert.ok(wasmMemoryBytes() <= 32 * 2 ** 20, `still holding ${wasmMemoryBytes()} bytes`);
  });
});
