// Attention probabilities out of fused attention operators.
//
// Exports made for ONNX Runtime compute softmax(q·kᵀ)·v inside one node (com.microsoft.Attention,
// MultiHeadAttention, GroupQueryAttention, or ONNX's own Attention from opset 23), so no tensor in
// the graph holds the probabilities. For each such node this module writes, beside it, the plain
// ai.onnx operators that compute the node's probabilities from the node's own inputs: projections
// and head split, rotary positions, past keys, grouped key/value heads repeated, q·kᵀ with the
// node's scale, softcap, its masks (padding, causal, local window), and a Softmax whose output
// becomes a graph output. The fused node itself is not touched, so the model's own outputs stay
// bit-identical. Everything is computed in float32 whatever the model's precision.
//
// The operators' meaning follows ONNX Runtime's kernels and ONNX's specification:
// - com.microsoft.Attention / MultiHeadAttention: masked keys get mask_filter_value (default
//   -10000) added, by assignment, so a key both padded and in the future gets it once; causal
//   (`unidirectional`) masks keys after the query's position.
// - com.microsoft.GroupQueryAttention: always causal; query head h reads key/value head
//   h / (num_heads / kv_num_heads); softcap c·tanh(s / c) applies to the scaled scores; a query at
//   position p sees the local_window_size keys p - local_window_size + 1 … p; masked keys are left
//   out of the softmax.
// - ai.onnx Attention (23): softcap before the mask; boolean masks say which keys to keep, float
//   masks are added; is_causal aligns the causal mask to the last key.
// Positions count from the past length: a query i of S new tokens among T keys sits at T - S + i.
import { FusedAttentionError } from './errors';
import { GraphBuilder } from './graphBuilder';
import { attr, toNumber, type Graph, type Node, type Tensor } from './proto';
import { inferRanks, type Ranks } from './ranks';
import { DataType } from './schema';

/** A fused attention node whose probabilities the appended operators compute. */
export interface FusedLayer {
  /** Position of the fused node in the graph's node list. */
  position: number;
  nodeName: string;
  /** 'com.microsoft.GroupQueryAttention', 'Attention' (ai.onnx), … */
  op: string;
  /** Query heads, when the node says statically. */
  heads?: number;
  /** Key/value heads, when the node says statically (equal to heads without sharing). */
  kvHeads?: number;
  /** The appended tensor holding the probabilities, [batch, heads, queries, keys] float32. */
  output: string;
}

export interface FusedPlan {
  layers: FusedLayer[];
  /** Operators and constants to add to the graph (they read only tensors the graph already has). */
  nodes: Node[];
  initializers: Tensor[];
}

/** Fused operators that are read, by domain ('' is ai.onnx). */
const READABLE: Record<string, Set<string>> = {
  'com.microsoft': new Set(['Attention', 'MultiHeadAttention', 'GroupQueryAttention']),
  '': new Set(['Attention']),
};

/** Fused operators that are recognised but not read: they still stop the run with their name. */
export const UNREADABLE: Record<string, Set<string>> = {
  'com.microsoft': new Set([
    'PackedAttention', 'PackedMultiHeadAttention', 'DecoderMaskedMultiHeadAttention', 'DecoderMaskedSelfAttention',
    'SparseAttention', 'PagedAttention', 'LongformerAttention', 'QAttention', 'QOrderedAttention', 'DecoderAttention',
  ]),
};

const domainOf = (node: Node): string => (!node.domain || node.domain === 'ai.onnx' ? '' : node.domain);
export const opName = (node: Node): string => (domainOf(node) ? `${domainOf(node)}.${node.opType}` : node.opType);
export const isReadableFused = (node: Node): boolean => READABLE[domainOf(node)]?.has(node.opType) ?? false;
export const isUnreadableFused = (node: Node): boolean => UNREADABLE[domainOf(node)]?.has(node.opType) ?? false;

/** The lowest ai.onnx opset whose operators the appended subgraphs use as written (Range: 11). */
export const MIN_OPSET = 11;

