// The WebAssembly SIMD kernels and the one memory they share. Operands are copied into that
// memory, worked on there, and the results copied back; for the matrix product the copies are
// O(m·k + n·k + m·n) against O(m·n·k) work, a few percent for the shapes attention uses.
//
// The core's tsconfig has no DOM or Node types, so the few WebAssembly calls used are typed here.

import type { View } from '../kernels';
import { expModuleBytes } from './expModule';
import { gemmModuleBytes } from './gemmModule';

interface WasmMemory { buffer: ArrayBuffer; grow(pages: number): number }
interface WasmApi {
  Memory: new (d: { initial: number; maximum?: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
}
type GemmExport = (m: number, n: number, k: number, a: number, b: number, c: number, bias: number, alpha: number) => void;
type ExpExport = (ptr: number, vectors: number, shift: number) => void;

interface Kernel {
  memory: WasmMemory;
  gemm: GemmExport;
  expShift: ExpExport;
  heap: Float32Array;
}

const PAGE_FLOATS = 65536 / 4;
const MAX_PAGES = 65536; // 4 GiB, the wasm32 limit
let kernel: Kernel | null | undefined;

/** The instantiated kernel, or null where WebAssembly or its SIMD is unavailable. */
function load(): Kernel | null {
  if (kernel !== undefined) return kernel;
  kernel = null;
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (!wasm) return kernel;
  try {
    const memory = new wasm.Memory({ initial: 16, maximum: MAX_PAGES });
    const make = (bytes: Uint8Array) => new wasm.Instance(new wasm.Module(bytes), { env: { memory } }).exports;
    kernel = {
      memory,
      gemm: make(gemmModuleBytes()).gemm as GemmExport,
      expShift: make(expModuleBytes()).expShift as ExpExport,
      heap: new Float32Array(memory.buffer),
    };
  } catch {
    kernel = null; // no SIMD support: the JavaScript kernel serves instead
  }
  return kernel;
}

export function wasmAvailable(): boolean {
  return load() !== null;
}

/** Makes room for `floats` floats; false when memory cannot grow that far. */
function reserve(k: Kernel, floats: number): boolean {
  const pages = Math.ceil(floats / PAGE_FLOATS);
  const have = k.memory.buffer.byteLength / 65536;
  if (pages <= have) return true;
  if (pages > MAX_PAGES) return false;
  try {
    k.memory.grow(pages - have);
  } catch {
    return false;
  }
  k.heap = new Float32Array(k.memory.buffer); // growing detaches the old view
  return true;
}

const align4 = (v: number) => (v + 3) & ~3;

function copyIn(heap: Float32Array, at: number, src: View, rows: number, cols: number): void {
  if (src.stride === cols) {
    heap.set(src.data.subarray(src.offset, src.offset + rows * cols), at);
    return;
  }
  for (let r = 0; r < rows; r++) {
    const s = src.offset + r * src.stride;
    heap.set(src.data.subarray(s, s + cols), at + r * cols);
  }
}

function copyOut(heap: Float32Array, at: number, dst: View, rows: number, cols: number): void {
  if (dst.stride === cols) {
    dst.data.set(heap.subarray(at, at + rows * cols), dst.offset);
    return;
  }
  for (let r = 0; r < rows; r++) dst.data.set(heap.subarray(at + r * cols, at + (r + 1) * cols), dst.offset + r * dst.stride);
}

/**
 * c = alpha · a · bᵀ + bias on the SIMD kernel. Returns false, having done nothing, when the
 * kernel is unavailable or its memory cannot hold the operands.
 */
export function wasmGemmABt(
  m: number, n: number, k: number, a: View, b: View, c: View,
  alpha: number, bias: Float32Array | null, biasOffset: number,
): boolean {
  const kr = load();
  if (!kr) return false;
  const aAt = 0, bAt = align4(m * k), cAt = bAt + align4(n * k), biasAt = cAt + align4(m * n);
  if (!reserve(kr, biasAt + n)) return false;
  const heap = kr.heap;
  copyIn(heap, aAt, a, m, k);
  copyIn(heap, bAt, b, n, k);
  if (bias) heap.set(bias.subarray(biasOffset, biasOffset + n), biasAt);
  else heap.fill(0, biasAt, biasAt + n);
  kr.gemm(m, n, k, aAt * 4, bAt * 4, cAt * 4, biasAt * 4, alpha);
  copyOut(heap, cAt, c, m, n);
  return true;
}

/**
 * Scratch space of at least `length` floats (rounded up to whole vectors) in the kernels' memory,
 * with the function that replaces its first `length` values x by exp(x − shift); null when
 * the SIMD kernels are unavailable. Valid until the next call into this module.
 */
export function wasmExpScratch(length: number): { heap: Float32Array; exp: (length: number, shift: number) => void } | null {
  const kr = load();
  if (!kr || !reserve(kr, align4(length))) return null;
  return { heap: kr.heap, exp: (len, shift) => kr.expShift(0, (len + 3) >> 2, shift) };
}

/** Memory kept between calls; WebAssembly memory cannot shrink, so a larger one is dropped. */
const KEEP_BYTES = 32 * 2 ** 20;

/**
 * Lets go of the kernels' memory when a large input grew it past KEEP_BYTES; the next call
 * instantiates them afresh (about a millisecond). Keeps a long-lived extension host from holding
 * on to hundreds of megabytes after one long sequence.
 */
export function trimWasmMemory(): void {
  if (kernel && kernel.memory.buffer.byteLength > KEEP_BYTES) kernel = undefined;
}

/** Bytes of WebAssembly memory held now (0 when the kernels are not instantiated). */
export function wasmMemoryBytes(): number {
  return kernel ? kernel.memory.buffer.byteLength : 0;
}
