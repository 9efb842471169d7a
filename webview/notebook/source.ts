// What an output draws, whichever MIME type it came in: an attention notebook's own output (all
// weights decoded at once, as they are small or reduced to the top k) or the payload any notebook
// can display (weights decoded one layer at a time, when a view first asks for that layer).
import {
  ATTENTION_MIME,
  decodeAttention,
  layerOf,
  OutputFormatError,
  type AttentionData,
} from '../../src/shared/notebookOutput';
import { PAYLOAD_MIME, payloadHeads, readPayload, type AttentionPayload } from '../../src/shared/payload';

export interface OutputSource {
  title?: string;
  tokens: string[];
  n: number;
  layers: number;
  heads: number;
  /** Key/value heads of a layer: fewer than `heads` when query heads share them. */
  kvHeads(layer: number): number;
  /** A layer's name or graph node, when the output gives one. */
  layerName(layer: number): string | undefined;
  /** [H][N][N] of one layer. Throws OutputFormatError when the layer's weights are damaged. */
  weights(layer: number): Float32Array;
  /** Present when only the k largest weights of each row were kept. */
  topK?: number;
  /** The heads' mean rather than each head, as a notebook cell's settings ask. */
  showMean: boolean;
  /** How many tokens at the end the model generated (a cell with `generate`). */
  generated?: number;
}

/** Reads an output item's JSON as the source its MIME type says it is; OutputFormatError when it does not fit. */
export function readSource(mime: string, json: unknown): OutputSource {
  if (mime === PAYLOAD_MIME) return payloadSource(readPayload(json));
  if (mime === ATTENTION_MIME) return notebookSource(decodeAttention(json));
  throw new OutputFormatError(`${mime} is not an attention output`);
}

function notebookSource(data: AttentionData): OutputSource {
  const source: OutputSource = {
    tokens: data.tokens,
    n: data.n,
    layers: data.layers,
    heads: data.heads,
    kvHeads: (l) => data.kvHeads?.[l] ?? data.heads,
    layerName: () => undefined,
    weights: (layer) => layerOf(data, layer).weights,
    showMean: data.settings.view === 'mean',
  };
  if (data.label !== undefined) source.title = data.label;
  if (data.topK !== undefined) source.topK = data.topK;
  if (data.generated !== undefined) source.generated = data.generated;
  return source;
}

function payloadSource(payload: AttentionPayload): OutputSource {
  const { layers } = payload;
  const heads = payloadHeads(payload);
  const source: OutputSource = {
    tokens: payload.tokens,
    n: payload.n,
    layers: layers.length,
    heads,
    kvHeads: (l) => layers[l].kvHeads,
    layerName: (l) => layers[l].name ?? (layers[l].node || undefined),
    weights: (l) => layers[l].weights(),
    showMean: false,
  };
  if (payload.title !== undefined) source.title = payload.title;
  return source;
}