/**
 * Plans the operators for every readable fused node of `graph`. `prefix` keeps the added names
 * apart from the model's and from other plans'. Throws FusedAttentionError naming the node and
 * the attribute or input that cannot be read.
 */
export function planFused(graph: Graph, opset: number, prefix = 'attention_explorer'): FusedPlan {
  const fused = (graph.node ?? []).map((node, position) => ({ node, position })).filter(({ node }) => isReadableFused(node));
  if (fused.length === 0) return { layers: [], nodes: [], initializers: [] };
  if (opset < MIN_OPSET) {
    throw new FusedAttentionError([opName(fused[0].node)], `the model imports ai.onnx opset ${opset}; reading fused attention needs opset ${MIN_OPSET} or later`);
  }
  const ranks = inferRanks(graph);
  const types = elemTypes(graph);
  const b = new GraphBuilder(prefix, `${prefix}/`);
  const layers = fused.map(({ node, position }, k) => {
    const name = node.name || `${node.opType}#${position}`;
    const ctx: Ctx = { b, node, name, ranks, types, tag: `L${k}` };
    const read = node.opType === 'GroupQueryAttention' ? gqa(ctx)
      : node.opType === 'MultiHeadAttention' ? mha(ctx)
      : domainOf(node) === 'com.microsoft' ? msAttention(ctx)
      : onnxAttention(ctx);
    return { position, nodeName: name, op: opName(node), ...read };
  });
  const g = b.build();
  return { layers, nodes: g.node ?? [], initializers: g.initializer ?? [] };
}

interface Ctx {
  b: GraphBuilder;
  node: Node;
  name: string;
  ranks: Ranks;
  types: Map<string, number>;
  tag: string;
}

type Read = { heads?: number; kvHeads?: number; output: string };

// ---------------------------------------------------------------------------------------------
// The four operators

/** com.microsoft.Attention: packed QKV projection of one input, optional past [2, B, N, P, H]. */
function msAttention(c: Ctx): Read {
  const { b } = c;
  const heads = intAttr(c, 'num_heads', true);
  refuseAttr(c, 'do_rotary', 'rotary positions inside Attention');
  refuseAttr(c, 'past_present_share_buffer', 'a past buffer shared with the present');
  const [input, weights, bias, mask, past, attentionBias] = inputsOf(c, 6);
  if (!input || !weights) refuse(c, 'it has no input or no weights');
  const sizes = (attr(c.node, 'qkv_hidden_sizes')?.ints ?? []).map(toNumber);
  if (sizes.length !== 0 && sizes.length !== 3) refuse(c, `qkv_hidden_sizes has ${sizes.length} values, not 3`);
  // [B, S, D_in] · [D_in, Dq + Dk + Dv] (+ bias) → Q, K, V, each [B, S, N·H]
  let qkv = b.op('MatMul', [f32(c, input), f32(c, weights)]);
  if (bias) qkv = b.op('Add', [qkv, f32(c, bias)]);
  // Only Q and K decide the probabilities.
  const [q, k] = sizes.length === 3 ? splitLast(b, qkv, sizes.slice(0, 2)) : splitLast3Equal(b, qkv);
  const Q = toHeads(b, q, heads); // [B, N, S, H]
  let K = toHeads(b, k, heads);
  if (past) K = b.op('Concat', [b.op('Gather', [f32(c, past), b.int64(`${c.tag}_zero`, [0], [])], { axis: 0 }), K], { axis: 2 });
  return { heads, kvHeads: heads, output: filteredSoftmax(c, Q, K, attentionBias, mask, 'mask_index') };
}

/**
 * What com.microsoft Attention and MultiHeadAttention share once Q and K are [B, N, S|T, H]:
 * scaled scores, attention_bias added, masked keys (mask input, `unidirectional`) given
 * mask_filter_value, softmax.
 */
function filteredSoftmax(c: Ctx, Q: string, K: string, attentionBias: string | undefined, mask: string | undefined, maskName: string): string {
  const { b } = c;
  let scores = scaled(c, Q, K); // [B, N, S, T]
  if (attentionBias) scores = b.op('Add', [scores, f32(c, attentionBias)]);
  const masked = maskFromIndex(c, mask, maskName, scores);
  const causal = intAttr(c, 'unidirectional', false) === 1 ? causalMask(c, scores) : undefined;
  return softmax(c, applyAdditive(c, scores, anyOf(b, masked, causal)));
}

