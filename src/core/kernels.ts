// The one dense kernel everything runs on: C = alpha · A · Bᵀ (+ bias), with A and B both read
// along contiguous rows. Projections use pre-transposed weights, scores use K as stored, and
// weights · V uses V transposed, so every inner loop walks memory in order.
//
// Two implementations: a WebAssembly SIMD kernel (wasm/gemmModule.ts, float32 sums, several
// times faster) used wherever WebAssembly is available, and the plain JavaScript one below
// (double-precision sums) used otherwise. Each sums a cell the same way whatever tile computes
// it, so a cell's value does not depend on the tiling, only on the kernel.

import { trimWasmMemory, wasmAvailable, wasmExpScratch, wasmGemmABt } from './wasm/runtime';

export { trimWasmMemory };

export type KernelKind = 'wasm' | 'js';
let preferred: KernelKind = 'wasm';

/** Chooses the kernel for later calls; 'wasm' falls back to 'js' where WebAssembly is missing. */
export function setKernel(kind: KernelKind): void {
  preferred = kind;
}

/**
 * With the wasm kernel chosen: scratch memory for `length` floats and an in-place
 * x ← exp(x − shift) over it, for softmax. Null with the JavaScript kernel.
 */
export function simdExp(length: number): ReturnType<typeof wasmExpScratch> {
  return preferred === 'wasm' ? wasmExpScratch(length) : null;
}

/** The kernel gemmABt uses now. */
export function activeKernel(): KernelKind {
  return preferred === 'wasm' && wasmAvailable() ? 'wasm' : 'js';
}

/** Strided view of a row-major matrix inside a larger buffer. */
export interface View {
  data: Float32Array;
  offset: number;
  /** Distance between the starts of consecutive rows. */
  stride: number;
}

export const view = (data: Float32Array, offset: number, stride: number): View => ({ data, offset, stride });

/**
 * c[i][j] = alpha · Σ_p a[i][p] · b[j][p] + bias[j], for i < m, j < n, p < k.
 * a: [m, k], b: [n, k], c: [m, n], bias: [n] (optional, read from biasOffset).
 */
export function gemmABt(
  m: number, n: number, k: number,
  a: View, b: View, c: View,
  alpha = 1, bias: Float32Array | null = null, biasOffset = 0,
): void {
  if (m === 0 || n === 0) return;
  if (preferred === 'wasm' && wasmGemmABt(m, n, k, a, b, c, alpha, bias, biasOffset)) return;
  gemmABtJs(m, n, k, a, b, c, alpha, bias, biasOffset);
}

/** gemmABt in plain JavaScript, summing in double precision. */
export function gemmABtJs(
  m: number, n: number, k: number,
  a: View, b: View, c: View,
  alpha = 1, bias: Float32Array | null = null, biasOffset = 0,
): void {
  let i = 0;
  for (; i + 4 <= m; i += 4) rowBlock4(i, n, k, a, b, c, alpha, bias, biasOffset);
  for (; i < m; i++) rowBlock1(i, n, k, a, b, c, alpha, bias, biasOffset);
}

/** Four rows of c, four columns at a time: 16 accumulators reuse each loaded value four times. */
function rowBlock4(
  i: number, n: number, k: number, a: View, b: View, c: View,
  alpha: number, bias: Float32Array | null, biasOffset: number,
): void {
  const A = a.data, B = b.data, C = c.data;
  const a0 = a.offset + i * a.stride, a1 = a0 + a.stride, a2 = a1 + a.stride, a3 = a2 + a.stride;
  const c0 = c.offset + i * c.stride, c1 = c0 + c.stride, c2 = c1 + c.stride, c3 = c2 + c.stride;
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const b0 = b.offset + j * b.stride, b1 = b0 + b.stride, b2 = b1 + b.stride, b3 = b2 + b.stride;
    let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
    let s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
    for (let p = 0; p < k; p++) {
      const x0 = A[a0 + p], x1 = A[a1 + p], x2 = A[a2 + p], x3 = A[a3 + p];
      const y0 = B[b0 + p], y1 = B[b1 + p], y2 = B[b2 + p], y3 = B[b3 + p];
      s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
      s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
      s20 += x2 * y0; s21 += x2 * y1; s22 += x2 * y2; s23 += x2 * y3;
      s30 += x3 * y0; s31 += x3 * y1; s32 += x3 * y2; s33 += x3 * y3;
    }
    const e0 = bias ? bias[biasOffset + j] : 0, e1 = bias ? bias[biasOffset + j + 1] : 0;
    const e2 = bias ? bias[biasOffset + j + 2] : 0, e3 = bias ? bias[biasOffset + j + 3] : 0;
    C[c0 + j] = alpha * s00 + e0; C[c0 + j + 1] = alpha * s01 + e1; C[c0 + j + 2] = alpha * s02 + e2; C[c0 + j + 3] = alpha * s03 + e3;
    C[c1 + j] = alpha * s10 + e0; C[c1 + j + 1] = alpha * s11 + e1; C[c1 + j + 2] = alpha * s12 + e2; C[c1 + j + 3] = alpha * s13 + e3;
    C[c2 + j] = alpha * s20 + e0; C[c2 + j + 1] = alpha * s21 + e1; C[c2 + j + 2] = alpha * s22 + e2; C[c2 + j + 3] = alpha * s23 + e3;
    C[c3 + j] = alpha * s30 + e0; C[c3 + j + 1] = alpha * s31 + e1; C[c3 + j + 2] = alpha * s32 + e2; C[c3 + j + 3] = alpha * s33 + e3;
  }
  for (; j < n; j++) {
    const b0 = b.offset + j * b.stride;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let p = 0; p < k; p++) {
      const y = B[b0 + p];
      s0 += A[a0 + p] * y; s1 += A[a1 + p] * y; s2 += A[a2 + p] * y; s3 += A[a3 + p] * y;
    }
    const e = bias ? bias[biasOffset + j] : 0;
    C[c0 + j] = alpha * s0 + e; C[c1 + j] = alpha * s1 + e; C[c2 + j] = alpha * s2 + e; C[c3 + j] = alpha * s3 + e;
  }
}

/** One row of c, for the rows left over when m is not a multiple of four. */
function rowBlock1(
  i: number, n: number, k: number, a: View, b: View, c: View,
  alpha: number, bias: Float32Array | null, biasOffset: number,
): void {
  const A = a.data, B = b.data, C = c.data;
  const a0 = a.offset + i * a.stride;
  const c0 = c.offset + i * c.stride;
  for (let j = 0; j < n; j++) {
    const b0 = b.offset + j * b.stride;
    let s = 0;
    for (let p = 0; p < k; p++) s += A[a0 + p] * B[b0 + p];
    C[c0 + j] = alpha * s + (bias ? bias[biasOffset + j] : 0);
  }
}

/** out[j][i] = src[i][j] for a [rows, cols] block of src; out is [cols, rows], densely packed. */
export function transpose(src: View, rows: number, cols: number, out: Float32Array): Float32Array {
  const S = src.data;
  for (let i = 0; i < rows; i++) {
    const s0 = src.offset + i * src.stride;
    for (let j = 0; j < cols; j++) out[j * rows + i] = S[s0 + j];
  }
  return out;
}
