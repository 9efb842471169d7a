// Finding the attention probabilities inside a transformer someone exported to ONNX.
//
// Plain attention is recognised by structure, not by name: a Softmax over the last axis of a
// rank-4 [batch, heads, q, k] or rank-3 [batch·heads, q, k] tensor whose result, possibly through
// Dropout / Cast / Identity, is the left operand of a MatMul (probabilities · V). Fused attention
// operators get operators added beside them that compute their probabilities (./fused). Merged
// decoders that choose between a cached and an uncached branch with `If` on use_cache_branch get
// a copy of the uncached branch in the main graph, since tensors inside a branch cannot be fetched.
import { FusedAttentionError, NoAttentionError } from './errors';
import { isReadableFused, isUnreadableFused, opName, planFused } from './fused';
import { attr, opsetVersion, subgraphs, toNumber, type Graph, type Model, type Node, type Tensor, type ValueInfo } from './proto';
import { inferRanks } from './ranks';

export interface AttentionSoftmax {
  /** Position among the attention layers in graph order: 0 is the first layer. */
  index: number;
  /** The node's name, or `Softmax#<position in the node list>` for unnamed nodes. */
  nodeName: string;
  /** The tensor holding the probabilities: the Softmax output, or the one added for a fused node. */
  output: string;
  /** 4 for [batch, heads, q, k], 3 for [batch·heads, q, k]; undefined when not known statically. */
  rank?: 3 | 4;
  /** The fused operator the probabilities were read from ('com.microsoft.GroupQueryAttention'); absent for a plain Softmax. */
  op?: string;
  /** Key/value heads when the graph says they are shared by groups of query heads. */
  kvHeads?: number;
  /**
   * For plain attention, the values the probabilities weight ([batch, heads, k, d] or
   * [batch·heads, k, d]): exports of grouped-query models repeat key/value heads in many ways
   * (expand + reshape, tile, repeat_interleave), so sharing is read off these values at run time.
   */
  values?: string;
}

/** The attention layers and what has to be added to the graph to fetch them. */
export interface FoundAttention {
  layers: AttentionSoftmax[];
  /** Nodes and constants to append to the main graph (fused attention's probabilities, inlined branches). */
  nodes: Node[];
  initializers: Tensor[];
}

/** Ops a probability tensor may pass through on its way to the MatMul with V. */
const PASS_THROUGH = new Set(['Dropout', 'Cast', 'Identity']);

const isDefaultDomain = (d: string | undefined) => !d || d === 'ai.onnx';

/** The input merged decoders choose their branch by; the extension feeds it false (no cache). */
export const USE_CACHE_BRANCH = 'use_cache_branch';

/** The attention layers of the main graph in graph order, or a typed error. */
export function findAttentionSoftmax(model: Model): AttentionSoftmax[] {
  return findAttention(model).layers;
}

/**
 * Every attention layer of the model in graph order, plain or fused, with what must be added to
 * the graph to read it; or a typed error: fused attention that cannot be read
 * (FusedAttentionError, naming what stopped it), none found (NoAttentionError).
 */
export function findAttention(model: Model): FoundAttention {
  const graph = model.graph ?? {};
  const opset = opsetVersion(model) ?? 13;
  const unreadable = unreadableOperators(graph);
  if (unreadable.length) {
    throw new FusedAttentionError(unreadable, 'these operators cannot be read yet; export the model without onnxruntime transformer optimisations ' +
      '(torch.onnx.export, or optimum-cli export onnx without -O/--optimize), so attention stays MatMul + Softmax');
  }
  const inlined = inlineNoCacheBranches(graph, opset);
  const work: Graph = {
    ...graph,
    node: [...(graph.node ?? []), ...inlined.nodes],
    initializer: [...(graph.initializer ?? []), ...inlined.initializers],
    valueInfo: [...(graph.valueInfo ?? []), ...inlined.valueInfo],
  };
  const plain = attentionIn(work, opset);
  const fused = planFused(work, opset);
  const all = [
    ...plain.map(({ position, ...layer }) => ({ position, layer })),
    ...fused.layers.map(({ position, nodeName, op, kvHeads, heads, output }) => ({
      position,
      layer: { index: 0, nodeName, output, rank: 4 as const, op, ...(kvHeads !== undefined && kvHeads !== heads ? { kvHeads } : {}) },
    })),
  ].sort((a, b) => a.position - b.position);
  if (all.length === 0) {
    throw new NoAttentionError('no attention found: no Softmax over the last axis feeds a MatMul with the values, and no attention operator was found');
  }
  return {
    layers: all.map(({ layer }, index) => ({ ...layer, index })),
    nodes: [...inlined.nodes, ...fused.nodes],
    initializers: [...inlined.initializers, ...fused.initializers],
  };
}

