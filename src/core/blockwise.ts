// Attention for long inputs, computed the way fused attention kernels do: query rows in blocks
// against all keys, keeping of each row only its largest score and its softmax normaliser. The
// dense path (attention.ts) holds H·N² weights, 12.9 GB for 12 heads of 16384 tokens; this one
// holds q, k, v, the output and two numbers per row and head, O(N·d_model), plus one block of
// scores, O(B·N). Any weight can be rebuilt later from them exactly: exp(score − rowMax) / rowSum,
// with the score recomputed by the same kernel call. A view then asks for the tiles it draws
// (headTile), each computed in query blocks and pooled as it goes.
//
// Both paths run the same products (products.ts) and the same row softmax (softmax.ts), so the
// weights rebuilt here equal multiHeadAttention's bit for bit, and so does the output.

import { InputError } from './errors';
import { transpose, trimWasmMemory, view } from './kernels';
import { filterRow, rowFiltersActive, TileAccumulator, type RowFilters } from './pooling';
import { projectColumns, scoreRows, weightedValueRows } from './products';
import { maskedSoftmaxRows, softmaxRowsFromStats, type MaskPlan } from './softmax';
import { clipWindow, type Tile, type Window } from './tiles';
import type { AttentionOptions, LayerWeights } from './types';
import { checkAttentionInputs, type AttentionPlan } from './validate';

/** Query rows per block: 64 rows of 16384 scores are 4 MB, small beside q, k and v. */
export const DEFAULT_BLOCK = 64;

export interface BlockwiseOptions {
  /** Query rows computed together (default DEFAULT_BLOCK). */
  block?: number;
  /**
   * Only query rows r0 … r1 − 1 (default all): workers can each take a slice and joinRows puts
   * the slices together. q, k and v are always projected for every token.
   */
  rows?: [number, number];
  /**
   * Called with each block's final weights, rows: [count, N] for queries q0 … q0 + count − 1 of
   * head h, so a caller can pool overviews or summaries in the same pass (the buffer is reused).
   */
  onRows?: (h: number, q0: number, rows: Float32Array, count: number) => void;
}

/** What blockwiseAttention keeps: enough to rebuild any weight, and the layer's output. */
export interface BlockwiseLayer {
  n: number;
  dModel: number;
  heads: number;
  dHead: number;
  /** Factor applied to q · kᵀ: 1/sqrt(d_head), or 1 with scaling off. */
  scale: number;
  /** Causal and key padding, as the weights were computed (keep is a copy of keyPadding). */
  mask: MaskPlan;
  /** Query rows r0 … r1 − 1 whose rowMax, rowSum and output were computed. */
  rows: [number, number];
  q: Float32Array; // [H][N][d_head], head h's queries contiguous
  k: Float32Array; // [H][N][d_head]
  v: Float32Array; // [H][N][d_head]
  /** Largest visible score of each row: −∞ when every key is hidden, +∞ when a score overflowed. */
  rowMax: Float32Array; // [H][N]
  /** Σ exp(score − rowMax) over each row's visible keys, in double as the softmax summed it. */
  rowSum: Float64Array; // [H][N]
  output: Float32Array; // [N][d_model], concat(heads) · wo + bo; 0 outside `rows`
}

