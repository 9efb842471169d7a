// The attention payload anyone can write: what `run --model … --format json` prints and what the
// Python helper (python/attention_explorer.py) displays in a Jupyter notebook under PAYLOAD_MIME.
//   {"title"?, "tokens": [str | {"text"}], "layers": [{"node", "name"?, "heads", "kv_heads"?,
//    "weights": [H][N][N] | "weights_b64": base64 of little-endian float32, H·N·N values}]}
// Reading it checks every size before any weight is decoded, so a payload of 144 heads of 512
// tokens costs nothing until a view asks for a layer; a layer's weights are decoded (and checked
// for NaN) once, on first use. Pure: no vscode, DOM or Node imports.
import type { JsonObject } from './notebookFormat';
import { base64ToFloat32, OutputFormatError } from './notebookOutput';

export const PAYLOAD_MIME = 'application/vnd.attention-explorer.v1+json';

export interface PayloadLayer {
  /** The graph node the weights were read from ("" when the writer had none). */
  node: string;
  name?: string;
  heads: number;
  /** Key/value heads the query heads share (grouped-query attention); `heads` when none are shared. */
  kvHeads: number;
  /** [H][N][N], queries × keys per head; decoded on the first call. Throws OutputFormatError. */
  weights(): Float32Array;
}

