// Static rank inference, just enough to tell a [batch, heads, q, k] softmax from a
// [batch·heads, q, k] one, and which axis is the last. Exports rarely carry value_info for
// intermediate tensors, so ranks are propagated from inputs, initializers and constants through
// the operators transformer graphs are built from. Unknown stays unknown: callers must cope.
import { attr, toNumber, type Graph, type Node, type Tensor } from './proto';

/** Tensor name → rank, for the tensors whose rank could be worked out. */
export type Ranks = Map<string, number>;

const ELEMENTWISE = new Set([
  'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Where', 'Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual',
  'And', 'Or', 'Not', 'Max', 'Min', 'Sqrt', 'Exp', 'Log', 'Neg', 'Erf', 'Tanh', 'Relu', 'Sigmoid', 'Clip',
  'Cast', 'CastLike', 'Identity', 'Dropout', 'Softmax', 'LogSoftmax', 'LayerNormalization', 'Abs', 'Reciprocal',
  'IsInf', 'IsNaN', 'Gelu', 'FastGelu', 'BiasGelu', 'SkipLayerNormalization', 'SimplifiedLayerNormalization',
  'SkipSimplifiedLayerNormalization', 'RotaryEmbedding', 'QuickGelu', 'BiasAdd',
]);

/** Attention operators whose first output is [B, S, hidden] (ai.onnx Attention: Q's rank). */
const ATTENTION_OUT_3 = new Set(['MultiHeadAttention', 'GroupQueryAttention']);

export function inferRanks(graph: Graph): Ranks {
  const ranks: Ranks = new Map();
  const lengths = new Map<string, number>(); // length of 1-D int tensors (shapes), when static
  for (const t of graph.initializer ?? []) record(ranks, lengths, t.name ?? '', t);
  for (const v of [...(graph.input ?? []), ...(graph.valueInfo ?? []), ...(graph.output ?? [])]) {
    const dims = v.type?.tensorType?.shape?.dim;
    if (dims) ranks.set(v.name, dims.length);
  }
  for (const node of graph.node ?? []) {
    const out = node.output?.[0];
    if (!out || ranks.has(out)) continue;
    const r = nodeRank(node, ranks, lengths);
    if (r !== undefined) ranks.set(out, r);
    const len = shapeLength(node, ranks, lengths);
    if (len !== undefined) lengths.set(out, len);
  }
  return ranks;
}

function record(ranks: Ranks, lengths: Map<string, number>, name: string, t: Tensor): void {
  const dims = (t.dims ?? []).map(toNumber);
  ranks.set(name, dims.length);
  if (dims.length === 1) lengths.set(name, dims[0]);
}

function nodeRank(node: Node, ranks: Ranks, lengths: Map<string, number>): number | undefined {
  const inputs = node.input ?? [];
  const rankOf = (i: number) => (inputs[i] ? ranks.get(inputs[i]) : undefined);
  if (ELEMENTWISE.has(node.opType)) {
    const known = inputs.map((n) => ranks.get(n)).filter((r): r is number => r !== undefined);
    return known.length ? Math.max(...known) : undefined;
  }
  if (ATTENTION_OUT_3.has(node.opType)) return 3;
  switch (node.opType) {
    case 'Attention': return node.domain === 'com.microsoft' ? 3 : rankOf(0);
    case 'MatMul': {
      const a = rankOf(0), b = rankOf(1);
      return a !== undefined && b !== undefined ? Math.max(a, b) : undefined;
    }
    case 'Transpose': return attr(node, 'perm')?.ints?.length ?? rankOf(0);
    case 'Reshape': return inputs[1] ? lengths.get(inputs[1]) : undefined;
    case 'Concat': case 'Split': case 'Slice': case 'Expand': case 'Tile': return rankOf(0);
    case 'Shape': return 1;
    case 'ReduceSum': case 'ReduceMean': case 'ReduceMax': case 'ReduceMin': case 'ReduceProd': {
      const r = rankOf(0);
      if (r === undefined) return undefined;
      if (toNumber(attr(node, 'keepdims')?.i ?? 1) !== 0) return r;
      // axes: an attribute before opset 13 (18 for most reductions), an input after
      const axes = attr(node, 'axes')?.ints?.length ?? (inputs[1] ? lengths.get(inputs[1]) : undefined);
      return axes === undefined ? undefined : r - axes;
    }
    case 'Constant': {
      const t = attr(node, 'value')?.t;
      if (t) return (t.dims ?? []).length;
      if (attr(node, 'value_ints') || attr(node, 'value_floats')) return 1;
      return attr(node, 'value_int') || attr(node, 'value_float') ? 0 : undefined;
    }
    case 'Unsqueeze': case 'Squeeze': {
      const r = rankOf(0);
      const axes = attr(node, 'axes')?.ints?.length ?? (inputs[1] ? lengths.get(inputs[1]) : undefined);
      if (r === undefined || axes === undefined) return undefined;
      return node.opType === 'Unsqueeze' ? r + axes : r - axes;
    }
    case 'Gather': {
      const data = rankOf(0), idx = rankOf(1);
      return data !== undefined && idx !== undefined ? data - 1 + idx : undefined;
    }
    default: return undefined;
  }
}

/** Static length of a 1-D tensor produced by `node` (the way exports build Reshape targets). */
function shapeLength(node: Node, ranks: Ranks, lengths: Map<string, number>): number | undefined {
  const inputs = node.input ?? [];
  switch (node.opType) {
    case 'Constant': {
      const ints = attr(node, 'value_ints')?.ints;
      if (ints) return ints.length;
      const dims = (attr(node, 'value')?.t?.dims ?? []).map(toNumber);
      return dims.length === 1 ? dims[0] : undefined;
    }
    case 'Shape': return inputs[0] ? ranks.get(inputs[0]) : undefined;
    case 'Unsqueeze': return inputs[0] && ranks.get(inputs[0]) === 0 ? 1 : undefined;
    case 'Concat': {
      const parts = inputs.map((i) => lengths.get(i));
      return parts.every((p) => p !== undefined) ? parts.reduce((a, b) => (a ?? 0) + (b ?? 0), 0) : undefined;
    }
    case 'Cast': case 'Identity': return inputs[0] ? lengths.get(inputs[0]) : undefined;
    default: return undefined;
  }
}
