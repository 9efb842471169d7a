// The bytes of a WebAssembly SIMD kernel for the exponentials of softmax, in place:
//   expShift(ptr, vectors, shift)   x[i] ← exp(x[i] − shift) for 4·vectors floats at byte ptr
// The exponential is the Cephes expf method: x = k·ln 2 + r with k = round(x·log2 e) and
// |r| ≤ ln 2 / 2, a degree-7 polynomial for exp(r), and 2^k built in the exponent bits. Its
// error is about one float32 ulp. Inputs below −87 are clamped there (exp ≈ 1.6e−38), which
// keeps 2^k a normal float; after softmax's division such weights are zero to float precision.

import { Code, F32, I32, V128, moduleBytes } from './assembler';

const PTR = 0, VECTORS = 1, SHIFT = 2;
const END = 3, VSHIFT = 4, X = 5, K = 6, R = 7;

const LOG2E = Math.LOG2E;
const C1 = 0.693359375; // ln 2 split so that k·C1 is exact
const C2 = -2.12194440e-4;
const POLY = [1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1];

export function expModuleBytes(): Uint8Array {
  const code = new Code();
  code.get(SHIFT).f32x4Splat().set(VSHIFT);
  code.get(PTR).get(VECTORS).i32(4).shl().add().set(END);
  code.whileLoop(
    (w) => w.get(PTR).get(END).ltU(),
    (w) => {
      // x = max(x − shift, −87)
      w.get(PTR).v128Load().get(VSHIFT).f32x4Sub().f32x4Const(-87).f32x4Max().set(X);
      // k = round(x · log2 e); r = x − k·C1 − k·C2
      w.get(X).f32x4Const(LOG2E).f32x4Mul().f32x4Nearest().set(K);
      w.get(X).get(K).f32x4Const(C1).f32x4Mul().f32x4Sub().get(K).f32x4Const(C2).f32x4Mul().f32x4Sub().set(R);
      // exp(r) ≈ ((((((p0·r + p1)·r + p2)·r + p3)·r + p4)·r + p5)·r²) + r + 1
      w.f32x4Const(POLY[0]);
      for (const c of POLY.slice(1)) w.get(R).f32x4Mul().f32x4Const(c).f32x4Add();
      w.get(R).get(R).f32x4Mul().f32x4Mul().get(R).f32x4Add().f32x4Const(1).f32x4Add();
      // · 2^k, with 2^k = (k + 127) << 23 read as a float
      w.get(K).i32x4TruncSatF32x4().i32x4Const(127).i32x4Add().i32(23).i32x4Shl().f32x4Mul();
      w.set(X).get(PTR).get(X).v128Store();
      w.get(PTR).i32(16).add().set(PTR);
    },
  );
  return moduleBytes('expShift', [I32, I32, F32], [I32, V128, V128, V128, V128], code);
}