/** com.microsoft.MultiHeadAttention: separate, packed QKV or packed KV inputs; optional past. */
function mha(c: Ctx): Read {
  const { b } = c;
  const heads = intAttr(c, 'num_heads', true);
  const [query, key, , bias, mask, attentionBias, pastKey] = inputsOf(c, 10);
  if (!query) refuse(c, 'it has no query input');
  const qRank = c.ranks.get(query);
  const kRank = key ? c.ranks.get(key) : undefined;
  let Q: string;
  let K: string;
  if (qRank === 5) {
    // Packed QKV [B, S, N, 3, H]; a bias [3·N·H] is (q heads, k heads, v heads).
    if (key) refuse(c, 'query is packed [B, S, N, 3, H] but a key is given too');
    let packed = b.op('Transpose', [f32(c, query)], { perm: [0, 1, 3, 2, 4] }); // [B, S, 3, N, H]
    if (bias) packed = b.op('Add', [packed, b.op('Reshape', [f32(c, bias), b.int64(`${c.tag}_b3`, [3, heads, -1])])]);
    Q = b.op('Transpose', [slice(b, packed, 0, 1, 2)], { perm: [0, 2, 3, 1, 4] }); // [B, 1, N, S, H] → reshaped below
    K = b.op('Transpose', [slice(b, packed, 1, 2, 2)], { perm: [0, 2, 3, 1, 4] });
    Q = dropAxis1(c, Q);
    K = dropAxis1(c, K);
  } else if (qRank === 3) {
    // A bias [Dq + Dk + Dv] with Dq = Dk = Dv: its q and k parts.
    const biasParts = bias ? splitLast3Equal(b, f32(c, bias)) : undefined;
    let q = f32(c, query);
    if (biasParts) q = b.op('Add', [q, biasParts[0]]);
    Q = toHeads(b, q, heads);
    if (!key) refuse(c, 'the query is [B, S, D] but there is no key input');
    if (kRank === 3) {
      let k = f32(c, key);
      if (biasParts) k = b.op('Add', [k, biasParts[1]]);
      K = toHeads(b, k, heads);
    } else if (kRank === 4) {
      if (bias) refuse(c, 'a bias with keys already split into heads [B, N, L, H]');
      K = f32(c, key);
    } else if (kRank === 5) {
      if (bias) refuse(c, 'a bias with packed keys and values [B, L, N, 2, H]');
      const kv = b.op('Transpose', [f32(c, key)], { perm: [0, 3, 2, 1, 4] }); // [B, 2, N, L, H]
      K = dropAxis1(c, slice(b, kv, 0, 1, 1));
    } else {
      refuse(c, `the rank of its key input "${key}" is ${kRank ?? 'not known from the graph'}`);
    }
  } else {
    refuse(c, `the rank of its query input "${query}" is ${qRank ?? 'not known from the graph'}`);
  }
  if (pastKey) {
    if (kRank !== 3) refuse(c, 'past keys with keys not projected in the node');
    K = b.op('Concat', [f32(c, pastKey), K], { axis: 2 });
  }
  return { heads, kvHeads: heads, output: filteredSoftmax(c, Q, K, attentionBias, mask, 'key_padding_mask') };
}