export function blockwiseAttention(
  x: Float32Array, n: number, w: LayerWeights, opts: AttentionOptions, options: BlockwiseOptions = {},
): BlockwiseLayer {
  const plan = checkAttentionInputs(x, n, w, opts);
  const block = blockSize(options.block);
  const [r0, r1] = rowRange(options.rows, n);
  const { d, heads: H, dHead: dh } = plan;
  // q, k, v: [H, N, dh], each head's columns of x · w + b made contiguous.
  const q = perHead(x, n, d, w.wq, w.bq, H, dh);
  const k = perHead(x, n, d, w.wk, w.bk, H, dh);
  const v = perHead(x, n, d, w.wv, w.bv, H, dh);
  const rowMax = new Float32Array(H * n); // rowMax: [H, N]
  const rowSum = new Float64Array(H * n); // rowSum: [H, N]
  const context = new Float32Array((r1 - r0) * d); // concat(heads) of rows r0 … r1 − 1: [R, d]
  const weights = new Float32Array(Math.min(block, r1 - r0) * n); // one query block: [B, N]
  const vt = new Float32Array(dh * n); // one head's v, transposed: [dh, N]
  for (let h = 0; h < H; h++) {
    const qh = view(q, h * n * dh, dh), kh = view(k, h * n * dh, dh);
    transpose(view(v, h * n * dh, dh), n, dh, vt); // vt = v_hᵀ: [dh, N]
    for (let b0 = r0; b0 < r1; b0 += block) {
      const rows = Math.min(block, r1 - b0);
      scoreRows(qh, kh, plan, b0, rows, view(weights, 0, n)); // weights = q_h[b0 …] · k_hᵀ · scale: [rows, N]
      maskedSoftmaxRows(weights, 0, b0, rows, n, plan.mask, { max: rowMax, sum: rowSum, at: h * n + b0 });
      options.onRows?.(h, b0, weights, rows);
      // context[b0 …, h] = weights · v_h: [rows, dh]
      weightedValueRows(view(weights, 0, n), view(vt, 0, n), plan, b0, rows, view(context, (b0 - r0) * d + h * dh, d));
    }
  }
  const output = new Float32Array(n * d); // output: [N, d]
  projectColumns(context, r1 - r0, d, w.wo, w.bo, 0, d, output.subarray(r0 * d, r1 * d));
  trimWasmMemory();
  const mask = { causal: plan.mask.causal, keep: plan.mask.keep && Uint8Array.from(plan.mask.keep) };
  return { n, dModel: d, heads: H, dHead: dh, scale: plan.scale, mask, rows: [r0, r1], q, k, v, rowMax, rowSum, output };
}

/**
 * Exact weights of query rows q0 … q1 − 1 of a head over all N keys: [q1 − q0, N], written to
 * `out` when given (it must hold that many floats). The same bits as multiHeadAttention's.
 */
export function weightsRows(
  layer: BlockwiseLayer, head: number, q0: number, q1: number, out?: Float32Array,
): Float32Array {
  checkHead(layer, head);
  checkComputed(layer, q0, q1);
  const { n, dHead: dh } = layer;
  const rows = q1 - q0;
  const weights = out ?? new Float32Array(rows * n); // weights: [rows, N]
  if (weights.length < rows * n) throw new RangeError(`out holds ${weights.length} floats, ${rows} rows of ${n} need ${rows * n}`);
  const qh = view(layer.q, head * n * dh, dh), kh = view(layer.k, head * n * dh, dh);
  scoreRows(qh, kh, planOf(layer), q0, rows, view(weights, 0, n));
  softmaxRowsFromStats(weights, 0, q0, rows, n, layer.mask, { max: layer.rowMax, sum: layer.rowSum, at: head * n + q0 });
  return weights;
}

/**
 * A Tile of one head: the window (clipped to N) pooled to at most rows × cols blocks, exact when
 * the window is no larger. Weights are rebuilt a query block at a time and, with filters, filtered
 * over their full row first, as filterMatrix would; memory is the tile plus one block of rows.
 */
export function headTile(
  layer: BlockwiseLayer, head: number, window: Window, rows: number, cols: number, filters?: RowFilters,
): Tile {
  checkHead(layer, head);
  const { n } = layer;
  const w = clipWindow(window, n);
  checkComputed(layer, w.q0, w.q1);
  const acc = new TileAccumulator(w, rows, cols);
  const filter = filters && rowFiltersActive(filters.threshold, filters.topK, n) ? filters : null;
  const scratch = filter ? new Float32Array(n) : undefined;
  const weights = new Float32Array(Math.min(DEFAULT_BLOCK, w.q1 - w.q0) * n); // one query block: [B, N]
  for (let b0 = w.q0; b0 < w.q1; b0 += DEFAULT_BLOCK) {
    const count = Math.min(DEFAULT_BLOCK, w.q1 - b0);
    weightsRows(layer, head, b0, b0 + count, weights);
    for (let r = 0; r < count; r++) {
      if (filter) filterRow(weights, r * n, n, filter.threshold, filter.topK, scratch);
      acc.addRow(b0 + r, weights, r * n);
    }
  }
  trimWasmMemory();
  return acc.finish();
}

