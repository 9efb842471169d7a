// Attention probabilities of a user's ONNX transformer for a sequence of token ids, computed in
// the onnxruntime worker thread.
import { planAttentionRun, readAttention, type LayerAttention } from '../attentionRun';
import { makeFeeds } from '../inputs';
import type { OrtWorkerClient, RunOptions } from './ortWorkerClient';

export interface ExtractOptions extends RunOptions {
  /** Attention layers to fetch (indices in graph order); default all. */
  layers?: number[];
}

/** Rejects with the typed errors of ../errors; never with a bare protobuf or runtime exception. */
export async function extractAttention(
  client: OrtWorkerClient, modelBytes: Uint8Array, ids: ArrayLike<number>, opts: ExtractOptions = {},
): Promise<LayerAttention[]> {
  const plan = planAttentionRun(modelBytes, { layers: opts.layers });
  const feeds = makeFeeds(plan.inputs, ids);
  const outputs = [...new Set(plan.layers.map((l) => l.output))];
  // plan.model is a fresh copy of the user's bytes, so it can be handed to the worker as is.
  const result = await client.run(plan.model, feeds, outputs, { ...opts, transferModel: true });
  return plan.layers.map((layer) => readAttention(layer, result.outputs[layer.output]));
}