/** com.microsoft.GroupQueryAttention: grouped key/value heads, rotary, past, window, softcap. */
function gqa(c: Ctx): Read {
  const { b } = c;
  const heads = intAttr(c, 'num_heads', true);
  const kvHeads = intAttr(c, 'kv_num_heads', true);
  if (heads % kvHeads !== 0) refuse(c, `num_heads ${heads} is not a multiple of kv_num_heads ${kvHeads}`);
  refuseAttr(c, 'smooth_softmax', 'smooth softmax');
  const [query, key, , pastKey, , , , cos, sin, positionIds, attentionBias, headSink] = inputsOf(c, 12);
  if (positionIds) refuse(c, `its position_ids input "${positionIds}" (positions other than 0, 1, 2, …)`);
  if (attentionBias) refuse(c, `its attention_bias input "${attentionBias}"`);
  if (headSink) refuse(c, `its head_sink input "${headSink}"`);
  if (!query) refuse(c, 'it has no query input');
  let Q: string;
  let K: string;
  if (!key) {
    // Packed [B, S, (N + 2·N_kv)·H]
    const all = b.op('Reshape', [f32(c, query), b.int64(`${c.tag}_packed`, [0, 0, heads + 2 * kvHeads, -1])]); // [B, S, N+2Nkv, H]
    Q = b.op('Transpose', [slice(b, all, 0, heads, 2)], { perm: [0, 2, 1, 3] });
    K = b.op('Transpose', [slice(b, all, heads, heads + kvHeads, 2)], { perm: [0, 2, 1, 3] });
  } else {
    Q = toHeads(b, f32(c, query), heads);
    K = toHeads(b, f32(c, key), kvHeads);
  }
  const past = pastKey ? f32(c, pastKey) : undefined;
  if (intAttr(c, 'do_rotary', false) === 1) {
    if (!cos || !sin) refuse(c, 'do_rotary is 1 but cos_cache or sin_cache is missing');
    const interleaved = intAttr(c, 'rotary_interleaved', false) === 1;
    // New tokens sit after the past: positions P … P + S - 1.
    const pastLen = past ? dim(b, past, 2) : b.int64(`${c.tag}_p0`, [0], []);
    const [cos32, sin32] = [f32(c, cos), f32(c, sin)];
    Q = rotary(c, Q, cos32, sin32, pastLen, interleaved);
    K = rotary(c, K, cos32, sin32, pastLen, interleaved);
  }
  if (past) K = b.op('Concat', [past, K], { axis: 2 });
  K = repeatKv(c, K, Q);
  let scores = scaled(c, Q, K);
  const cap = floatAttr(c, 'softcap');
  if (cap > 0) scores = softcap(c, scores, cap);
  const window = intAttr(c, 'local_window_size', false) ?? -1;
  const hidden = anyOf(b, causalMask(c, scores), window > 0 ? windowMask(c, scores, window) : undefined);
  return { heads, kvHeads, output: softmax(c, excluded(c, scores, hidden)) };
}

/** ai.onnx Attention (opset 23): 3-D inputs with head counts as attributes, or 4-D [B, N, S, H]. */
function onnxAttention(c: Ctx): Read {
  const { b } = c;
  const [q, k, , mask, pastKey, , nonpad] = inputsOf(c, 7);
  if (!q || !k) refuse(c, 'it has no Q or no K input');
  if (nonpad) refuse(c, `its nonpad_kv_seqlen input "${nonpad}"`);
  const qRank = c.ranks.get(q);
  const heads = intAttr(c, 'q_num_heads', false);
  const kvHeads = intAttr(c, 'kv_num_heads', false);
  let Q: string;
  let K: string;
  if (qRank === 3) {
    if (heads === undefined || kvHeads === undefined) refuse(c, 'Q is [B, S, D] but q_num_heads or kv_num_heads is not set');
    Q = toHeads(b, f32(c, q), heads);
    K = toHeads(b, f32(c, k), kvHeads);
  } else if (qRank === 4) {
    Q = f32(c, q);
    K = f32(c, k);
  } else {
    refuse(c, `the rank of its Q input "${q}" is ${qRank ?? 'not known from the graph'}`);
  }
  if (pastKey) K = b.op('Concat', [f32(c, pastKey), K], { axis: 2 });
  K = repeatKv(c, K, Q);
  let scores = scaled(c, Q, K);
  const cap = floatAttr(c, 'softcap');
  if (cap > 0) scores = softcap(c, scores, cap);
  if (mask) {
    const type = c.types.get(mask);
    if (type === DataType.BOOL) scores = excluded(c, scores, b.op('Not', [mask]), -Infinity);
    else if (type === DataType.FLOAT || type === DataType.FLOAT16 || type === DataType.DOUBLE) scores = b.op('Add', [scores, f32(c, mask)]);
    else refuse(c, `its attn_mask "${mask}" is neither boolean nor float as far as the graph tells`);
  }
  if (intAttr(c, 'is_causal', false) === 1) scores = excluded(c, scores, causalMask(c, scores), -Infinity);
  return { ...(heads !== undefined ? { heads } : {}), ...(kvHeads !== undefined ? { kvHeads } : {}), output: softmax(c, scores) };
}