/**
 * Slices of one layer computed apart (blockwiseAttention with `rows`, from the same input) put
 * together: their rows must follow on from one another. q, k and v are taken from the first.
 */
export function joinRows(parts: BlockwiseLayer[]): BlockwiseLayer {
  if (parts.length === 0) throw new RangeError('no slices to join');
  const sorted = [...parts].sort((a, b) => a.rows[0] - b.rows[0]);
  const first = sorted[0];
  const rowMax = new Float32Array(first.rowMax.length);
  const rowSum = new Float64Array(first.rowSum.length);
  const output = new Float32Array(first.output.length);
  const { n, dModel: d, heads: H } = first;
  let end = first.rows[0];
  for (const part of sorted) {
    const [r0, r1] = part.rows;
    if (part.n !== n || part.dModel !== d || part.heads !== H) throw new RangeError('slices of different layers');
    if (r0 !== end) throw new RangeError(`slices leave a gap or overlap at query ${Math.min(r0, end)}`);
    for (let h = 0; h < H; h++) {
      rowMax.set(part.rowMax.subarray(h * n + r0, h * n + r1), h * n + r0);
      rowSum.set(part.rowSum.subarray(h * n + r0, h * n + r1), h * n + r0);
    }
    output.set(part.output.subarray(r0 * d, r1 * d), r0 * d);
    end = r1;
  }
  return { ...first, rows: [first.rows[0], end], rowMax, rowSum, output };
}

/** Columns of x · w + b head by head, each head's [N, dh] contiguous: returns [H, N, dh]. */
function perHead(
  x: Float32Array, n: number, d: number, w: Float32Array, b: Float32Array, heads: number, dh: number,
): Float32Array {
  const out = new Float32Array(heads * n * dh);
  for (let h = 0; h < heads; h++) projectColumns(x, n, d, w, b, h * dh, dh, out.subarray(h * n * dh, (h + 1) * n * dh));
  return out;
}

/** The plan the products need, for a layer's per-head arrays. */
function planOf(layer: BlockwiseLayer): AttentionPlan {
  return { n: layer.n, d: layer.dModel, heads: layer.heads, dHead: layer.dHead, scale: layer.scale, mask: layer.mask };
}

function blockSize(block: number | undefined): number {
  if (block === undefined) return DEFAULT_BLOCK;
  if (!Number.isInteger(block) || block < 1) throw new InputError('option', `block must be a positive integer, got ${block}`);
  return block;
}

function rowRange(rows: [number, number] | undefined, n: number): [number, number] {
  if (rows === undefined) return [0, n];
  const [r0, r1] = rows;
  if (!Number.isInteger(r0) || !Number.isInteger(r1) || r0 < 0 || r1 > n || r0 >= r1) {
    throw new InputError('option', `rows must be query rows r0 < r1 within 0 … ${n}, got [${r0}, ${r1})`);
  }
  return [r0, r1];
}

function checkHead(layer: BlockwiseLayer, head: number): void {
  if (!Number.isInteger(head) || head < 0 || head >= layer.heads) {
    throw new InputError('heads', `head ${head} does not exist; heads are numbered 0 … ${layer.heads - 1}`);
  }
}

/** Rows q0 … q1 − 1 must have had their row statistics computed. */
function checkComputed(layer: BlockwiseLayer, q0: number, q1: number): void {
  const [r0, r1] = layer.rows;
  if (!Number.isInteger(q0) || !Number.isInteger(q1) || q0 < r0 || q1 > r1 || q0 >= q1) {
    throw new RangeError(`query rows [${q0}, ${q1}) are not within the computed rows [${r0}, ${r1})`);
  }
}