export interface AttentionPayload {
  title?: string;
  tokens: string[];
  n: number;
  layers: PayloadLayer[];
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** How a layer is named in messages: "layer 2 (/h.1/attn/Softmax)". */
function layerName(index: number, node: string): string {
  return `layer ${index + 1}${node ? ` (${node})` : ''}`;
}

/** A token as payloads and tokens files hold it: a string, or an object with "text" (what run --model writes). */
export function tokenTextOf(t: unknown): string | undefined {
  if (typeof t === 'string') return t;
  if (isObject(t) && typeof t.text === 'string') return t.text;
  return undefined;
}

function tokenText(t: unknown, i: number): string {
  const text = tokenTextOf(t);
  if (text === undefined) throw new OutputFormatError(`token ${i + 1} must be a string or an object with "text"`);
  return text;
}

/** Checks the payload's shape and sizes; weights stay encoded until a layer's weights() is called. */
export function readPayload(value: unknown): AttentionPayload {
  if (!isObject(value)) throw new OutputFormatError('the payload must be a JSON object with "tokens" and "layers"');
  if (!Array.isArray(value.tokens)) throw new OutputFormatError('"tokens" must be a list');
  const tokens = value.tokens.map(tokenText);
  const n = tokens.length;
  if (n === 0) throw new OutputFormatError('"tokens" is empty: there is nothing to draw');
  if (!Array.isArray(value.layers) || value.layers.length === 0) throw new OutputFormatError('"layers" must be a list of at least one layer');
  if (value.title !== undefined && typeof value.title !== 'string') throw new OutputFormatError('"title" must be a string');
  const layers = value.layers.map((layer, l) => readLayer(layer, l, n));
  const payload: AttentionPayload = { tokens, n, layers };
  if (typeof value.title === 'string') payload.title = value.title;
  return payload;
}

function readLayer(value: unknown, index: number, n: number): PayloadLayer {
  if (!isObject(value)) throw new OutputFormatError(`layer ${index + 1} must be an object`);
  const node = value.node === undefined ? '' : value.node;
  if (typeof node !== 'string') throw new OutputFormatError(`layer ${index + 1}: "node" must be a string`);
  const where = layerName(index, node);
  const { heads } = value;
  if (typeof heads !== 'number' || !Number.isInteger(heads) || heads < 1) throw new OutputFormatError(`${where}: "heads" must be a whole number ≥ 1`);
  const kvHeads = value.kv_heads === undefined ? heads : value.kv_heads;
  if (typeof kvHeads !== 'number' || !Number.isInteger(kvHeads) || kvHeads < 1 || heads % kvHeads !== 0) {
    throw new OutputFormatError(`${where}: "kv_heads" must be a whole number that divides ${heads} heads`);
  }
  if (value.name !== undefined && typeof value.name !== 'string') throw new OutputFormatError(`${where}: "name" must be a string`);
  const has64 = value.weights_b64 !== undefined;
  if (has64 === (value.weights !== undefined)) throw new OutputFormatError(`${where}: give either "weights" or "weights_b64", not ${has64 ? 'both' : 'neither'}`);
  const count = heads * n * n;
  let decode: () => Float32Array;
  if (has64) {
    const text = value.weights_b64;
    if (typeof text !== 'string') throw new OutputFormatError(`${where}: "weights_b64" must be a string`);
    // The decoded length follows from the text's, so a wrong size is found without decoding.
    const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
    const bytes = text.length % 4 === 0 ? (text.length / 4) * 3 - pad : -1;
    if (bytes !== count * 4) {
      throw new OutputFormatError(`${where}: "weights_b64" holds ${bytes < 0 ? 'no whole number of' : bytes / 4} float32 values; ${heads} heads × ${n} × ${n} tokens need ${count}`);
    }
    decode = () => base64ToFloat32(text, `${where}: "weights_b64"`);
  } else {
    const nested = nestedFloat32(value.weights, [heads, n, n], `${where}: "weights"`); // read now: the lists are already in memory
    decode = () => nested;
  }
  let weights: Float32Array | undefined;
  const layer: PayloadLayer = {
    node,
    heads,
    kvHeads,
    weights() {
      if (weights) return weights;
      const w = decode();
      const bad = nonFiniteWeight(w, heads, n);
      // Named within the layer: the layer is the payload's, the head and cell are the weights'.
      if (bad) throw new OutputFormatError(`${where}: ${bad.replace(/^layer 1, /, '')}; attention weights must be finite`);
      weights = w;
      return weights;
    },
  };
  if (typeof value.name === 'string') layer.name = value.name;
  return layer;
}

/**
 * Nested lists of the given shape, flattened in C order; null stands for NaN (JSON has none; the
 * explorer's own exports write it so). `what` names the value in messages: `"weights"[1][2]`.
 */
export function nestedFloat32(value: unknown, shape: readonly number[], what: string): Float32Array {
  const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
  let at = 0;
  const path: number[] = [];
  const place = (): string => what + path.map((i) => `[${i}]`).join('');
  const walk = (node: unknown, depth: number): void => {
    if (depth === shape.length) {
      if (node !== null && typeof node !== 'number') throw new OutputFormatError(`${place()} is not a number`);
      out[at++] = node === null ? NaN : node;
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) {
      const found = Array.isArray(node) ? `${node.length} entries` : typeof node;
      throw new OutputFormatError(`${place()} should be a list of ${shape[depth]}, found ${found} (shape [${shape.join(', ')}])`);
    }
    node.forEach((child: unknown, i) => {
      path.push(i);
      walk(child, depth + 1);
      path.pop();
    });
  };
  walk(value, 0);
  return out;
}

/**
 * The first weight that is NaN or infinite in [L][H][N][N] (or [H][N][N], layers = 1), in words:
 * "layer 2, head 3, query 5, key 1 is NaN". Such a weight would draw as nothing.
 */
export function nonFiniteWeight(weights: Float32Array, heads: number, n: number): string | undefined {
  for (let i = 0; i < weights.length; i++) {
    if (Number.isFinite(weights[i])) continue;
    const l = Math.floor(i / (heads * n * n));
    const h = Math.floor(i / (n * n)) % heads;
    const q = Math.floor(i / n) % n;
    return `layer ${l + 1}, head ${h + 1}, query ${q + 1}, key ${(i % n) + 1} is ${weights[i]}`;
  }
  return undefined;
}

/** The head count every layer shares: the views lay out one, and a model whose layers differ is refused plainly. */
export function payloadHeads(payload: AttentionPayload): number {
  const heads = payload.layers[0].heads;
  const other = payload.layers.findIndex((l) => l.heads !== heads);
  if (other >= 0) {
    throw new OutputFormatError(`layer ${other + 1} has ${payload.layers[other].heads} heads and layer 1 has ${heads}: every layer must have the same number`);
  }
  return heads;
}

/** Every layer decoded into one [L][H][N][N] array (for the panel, which holds a run whole). */
export function payloadWeights(payload: AttentionPayload): Float32Array {
  const heads = payloadHeads(payload);
  const size = heads * payload.n * payload.n;
  const out = new Float32Array(payload.layers.length * size); // [L][H][N][N]
  payload.layers.forEach((layer, l) => out.set(layer.weights(), l * size));
  return out;
}