// ---------------------------------------------------------------------------------------------
// Pieces

/** [B, S, N·H] → [B, N, S, H] */
function toHeads(b: GraphBuilder, x: string, heads: number): string {
  const split = b.op('Reshape', [x, b.int64(`h${heads}_${b.size()}`, [0, 0, heads, -1])]);
  return b.op('Transpose', [split], { perm: [0, 2, 1, 3] });
}

/** Q·Kᵀ with the node's scale, or 1/sqrt(head size) read from Q's shape at run time. [B, N, S, T] */
function scaled(c: Ctx, Q: string, K: string): string {
  const { b } = c;
  const scores = b.op('MatMul', [Q, b.op('Transpose', [K], { perm: [0, 1, 3, 2] })]);
  const given = floatAttr(c, 'scale');
  if (given !== 0) return b.op('Mul', [scores, b.float(`${c.tag}_scale`, Float32Array.of(given), [])]);
  const headSize = b.op('Cast', [dim(b, Q, 3)], { to: DataType.FLOAT });
  return b.op('Div', [scores, b.op('Sqrt', [headSize])]);
}

/** c · tanh(s / c) */
function softcap(c: Ctx, scores: string, cap: number): string {
  const k = c.b.float(`${c.tag}_softcap`, Float32Array.of(cap), []);
  return c.b.op('Mul', [c.b.op('Tanh', [c.b.op('Div', [scores, k])]), k]);
}

/** Keys after the query's position, as a boolean [S, T] (bottom-right aligned: query i is at T - S + i). */
function causalMask(c: Ctx, scores: string): string {
  const { keys, queries } = positions(c, scores);
  return c.b.op('Greater', [keys, queries]);
}

/** Keys outside a window of `window` keys ending at the query (itself included), as a boolean [S, T]. */
function windowMask(c: Ctx, scores: string, window: number): string {
  const { keys, queries } = positions(c, scores);
  return c.b.op('Greater', [c.b.op('Sub', [queries, keys]), c.b.int64(`${c.tag}_window`, [window - 1], [])]);
}

/** Key positions [T] and query positions [S, 1] for scores [B, N, S, T]. */
function positions(c: Ctx, scores: string): { keys: string; queries: string } {
  const { b } = c;
  const s = dim(b, scores, 2);
  const t = dim(b, scores, 3);
  const zero = b.int64(`${c.tag}_pos0_${b.size()}`, [0], []);
  const one = b.int64(`${c.tag}_pos1_${b.size()}`, [1], []);
  const keys = b.op('Range', [zero, t, one]);
  const queries = b.op('Reshape', [b.op('Range', [b.op('Sub', [t, s]), t, one]), b.int64(`${c.tag}_col_${b.size()}`, [-1, 1])]);
  return { keys, queries };
}

/**
 * The masked keys of com.microsoft Attention / MultiHeadAttention's mask input, as a boolean that
 * broadcasts against [B, N, S, T]: 1-D [B] key counts (right padding), 2-D [B, T] or 3-D [B, S, T]
 * masks whose 0 entries are masked.
 */
