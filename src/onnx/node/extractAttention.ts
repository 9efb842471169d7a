// Attention probabilities of a user's ONNX transformer for a sequence of token ids, computed in
// the onnxruntime worker thread. A model is read and loaded once (openAttention) and can then be
// run on several id sequences, asking each time for every attention layer or only some: the
// extension first runs two tokens to learn the head count, then the whole text, on one session.
import { kvHeadsOfValues, pickLayer, planAttentionRun, readAttention, type LayerAttention } from '../attentionRun';
import { ExternalDataError } from '../errors';
import { readExternalData } from '../externalData';
import { makeFeeds } from '../inputs';
import type { TensorData } from '../tensor';
import type { OrtWorkerClient, RunOptions } from './ortWorkerClient';

export interface OpenOptions extends RunOptions {
  /** Reads a file from the model's folder (undefined when it is not there): for external data. */
  beside?: (file: string) => Promise<Uint8Array | undefined>;
  /** The model's name in messages. */
  label?: string;
}

export interface ExtractOptions extends OpenOptions {
  /** Attention layers to fetch (indices in graph order); default all. */
  layers?: number[];
}

/** A model loaded with every attention softmax as an output. */
export interface OpenedAttention {
  /** How many attention layers the model has. */
  layers: number;
  /** Runs ids through the model; `layers` (graph order) picks which to read, default all. */
  extract(ids: ArrayLike<number>, layers?: number[], signal?: AbortSignal): Promise<LayerAttention[]>;
  /** The graph's own outputs, by name. */
  outputs: string[];
  /** Runs ids through the model and reads the named graph outputs. */
  fetch(ids: ArrayLike<number>, names: string[], signal?: AbortSignal): Promise<Record<string, TensorData>>;
  release(): Promise<void>;
}

/** Rejects with the typed errors of ../errors; never with a bare protobuf or runtime exception. */
export async function openAttention(client: OrtWorkerClient, modelBytes: Uint8Array, opts: OpenOptions = {}): Promise<OpenedAttention> {
  const plan = planAttentionRun(modelBytes);
  const label = opts.label ?? 'the model';
  let externalData = opts.externalData;
  if (plan.externalData.length && !externalData) {
    const beside = opts.beside;
    if (!beside) throw new ExternalDataError(`${label} keeps its weights in ${plan.externalData.join(', ')}, which cannot be read here`);
    externalData = await readExternalData(plan.externalData, label, beside);
  }
  // plan.model is a fresh copy of the user's bytes, so it can be handed to the worker as is.
  const session = await client.load(plan.model, { ...opts, transferModel: true, ...(externalData ? { externalData } : {}) });
  return {
    layers: plan.layers.length,
    async extract(ids, layers, signal = opts.signal) {
      const picked = layers ? layers.map((i) => pickLayer(plan.layers, i)) : plan.layers;
      const outputs = [...new Set(picked.flatMap((l) => [l.output, ...(l.values ? [l.values] : [])]))];
      const result = await session.run(makeFeeds(plan.inputs, ids), outputs, signal);
      return picked.map((layer) => {
        const read = readAttention(layer, result.outputs[layer.output]);
        const kvHeads = layer.kvHeads ?? (layer.values ? kvHeadsOfValues(result.outputs[layer.values], read.heads) : read.heads);
        return kvHeads !== read.heads ? { ...read, kvHeads } : read;
      });
    },
    outputs: plan.outputs,
    async fetch(ids, names, signal = opts.signal) {
      return (await session.run(makeFeeds(plan.inputs, ids), names, signal)).outputs;
    },
    release: () => session.release(),
  };
}

/** Loads, runs once and releases. */
export async function extractAttention(
  client: OrtWorkerClient, modelBytes: Uint8Array, ids: ArrayLike<number>, opts: ExtractOptions = {},
): Promise<LayerAttention[]> {
  const opened = await openAttention(client, modelBytes, opts);
  try {
    return await opened.extract(ids, opts.layers);
  } finally {
    // A cancelled worker has nothing left to release; the run's own error is the one to report.
    await opened.release().catch(() => undefined);
  }
}