/**
 * Copies of the branch an `If` on use_cache_branch runs when it is false, for every such `If`
 * whose branches hold attention: their values renamed apart, reading the main graph's tensors.
 * Any other `If` around attention cannot be followed and is refused.
 */
function inlineNoCacheBranches(graph: Graph, opset: number): { nodes: Node[]; initializers: Tensor[]; valueInfo: ValueInfo[] } {
  const out = { nodes: [] as Node[], initializers: [] as Tensor[], valueInfo: [] as ValueInfo[] };
  const inputs = new Set((graph.input ?? []).map((v) => v.name));
  (graph.node ?? []).forEach((node, position) => {
    if (node.opType !== 'If' || !isDefaultDomain(node.domain)) return;
    const hasAttention = subgraphs(node).some((g) => holdsAttention(g, opset));
    if (!hasAttention) return;
    const cond = node.input?.[0] ?? '';
    const branch = attr(node, 'else_branch')?.g;
    if (cond !== USE_CACHE_BRANCH || !inputs.has(cond) || !branch) {
      throw new FusedAttentionError(['If'], `the attention sits inside the branches of If node "${node.name || `If#${position}`}", ` +
        `which is chosen by "${cond}", not by the input ${USE_CACHE_BRANCH}; export the decoder without past key values ` +
        '(decoder_model.onnx, not decoder_model_merged.onnx)');
    }
    const prefix = `attention_explorer/${node.name || `If${position}`}/`;
    const produced = new Set<string>([
      ...(branch.node ?? []).flatMap((n) => n.output ?? []),
      ...(branch.initializer ?? []).map((t) => t.name ?? ''),
    ].filter(Boolean));
    const rename = (name: string) => (produced.has(name) ? `${prefix}${name}` : name);
    branch.node?.forEach((n, i) => out.nodes.push({
      ...n,
      name: `${prefix}${n.name || `${n.opType}#${i}`}`,
      input: (n.input ?? []).map((x) => (x ? rename(x) : x)),
      output: (n.output ?? []).map(rename),
    }));
    branch.initializer?.forEach((t) => out.initializers.push({ ...t, name: rename(t.name ?? '') }));
    [...(branch.valueInfo ?? []), ...(branch.output ?? [])].forEach((v) => out.valueInfo.push({ ...v, name: rename(v.name) }));
  });
  return out;
}

function holdsAttention(g: Graph, opset: number): boolean {
  return attentionIn(g, opset).length > 0 || (g.node ?? []).some(isReadableFused);
}

function attentionIn(graph: Graph, opset: number): (AttentionSoftmax & { position: number })[] {
  const ranks = inferRanks(graph);
  const consumers = consumersOf(graph);
  const result: (AttentionSoftmax & { position: number })[] = [];
  (graph.node ?? []).forEach((node, position) => {
    if (node.opType !== 'Softmax' || !isDefaultDomain(node.domain)) return;
    const input = node.input?.[0];
    const output = node.output?.[0];
    if (!input || !output) return;
    const rank = ranks.get(input) ?? ranks.get(output);
    if (rank !== undefined && rank !== 3 && rank !== 4) return;
    const values = overLastAxis(node, rank, opset) ? valuesOf(output, consumers) : undefined;
    if (values === undefined) return;
    result.push({ index: result.length, position, nodeName: node.name || `Softmax#${position}`, output, rank: rank as 3 | 4 | undefined, ...(values ? { values } : {}) });
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

/**
 * The values `tensor` weights: the right operand of the MatMul it is the left operand of (perhaps
 * through pass-through ops); undefined when it feeds no such MatMul.
 */
function valuesOf(tensor: string, consumers: Map<string, { node: Node; slot: number }[]>, depth = 0): string | undefined {
  if (depth > 4) return undefined;
  for (const { node, slot } of consumers.get(tensor) ?? []) {
    if (slot !== 0) continue;
    if (node.opType === 'MatMul' && isDefaultDomain(node.domain)) return node.input?.[1] ?? '';
    if (PASS_THROUGH.has(node.opType) && node.output?.[0]) {
      const v = valuesOf(node.output[0], consumers, depth + 1);
      if (v !== undefined) return v;
    }
  }
  return undefined;
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

/** Fused attention operators that cannot be read, anywhere in the graph, subgraphs included, as 'domain.OpType'. */
export function unreadableOperators(graph: Graph): string[] {
  const found = new Set<string>();
  const visit = (g: Graph) => {
    for (const node of g.node ?? []) {
      if (isUnreadableFused(node)) found.add(opName(node));
      subgraphs(node).forEach(visit);
    }
  };
  visit(graph);
  return [...found];
}