function maskFromIndex(c: Ctx, mask: string | undefined, inputName: string, scores: string): string | undefined {
  if (!mask) return undefined;
  const { b } = c;
  const rank = c.ranks.get(mask);
  const zero = b.int64(`${c.tag}_m0`, [0], []);
  const asInt = b.op('Cast', [mask], { to: DataType.INT64 });
  switch (rank) {
    case 1: {
      const keys = b.op('Range', [zero, dim(b, scores, 3), b.int64(`${c.tag}_m1`, [1], [])]);
      const ends = b.op('Reshape', [asInt, b.int64(`${c.tag}_ends`, [-1, 1, 1, 1])]);
      return b.op('Not', [b.op('Less', [keys, ends])]); // [B, 1, 1, T]
    }
    case 2:
      return b.op('Reshape', [b.op('Equal', [asInt, zero]), b.int64(`${c.tag}_m2`, [0, 1, 1, -1])]); // [B, 1, 1, T]
    case 3: {
      const shape = b.op('Shape', [asInt]);
      const target = b.op('Concat', [slice(b, shape, 0, 1, 0), b.int64(`${c.tag}_m3`, [1]), slice(b, shape, 1, 3, 0)], { axis: 0 });
      return b.op('Reshape', [b.op('Equal', [asInt, zero]), target]); // [B, 1, S, T]
    }
    default:
      return refuse(c, `its ${inputName} "${mask}" has rank ${rank ?? 'not known from the graph'}; 1-D key counts, 2-D [B, T] and 3-D [B, S, T] masks can be read`);
  }
}

function anyOf(b: GraphBuilder, x: string | undefined, y: string | undefined): string | undefined {
  if (x && y) return b.op('Or', [x, y]);
  return x ?? y;
}

/** Adds mask_filter_value where `masked` holds (at most once per key), as Attention does. */
function applyAdditive(c: Ctx, scores: string, masked: string | undefined): string {
  if (!masked) return scores;
  const attrValue = attr(c.node, 'mask_filter_value');
  const value = attrValue ? attrValue.f ?? 0 : -10000;
  const { b } = c;
  const add = b.op('Where', [masked, b.float(`${c.tag}_filter`, Float32Array.of(value), []), b.float(`${c.tag}_nofilter`, Float32Array.of(0), [])]);
  return b.op('Add', [scores, add]);
}

/** Replaces the scores of hidden keys, so the softmax gives them no weight. */
function excluded(c: Ctx, scores: string, hidden: string | undefined, value = -3.4028234663852886e38): string {
  if (!hidden) return scores;
  const { b } = c;
  return b.op('Where', [hidden, b.float(`${c.tag}_hidden_${b.size()}`, Float32Array.of(value), []), scores]);
}

function softmax(c: Ctx, scores: string): string {
  // Softmax over the last axis reads the same before opset 13 (which flattened the leading axes).
  return c.b.op('Softmax', [scores], { axis: -1 }, `${c.b.prefix}${c.tag}/probabilities`);
}

/** Key heads repeated for grouped queries: head h of Q reads K head h / (N / N_kv). [B, N, T, H] */
function repeatKv(c: Ctx, K: string, Q: string): string {
  const { b } = c;
  // [B, N_kv, T, H] → [B, N_kv, 1, T·H] → expand to [B, N_kv, G, T·H] → [B, N, T, H]
  const groups = b.op('Div', [dim(b, Q, 1), dim(b, K, 1)]);
  const flat = b.op('Reshape', [K, b.int64(`${c.tag}_kvflat`, [0, 0, 1, -1])]);
  const one = b.int64(`${c.tag}_kv1`, [1]);
  const expanded = b.op('Expand', [flat, b.op('Concat', [one, one, b.op('Reshape', [groups, one]), one], { axis: 0 })]);
  const kShape = b.op('Shape', [K]);
  const target = b.op('Concat', [b.int64(`${c.tag}_kv0`, [0]), b.op('Reshape', [dim(b, Q, 1), one]), slice(b, kShape, 2, 4, 0)], { axis: 0 });
  return b.op('Reshape', [expanded, target]);
}

/**
 * Rotary positions on x [B, N, S, H] with caches [max positions, R/2] (R rotated dimensions,
 * the rest pass through): pairs (i, i + R/2), or (2i, 2i + 1) when interleaved, turn by the angle
 * of their position, which starts at `past`.
 */
