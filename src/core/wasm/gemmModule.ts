// The bytes of a WebAssembly SIMD kernel for C = alpha · A · Bᵀ + bias, the same contract as
// gemmABt in ../kernels.ts, over packed matrices in linear memory:
//   gemm(m, n, k, a, b, c, bias, alpha)   a: [m, k], b: [n, k], c: [m, n], bias: [n] (byte addresses)
// Tiles of ROWS rows × 4 columns keep ROWS·4 four-lane accumulators in registers, reading four
// consecutive p at a time from each row of A and B. Every cell, whatever tile computes it, is
// summed the same way — lane l accumulates the terms p ≡ l (mod 4), lanes are added as
// (l0 + l1) + (l2 + l3), then the k mod 4 remaining terms in order — so results do not depend on
// the tiling.

import { Code, F32, I32, V128, moduleBytes } from './assembler';

const ROWS = 2;
const COLS = 4;

// Parameter and local indices.
const M = 0, N = 1, K = 2, A = 3, B = 4, C = 5, BIAS = 6, ALPHA = 7;
const I = 8, J = 9, P = 10, K4B = 11, KB = 12, S = 13;
const A_ROW = 14; // ROWS locals
const C_ROW = A_ROW + ROWS; // ROWS locals
const B_ROW = C_ROW + ROWS; // COLS locals
const ACC = B_ROW + COLS; // ROWS·COLS v128 locals
const VA = ACC + ROWS * COLS; // ROWS v128 locals
const VB = VA + ROWS; // COLS v128 locals
const LOCALS = [
  ...new Array<number>(S - I).fill(I32), F32, ...new Array<number>(2 * ROWS + COLS).fill(I32),
  ...new Array<number>(ROWS * COLS + ROWS + COLS).fill(V128),
];

/** One tile of `rows` × `cols` cells at rows i …, columns j …; A_ROW and C_ROW must be set. */
function tile(code: Code, rows: number, cols: number): void {
  for (let c = 0; c < cols; c++) code.get(B).get(J).i32(c).add().get(KB).mul().add().set(B_ROW + c);
  for (let t = 0; t < rows * cols; t++) code.v128Zero().set(ACC + t);
  code.i32(0).set(P);
  code.whileLoop(
    (w) => w.get(P).get(K4B).ltS(),
    (w) => {
      for (let r = 0; r < rows; r++) w.get(A_ROW + r).get(P).add().v128Load().set(VA + r);
      for (let c = 0; c < cols; c++) w.get(B_ROW + c).get(P).add().v128Load().set(VB + c);
      for (let r = 0; r < rows; r++)
        for (let c = 0; c < cols; c++) {
          const acc = ACC + r * cols + c;
          w.get(acc).get(VA + r).get(VB + c).f32x4Mul().f32x4Add().set(acc);
        }
      w.get(P).i32(16).add().set(P);
    },
  );
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) finishCell(code, ACC + r * cols + c, r, c);
}

/** Reduces one accumulator, adds the k mod 4 leftover terms, scales, adds the bias, stores. */
function finishCell(code: Code, acc: number, r: number, c: number): void {
  code.get(acc).f32x4Lane(0).get(acc).f32x4Lane(1).f32Add();
  code.get(acc).f32x4Lane(2).get(acc).f32x4Lane(3).f32Add().f32Add().set(S);
  code.get(K4B).set(P);
  code.whileLoop(
    (w) => w.get(P).get(KB).ltS(),
    (w) => {
      w.get(S).get(A_ROW + r).get(P).add().f32Load().get(B_ROW + c).get(P).add().f32Load().f32Mul().f32Add().set(S);
      w.get(P).i32(4).add().set(P);
    },
  );
  code.get(C_ROW + r).get(J).i32(c).add().i32(2).shl().add(); // address of c[i + r][j + c]
  code.get(ALPHA).get(S).f32Mul();
  code.get(BIAS).get(J).i32(c).add().i32(2).shl().add().f32Load().f32Add();
  code.f32Store();
}

/** Sets A_ROW and C_ROW for `rows` rows starting at i, then sweeps j across all columns. */
function rowBlock(code: Code, rows: number): void {
  for (let r = 0; r < rows; r++) {
    code.get(A).get(I).i32(r).add().get(KB).mul().add().set(A_ROW + r);
    code.get(C).get(I).i32(r).add().get(N).mul().i32(2).shl().add().set(C_ROW + r);
  }
  code.i32(0).set(J);
  code.whileLoop(
    (w) => w.get(J).i32(COLS).add().get(N).leS(),
    (w) => {
      tile(w, rows, COLS);
      w.get(J).i32(COLS).add().set(J);
    },
  );
  code.whileLoop(
    (w) => w.get(J).get(N).ltS(),
    (w) => {
      tile(w, rows, 1);
      w.get(J).i32(1).add().set(J);
    },
  );
}

export function gemmModuleBytes(): Uint8Array {
  const code = new Code();
  code.get(K).i32(2).shl().set(KB); // row length of A and B in bytes
  code.get(K).i32(-4).and().i32(2).shl().set(K4B); // bytes covered by whole groups of four
  code.i32(0).set(I);
  code.whileLoop(
    (w) => w.get(I).i32(ROWS).add().get(M).leS(),
    (w) => {
      rowBlock(w, ROWS);
      w.get(I).i32(ROWS).add().set(I);
    },
  );
  code.whileLoop(
    (w) => w.get(I).get(M).ltS(),
    (w) => {
      rowBlock(w, 1);
      w.get(I).i32(1).add().set(I);
    },
  );
  return moduleBytes('gemm', [I32, I32, I32, I32, I32, I32, I32, F32], LOCALS, code);
}
