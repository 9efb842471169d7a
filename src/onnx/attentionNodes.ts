// Finding the attention probabilities inside a transformer someone exported to ONNX.
//
// Attention is recognised by structure, not by name: a Softmax over the last axis of a rank-4
// [batch, heads, q, k] or rank-3 [batch·heads, q, k] tensor whose result, possibly through
// Dropout / Cast / Identity, is the left operand of a MatMul (probabilities · V). Exports that
// hide that Softmax inside fused operators are detected and refused with a typed error.
import { FusedAttentionError, NoAttentionError } from './errors';
import { attr, opsetVersion, toNumber, type Graph, type Model, type Node } from './proto';
import { inferRanks } from './ranks';

export interface AttentionSoftmax {
  /** Position among the attention Softmax nodes in graph order: 0 is the first layer. */
  index: number;
  /** The node's name, or `Softmax#<position in the node list>` for unnamed nodes. */
  nodeName: string;
  /** The tensor holding the probabilities: the Softmax output. */
  output: string;
  /** 4 for [batch, heads, q, k], 3 for [batch·heads, q, k]; undefined when not known statically. */
  rank?: 3 | 4;
}

/** Operators that compute softmax(q·kᵀ)·v internally, by domain. */
const FUSED: Record<string, Set<string>> = {
  'com.microsoft': new Set([
    'Attention', 'MultiHeadAttention', 'GroupQueryAttention', 'PackedAttention', 'PackedMultiHeadAttention',
    'DecoderMaskedMultiHeadAttention', 'DecoderMaskedSelfAttention', 'SparseAttention', 'PagedAttention',
    'LongformerAttention', 'QAttention', 'QOrderedAttention', 'DecoderAttention',
  ]),
  // ai.onnx Attention (opset 23) likewise returns no probabilities one can read per head.
  '': new Set(['Attention']),
};

/** Ops a probability tensor may pass through on its way to the MatMul with V. */
const PASS_THROUGH = new Set(['Dropout', 'Cast', 'Identity']);

const isDefaultDomain = (d: string | undefined) => !d || d === 'ai.onnx';

/**
 * The attention Softmax nodes of the main graph in graph order, or a typed error: fused
 * attention (FusedAttentionError), none found (NoAttentionError).
 */
export function findAttentionSoftmax(model: Model): AttentionSoftmax[] {
  const graph = model.graph ?? {};
  const fused = fusedOperators(graph);
  if (fused.length) {
    throw new FusedAttentionError(fused, 'export the model without onnxruntime transformer optimisations ' +
      '(torch.onnx.export with opset 17, or optimum-cli export onnx without -O/--optimize), so attention stays MatMul + Softmax');
  }
  const found = attentionIn(graph, opsetVersion(model) ?? 13);
  if (found.length) return found;
  if ((graph.node ?? []).some((n) => n.opType === 'If' && subgraphs(n).some((g) => attentionIn(g, 13).length))) {
    throw new FusedAttentionError(['If'], 'this is a merged decoder whose attention sits inside If branches; ' +
      'use the decoder without past key values (decoder_model.onnx, not decoder_model_merged.onnx) ' +
      'or export with optimum-cli export onnx --no-post-process');
  }
  throw new NoAttentionError('no attention found: no Softmax over the last axis feeds a MatMul with the values');
}

function attentionIn(graph: Graph, opset: number): AttentionSoftmax[] {
  const ranks = inferRanks(graph);
  const consumers = consumersOf(graph);
  const result: AttentionSoftmax[] = [];
  (graph.node ?? []).forEach((node, position) => {
    if (node.opType !== 'Softmax' || !isDefaultDomain(node.domain)) return;
    const input = node.input?.[0];
    const output = node.output?.[0];
    if (!input || !output) return;
    const rank = ranks.get(input) ?? ranks.get(output);
    if (rank !== undefined && rank !== 3 && rank !== 4) return;
    if (!overLastAxis(node, rank, opset) || !feedsMatMul(output, consumers)) return;
    result.push({ index: result.length, nodeName: node.name || `Softmax#${position}`, output, rank: rank as 3 | 4 | undefined });
  });
  return result;
}

/** Softmax's default axis was 1 before opset 13 (over all trailing axes), -1 from 13 on. */
function overLastAxis(node: Node, rank: number | undefined, opset: number): boolean {
  const a = attr(node, 'axis');
  const axis = a ? toNumber(a.i) : opset >= 13 ? -1 : 1;
  if (axis === -1) return true;
  if (rank !== undefined) return axis === rank - 1;
  // Rank unknown: only a layout we accept can make axis 2 or 3 the last one; the run checks it.
  return axis === 2 || axis === 3;
}

function feedsMatMul(tensor: string, consumers: Map<string, { node: Node; slot: number }[]>, depth = 0): boolean {
  if (depth > 4) return false;
  return (consumers.get(tensor) ?? []).some(({ node, slot }) => {
    if (node.opType === 'MatMul' && isDefaultDomain(node.domain)) return slot === 0;
    if (PASS_THROUGH.has(node.opType) && slot === 0 && node.output?.[0]) return feedsMatMul(node.output[0], consumers, depth + 1);
    return false;
  });
}

function consumersOf(graph: Graph): Map<string, { node: Node; slot: number }[]> {
  const map = new Map<string, { node: Node; slot: number }[]>();
  for (const node of graph.node ?? []) {
    (node.input ?? []).forEach((name, slot) => {
      if (!name) return;
      const list = map.get(name) ?? [];
      list.push({ node, slot });
      map.set(name, list);
    });
  }
  return map;
}

function subgraphs(node: Node): Graph[] {
  return (node.attribute ?? []).flatMap((a) => [...(a.g ? [a.g] : []), ...(a.graphs ?? [])]);
}

/** Fused attention operators anywhere in the graph, subgraphs included, as 'domain.OpType'. */
export function fusedOperators(graph: Graph): string[] {
  const found = new Set<string>();
  const visit = (g: Graph) => {
    for (const node of g.node ?? []) {
      const domain = isDefaultDomain(node.domain) ? '' : node.domain ?? '';
      if (FUSED[domain]?.has(node.opType)) found.add(domain ? `${domain}.${node.opType}` : node.opType);
      subgraphs(node).forEach(visit);
    }
  };
  visit(graph);
  return [...found];
}