function rotary(c: Ctx, x: string, cos: string, sin: string, past: string, interleaved: boolean): string {
  const { b } = c;
  const s = dim(b, x, 2);
  const one = b.int64(`${c.tag}_r1`, [1]);
  const start = b.op('Reshape', [past, one]);
  const end = b.op('Reshape', [b.op('Add', [past, s]), one]);
  const axis0 = b.int64(`${c.tag}_rax0`, [0]);
  const cosRows = b.op('Slice', [cos, start, end, axis0]); // [S, R/2]
  const sinRows = b.op('Slice', [sin, start, end, axis0]);
  const half = b.op('Reshape', [dim(b, cos, 1), one]);
  const rot = b.op('Mul', [half, b.int64(`${c.tag}_r2`, [2])]);
  const axis3 = b.int64(`${c.tag}_rax3`, [3]);
  const zero = b.int64(`${c.tag}_r0`, [0]);
  const big = b.int64(`${c.tag}_rmax`, [2 ** 31 - 1]);
  const rest = b.op('Slice', [x, rot, big, axis3]);
  if (!interleaved) {
    const x1 = b.op('Slice', [x, zero, half, axis3]);
    const x2 = b.op('Slice', [x, half, rot, axis3]);
    const y1 = b.op('Sub', [b.op('Mul', [x1, cosRows]), b.op('Mul', [x2, sinRows])]);
    const y2 = b.op('Add', [b.op('Mul', [x2, cosRows]), b.op('Mul', [x1, sinRows])]);
    return b.op('Concat', [y1, y2, rest], { axis: 3 });
  }
  // [B, N, S, R] → [B, N, S, R/2, 2]: even and odd members of each pair
  const xr = b.op('Slice', [x, zero, rot, axis3]);
  const xShape = b.op('Shape', [xr]);
  const pairs = b.op('Reshape', [xr, b.op('Concat', [slice(b, xShape, 0, 3, 0), b.int64(`${c.tag}_pairs`, [-1, 2])], { axis: 0 })]);
  const even = slice(b, pairs, 0, 1, 4);
  const odd = slice(b, pairs, 1, 2, 4);
  const c3 = b.op('Reshape', [cosRows, b.int64(`${c.tag}_c3`, [0, 0, 1])]); // [S, R/2, 1]
  const s3 = b.op('Reshape', [sinRows, b.int64(`${c.tag}_s3`, [0, 0, 1])]);
  const e2 = b.op('Sub', [b.op('Mul', [even, c3]), b.op('Mul', [odd, s3])]);
  const o2 = b.op('Add', [b.op('Mul', [odd, c3]), b.op('Mul', [even, s3])]);
  const turned = b.op('Reshape', [b.op('Concat', [e2, o2], { axis: 4 }), xShape]);
  return b.op('Concat', [turned, rest], { axis: 3 });
}

/** Splits the last axis into the given sizes. */
function splitLast(b: GraphBuilder, x: string, sizes: number[]): string[] {
  let at = 0;
  return sizes.map((size) => {
    const part = slice(b, x, at, at + size, -1);
    at += size;
    return part;
  });
}

/** Splits the last axis into three equal parts, whatever its size. */
function splitLast3Equal(b: GraphBuilder, x: string): string[] {
  const last = b.op('Reshape', [b.op('Div', [dim(b, x, -1), b.int64(`three_${b.size()}`, [3], [])]), b.int64(`one_${b.size()}`, [1])]);
  const axis = b.int64(`last_${b.size()}`, [-1]);
  const two = b.op('Mul', [last, b.int64(`two_${b.size()}`, [2])]);
  const three = b.op('Mul', [last, b.int64(`three1_${b.size()}`, [3])]);
  return [
    b.op('Slice', [x, b.int64(`zero_${b.size()}`, [0]), last, axis]),
    b.op('Slice', [x, last, two, axis]),
    b.op('Slice', [x, two, three, axis]),
  ];
}


/** x[..., start:end, ...] along `axis`, with constant bounds. */
function slice(b: GraphBuilder, x: string, start: number, end: number, axis: number): string {
  const n = b.size();
  return b.op('Slice', [x, b.int64(`s${n}`, [start]), b.int64(`e${n}`, [end]), b.int64(`a${n}`, [axis])]);
}

