// Planning a run that reads attention out of a user's model, and reading the results back.
import { appendToGraph } from './addOutputs';
import { findAttention, type AttentionSoftmax } from './attentionNodes';
import { ExternalDataError, NoAttentionError } from './errors';
import { planInputs, type PlannedInput } from './inputs';
import { decodeModel, subgraphs, type Graph } from './proto';
import type { TensorData } from './tensor';

export interface AttentionRunPlan {
  /** The original bytes with the chosen probabilities appended as graph outputs. */
  model: Uint8Array;
  /** The attention nodes whose outputs are fetched, in graph order. */
  layers: AttentionSoftmax[];
  inputs: PlannedInput[];
  /** The graph's own outputs (before the probabilities were appended). */
  outputs: string[];
  /** Files the model keeps weights in (external data), as the model names them: read them from beside it. */
  externalData: string[];
}

export interface PlanOptions {
  /**
   * Indices (into the attention nodes in graph order) to fetch; default all. Each layer costs
   * heads·N²·4 bytes, so fetch only the layers on screen for long inputs.
   */
  layers?: number[];
}

/** Throws the typed errors of ./errors for anything that keeps the model from giving attention. */
export function planAttentionRun(bytes: Uint8Array, opts: PlanOptions = {}): AttentionRunPlan {
  const model = decodeModel(bytes);
  const graph = model.graph ?? {};
  const externalData = externalDataFiles(graph);
  const found = findAttention(model);
  const all = found.layers;
  const layers = opts.layers ? opts.layers.map((i) => pickLayer(all, i)) : all;
  const inputs = planInputs(graph);
  const existing = new Set((graph.output ?? []).map((o) => o.name));
  const extra = [...new Set(layers.flatMap((l) => [l.output, ...(l.values ? [l.values] : [])]))].filter((name) => !existing.has(name));
  return {
    model: appendToGraph(bytes, { outputs: extra, nodes: found.nodes, initializers: found.initializers }),
    layers, inputs, outputs: [...existing], externalData,
  };
}

/**
 * The files a model keeps tensors in (TensorProto external_data "location"), in every graph and
 * subgraph. Only plain file names and relative paths below the model's folder are accepted.
 */
export function externalDataFiles(graph: Graph): string[] {
  const files = new Set<string>();
  const visit = (g: Graph) => {
    for (const t of g.initializer ?? []) {
      if (t.dataLocation !== 1) continue;
      const location = t.externalData?.find((e) => e.key === 'location')?.value;
      if (!location) throw new ExternalDataError(`tensor "${t.name}" is stored outside the model but names no file`);
      if (location.startsWith('/') || /^[A-Za-z]:/.test(location) || location.split(/[\\/]/).includes('..')) {
        throw new ExternalDataError(`tensor "${t.name}" is stored in "${location}", outside the model's folder; keep the data file beside the model`);
      }
      files.add(location);
    }
    for (const node of g.node ?? []) {
      subgraphs(node).forEach(visit);
    }
  };
  visit(graph);
  return [...files];
}

/**
 * The graph outputs a model names its queries, keys and values by, per attention layer (in graph
 * order), each [1, heads, N, d_head] before scaling: what step by step needs of a model. The
 * models shipped with the extension export them; other models rarely do.
 */
export function qkvOutputNames(layer: number): [q: string, k: string, v: string] {
  return [`layers.${layer}.q`, `layers.${layer}.k`, `layers.${layer}.v`];
}

/** Attention layer `index` (graph order) of those found, or a RangeError naming how many there are. */
export function pickLayer<T>(all: T[], index: number): T {
  const layer = all[index];
  if (!layer) throw new RangeError(`attention layer ${index} does not exist; the model has ${all.length} (0 … ${all.length - 1})`);
  return layer;
}

export interface LayerAttention {
  index: number;
  nodeName: string;
  heads: number;
  queries: number;
  keys: number;
  /** [heads][queries][keys] */
  weights: Float32Array;
  /** Key/value heads, when fewer than `heads` (grouped-query attention). */
  kvHeads?: number;
}

/**
 * How many key/value heads `heads` query heads read, from the values they weight (batch 1,
 * [1, heads, k, d] or [heads, k, d]): query head h reads key/value head floor(h / g) for the
 * largest group size g whose heads all hold bit-identical values. `heads` when nothing is shared
 * or the values cannot be read.
 */
export function kvHeadsOfValues(t: TensorData | undefined, heads: number): number {
  if (!t || t.type !== 'float32' || heads < 2) return heads;
  const data = t.data as Float32Array;
  if (data.length === 0 || data.length % heads !== 0) return heads;
  const size = data.length / heads;
  const same = (a: number, b: number) => {
    for (let i = 0; i < size; i++) if (data[a * size + i] !== data[b * size + i]) return false;
    return true;
  };
  for (let g = heads; g > 1; g--) {
    if (heads % g !== 0) continue;
    let shared = true;
    for (let h = 0; h < heads && shared; h++) shared = same(h, h - (h % g));
    if (shared) return heads / g;
  }
  return heads;
}

/** Reads a fetched Softmax output of a batch-1 run as [heads][q][k]. */
export function readAttention(layer: AttentionSoftmax, t: TensorData): LayerAttention {
  const d = t.dims;
  const layout = d.length === 4 && d[0] === 1 ? { heads: d[1], queries: d[2], keys: d[3] }
    : d.length === 3 ? { heads: d[0], queries: d[1], keys: d[2] } // [batch·heads, q, k] with batch 1
    : undefined;
  if (!layout || t.type !== 'float32') {
    throw new NoAttentionError(`"${layer.nodeName}" gave a ${t.type} tensor of shape [${d.join(', ')}], not [1, heads, q, k] or [heads, q, k] float32`);
  }
  // Both layouts are already [heads][q][k] in memory.
  return { index: layer.index, nodeName: layer.nodeName, ...layout, weights: t.data as Float32Array };
}