/** Removes axis 1 (of size 1) from [B, 1, …] by reshaping with the remaining dimensions. */
function dropAxis1(c: Ctx, x: string): string {
  const { b } = c;
  const shape = b.op('Shape', [x]);
  const big = 2 ** 31 - 1;
  return b.op('Reshape', [x, b.op('Concat', [slice(b, shape, 0, 1, 0), slice(b, shape, 2, big, 0)], { axis: 0 })]);
}

/** Dimension `axis` of x as an int64 scalar. */
function dim(b: GraphBuilder, x: string, axis: number): string {
  return b.op('Gather', [b.op('Shape', [x]), b.int64(`d${axis < 0 ? 'm' : ''}${Math.abs(axis)}_${b.size()}`, [axis], [])], { axis: 0 });
}

function f32(c: Ctx, x: string): string {
  return c.types.get(x) === DataType.FLOAT ? x : c.b.op('Cast', [x], { to: DataType.FLOAT });
}

// ---------------------------------------------------------------------------------------------
// Reading the node

function inputsOf(c: Ctx, count: number): (string | undefined)[] {
  return Array.from({ length: count }, (_, i) => c.node.input?.[i] || undefined);
}

function intAttr(c: Ctx, name: string, required: true): number;
function intAttr(c: Ctx, name: string, required: false): number | undefined;
function intAttr(c: Ctx, name: string, required: boolean): number | undefined {
  const a = attr(c.node, name);
  if (!a) {
    if (required) refuse(c, `its attribute ${name} is missing`);
    return undefined;
  }
  const v = toNumber(a.i);
  if (required && v < 1) refuse(c, `its attribute ${name} is ${v}`);
  return v;
}

function floatAttr(c: Ctx, name: string): number {
  return attr(c.node, name)?.f ?? 0;
}

function refuseAttr(c: Ctx, name: string, what: string): void {
  const a = attr(c.node, name);
  if (a && toNumber(a.i) !== 0) refuse(c, `its attribute ${name} = ${toNumber(a.i)} (${what})`);
}

function refuse(c: Ctx, why: string): never {
  throw new FusedAttentionError([opName(c.node)], `node "${c.name}" cannot be read: ${why}`);
}

// ---------------------------------------------------------------------------------------------
// Element types, as far as the graph says them: needed to tell boolean masks from additive ones
// and to skip casts of tensors that are float32 already.

export function elemTypes(graph: Graph): Map<string, number> {
  const types = new Map<string, number>();
  for (const t of graph.initializer ?? []) if (t.name && t.dataType) types.set(t.name, t.dataType);
  for (const v of [...(graph.input ?? []), ...(graph.valueInfo ?? []), ...(graph.output ?? [])]) {
    const e = v.type?.tensorType?.elemType;
    if (e) types.set(v.name, e);
  }
  const BOOLEAN = new Set(['Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'Not', 'And', 'Or', 'Xor', 'IsNaN', 'IsInf']);
  const SAME = new Set(['Identity', 'Reshape', 'Transpose', 'Expand', 'Slice', 'Squeeze', 'Unsqueeze', 'Concat', 'Gather', 'Tile', 'Add', 'Sub', 'Mul', 'Div', 'Neg', 'Abs']);
  for (const node of graph.node ?? []) {
    const out = node.output?.[0];
    if (!out || types.has(out)) continue;
    const input = node.input?.[0];
    let t: number | undefined;
    if (node.opType === 'Cast') t = toNumber(attr(node, 'to')?.i);
    else if (BOOLEAN.has(node.opType)) t = DataType.BOOL;
    else if (node.opType === 'Shape' || node.opType === 'Size') t = DataType.INT64;
    else if (node.opType === 'Constant') t = attr(node, 'value')?.t?.dataType;
    else if (node.opType === 'Where') t = node.input?.[1] ? types.get(node.input[1]) : undefined;
    else if (SAME.has(node.opType) && input) t = types.get(input);
    if (t) types.set(out, t);
  }
  return types;
}
