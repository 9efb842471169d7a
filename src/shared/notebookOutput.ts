// The output an attention cell produces, as the notebook renderer reads it and as .attnb files
// store it. Weights travel as base64 of little-endian float32, not as nested JSON lists: a third
// the size and exact to the bit. Above a size limit only what the views need is kept: the
// largest k weights of every row (k chosen to fit), and the output says so. An output of a
// model with several attention layers holds them all, [L][H][N][N]; one of a single layer has no
// `layers` field and the shape [H][N][N], as outputs had before layers existed.
// Pure: no vscode, DOM or Node imports, so the host, the renderer and the tests share it.
import { isKvHeadsList } from './headGroups';
import type { Json, JsonObject } from './notebookFormat';

export const ATTENTION_MIME = 'application/vnd.attention-explorer.attention+json';
export const OUTPUT_VERSION = 1;
/** Above this many bytes of float32 weights, an output keeps only the top k per row. */
export const DEFAULT_OUTPUT_LIMIT_BYTES = 8 * 2 ** 20;

/** What was computed, in memory: full weights, or the kept top-k expanded with zeros. */
export interface AttentionData {
  label?: string;
  tokens: string[];
  /** Attention layers; 1 for the built-in layer (and for outputs written before layers). */
  layers: number;
  heads: number;
  /**
   * [L]: key/value heads of each layer when query heads share them (grouped-query attention);
   * absent when none are shared. Stored as "kv_heads", the name the attention payload uses.
   */
  kvHeads?: number[];
  n: number;
  weights: Float32Array; // [L][H][N][N]
  settings: JsonObject;
  elapsedMs: number;
  /** Present when the stored output kept only the largest k weights of each row. */
  topK?: number;
}

export class OutputFormatError extends Error {
  override readonly name = 'OutputFormatError';
}

// ---------------------------------------------------------------------------------------------
// base64 of bytes, written here because neither atob nor Buffer exists on every side.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DECODE = (() => {
  const t = new Int16Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) t[ALPHABET.charCodeAt(i)] = i;
  return t;
})();

const ALPHABET_CODES = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));
const PAD_CODE = 61; // '='

export function bytesToBase64(bytes: Uint8Array): string {
  // The characters are written as codes into one buffer and turned into text a chunk at a time:
  // growing a string by concatenation took 2.5 s for one 12 MB layer.
  const out = new Uint8Array(Math.ceil(bytes.length / 3) * 4);
  let o = 0;
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i];
    const b = i + 1 < bytes.length ? bytes[i + 1] : 0;
    const c = i + 2 < bytes.length ? bytes[i + 2] : 0;
    out[o++] = ALPHABET_CODES[a >> 2];
    out[o++] = ALPHABET_CODES[((a & 3) << 4) | (b >> 4)];
    out[o++] = i + 1 < bytes.length ? ALPHABET_CODES[((b & 15) << 2) | (c >> 6)] : PAD_CODE;
    out[o++] = i + 2 < bytes.length ? ALPHABET_CODES[c & 63] : PAD_CODE;
  }
  const parts: string[] = [];
  const chunk = 8192; // below the engines' limit on the arguments of one call
  for (let start = 0; start < out.length; start += chunk) {
    parts.push(String.fromCharCode(...out.subarray(start, Math.min(out.length, start + chunk))));
  }
  return parts.join('');
}

export function base64ToBytes(text: string, what = 'base64'): Uint8Array {
  if (text.length % 4 !== 0) throw new OutputFormatError(`${what}: base64 length ${text.length} is not a multiple of 4`);
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    let v = 0;
    for (let j = 0; j < 4; j++) {
      const code = text.charCodeAt(i + j);
      const d = code < 128 ? DECODE[code] : -1;
      const isPad = code === 61 && i + j >= text.length - pad;
      if (d < 0 && !isPad) throw new OutputFormatError(`${what}: character ${i + j + 1} is not base64`);
      v = (v << 6) | (isPad ? 0 : d);
    }
    if (o < out.length) out[o++] = (v >> 16) & 255;
    if (o < out.length) out[o++] = (v >> 8) & 255;
    if (o < out.length) out[o++] = v & 255;
  }
  return out;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Little-endian bytes of 32-bit values, whatever the machine's byte order. */
function leBytes(values: Float32Array | Uint32Array): Uint8Array {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  if (LITTLE_ENDIAN) return bytes;
  const out = new Uint8Array(values.byteLength);
  for (let i = 0; i < out.length; i += 4) for (let j = 0; j < 4; j++) out[i + j] = bytes[i + 3 - j];
  return out;
}

function fromLe<T extends Float32Array | Uint32Array>(bytes: Uint8Array, make: (buffer: ArrayBuffer) => T): T {
  const copy = new Uint8Array(bytes.length); // own, aligned buffer
  if (LITTLE_ENDIAN) copy.set(bytes);
  else for (let i = 0; i < bytes.length; i += 4) for (let j = 0; j < 4; j++) copy[i + j] = bytes[i + 3 - j];
  return make(copy.buffer);
}

export function float32ToBase64(values: Float32Array): string {
  return bytesToBase64(leBytes(values));
}

export function base64ToFloat32(text: string, what = 'weights'): Float32Array {
  const bytes = base64ToBytes(text, what);
  if (bytes.length % 4 !== 0) throw new OutputFormatError(`${what}: ${bytes.length} bytes is not a whole number of float32 values`);
  return fromLe(bytes, (b) => new Float32Array(b));
}

// ---------------------------------------------------------------------------------------------
// Encoding an output

/** The JSON an attention cell outputs, with the weights compact and, above the limit, reduced. */
export function encodeAttention(data: AttentionData, limitBytes = DEFAULT_OUTPUT_LIMIT_BYTES): JsonObject {
  const { layers, heads, n } = data;
  const out: JsonObject = { version: OUTPUT_VERSION };
  if (data.label !== undefined) out.label = data.label;
  out.tokens = data.tokens;
  // A single layer is written as before layers existed, so such outputs keep their bytes.
  if (layers !== 1) out.layers = layers;
  out.heads = heads;
  if (data.kvHeads !== undefined) out.kv_heads = data.kvHeads;
  out.n = n;
  out.settings = data.settings;
  out.elapsedMs = Math.round(data.elapsedMs * 1000) / 1000;
  const shape = layers === 1 ? [heads, n, n] : [layers, heads, n, n];
  // The limit holds for all layers together; every row of every layer keeps the same k.
  const rows = layers * heads * n;
  const denseBytes = rows * n * 4;
  if (denseBytes <= limitBytes && data.topK === undefined) {
    out.weights = { layout: 'dense', dtype: 'float32', shape, base64: float32ToBase64(data.weights) };
    return out;
  }
  // Each kept weight costs 8 bytes (float32 value + uint32 key index).
  const fit = Math.max(1, Math.floor(limitBytes / (rows * 8)));
  const k = Math.min(n, fit, data.topK ?? n);
  const { indices, values } = topKRows(data.weights, rows, n, k);
  out.weights = {
    layout: 'top-k',
    dtype: 'float32',
    shape,
    k,
    indices: bytesToBase64(leBytes(indices)),
    values: float32ToBase64(values),
  };
  return out;
}

/** For each of `rows` rows of `n`, the k largest values (largest first) and their columns. */
export function topKRows(weights: Float32Array, rows: number, n: number, k: number): { indices: Uint32Array; values: Float32Array } {
  const indices = new Uint32Array(rows * k); // [rows][k]
  const values = new Float32Array(rows * k); // [rows][k]
  for (let r = 0; r < rows; r++) {
    const vals = values.subarray(r * k, (r + 1) * k);
    const idx = indices.subarray(r * k, (r + 1) * k);
    let kept = 0;
    // A sorted buffer of k: most weights are below its smallest and cost one comparison.
    for (let col = 0; col < n; col++) {
      const v = weights[r * n + col];
      if (kept === k && !(v > vals[k - 1])) continue;
      // Strictly-less keeps an earlier key ahead of a later one with the same weight.
      let p = 0;
      while (p < kept && !(vals[p] < v)) p++;
      const last = Math.min(kept, k - 1);
      vals.copyWithin(p + 1, p, last);
      idx.copyWithin(p + 1, p, last);
      vals[p] = v;
      idx[p] = col;
      if (kept < k) kept++;
    }
  }
  return { indices, values };
}

// ---------------------------------------------------------------------------------------------
// Decoding an output (renderer, summaries, tests)

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function count(v: unknown, what: string, min = 0): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new OutputFormatError(`${what} must be a whole number ≥ ${min}`);
  return v;
}

/** Reads an attention output back; every inconsistency is an OutputFormatError naming the field. */
export function decodeAttention(value: unknown): AttentionData {
  if (!isObject(value)) throw new OutputFormatError('an attention output must be an object');
  if (value.version !== OUTPUT_VERSION) throw new OutputFormatError(`version must be ${OUTPUT_VERSION}`);
  const layers = value.layers === undefined ? 1 : count(value.layers, 'layers', 1);
  const heads = count(value.heads, 'heads', 1);
  const n = count(value.n, 'n');
  const tokens = value.tokens;
  if (!Array.isArray(tokens) || tokens.length !== n || !tokens.every((t) => typeof t === 'string')) {
    throw new OutputFormatError(`tokens must be a list of ${n} strings`);
  }
  const w = value.weights;
  if (!isObject(w)) throw new OutputFormatError('weights must be an object');
  const weights = decodeWeights(w, value.layers === undefined ? [heads, n, n] : [layers, heads, n, n]);
  const data: AttentionData = {
    tokens: tokens as string[],
    layers,
    heads,
    n,
    weights: weights.dense,
    settings: isObject(value.settings) ? value.settings : {},
    elapsedMs: typeof value.elapsedMs === 'number' ? value.elapsedMs : 0,
  };
  if (typeof value.label === 'string') data.label = value.label;
  if (weights.topK !== undefined) data.topK = weights.topK;
  if (value.kv_heads !== undefined) {
    if (!isKvHeadsList(value.kv_heads, layers, heads)) {
      throw new OutputFormatError(`kv_heads must list ${layers} whole numbers, each dividing ${heads} heads`);
    }
    data.kvHeads = value.kv_heads;
  }
  return data;
}

/** `expected`: [H, N, N], or [L, H, N, N] when the output names its layers. */
function decodeWeights(w: JsonObject, expected: number[]): { dense: Float32Array; topK?: number } {
  const shape = w.shape as Json;
  const shown = `[${expected.join(', ')}]`;
  if (!Array.isArray(shape) || shape.length !== expected.length || expected.some((d, i) => shape[i] !== d)) {
    throw new OutputFormatError(`weights.shape must be ${shown}`);
  }
  const n = expected[expected.length - 1];
  const rows = expected.slice(0, -1).reduce((a, b) => a * b, 1); // L × H × N
  if (w.dtype !== 'float32') throw new OutputFormatError('weights.dtype must be "float32"');
  if (w.layout === 'dense') {
    if (typeof w.base64 !== 'string') throw new OutputFormatError('weights.base64 must be a string');
    const dense = base64ToFloat32(w.base64, 'weights.base64');
    if (dense.length !== rows * n) {
      throw new OutputFormatError(`weights.base64 holds ${dense.length} values, shape ${shown} needs ${rows * n}`);
    }
    return { dense };
  }
  if (w.layout === 'top-k') return decodeTopK(w, rows, n);
  throw new OutputFormatError('weights.layout must be "dense" or "top-k"');
}

function decodeTopK(w: JsonObject, rows: number, n: number): { dense: Float32Array; topK: number } {
  const k = count(w.k, 'weights.k', n === 0 ? 0 : 1);
  if (k > n) throw new OutputFormatError(`weights.k (${k}) cannot exceed n (${n})`);
  if (typeof w.indices !== 'string' || typeof w.values !== 'string') {
    throw new OutputFormatError('weights.indices and weights.values must be strings');
  }
  const indices = fromLe(base64ToBytes(w.indices, 'weights.indices'), (b) => new Uint32Array(b));
  const values = base64ToFloat32(w.values, 'weights.values');
  if (indices.length !== rows * k || values.length !== rows * k) {
    throw new OutputFormatError(`weights.indices and weights.values must hold ${rows * k} entries each`);
  }
  const dense = new Float32Array(rows * n); // [L][H][N][N], zero where nothing was kept
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < k; j++) {
      const col = indices[r * k + j];
      if (col >= n) throw new OutputFormatError(`weights.indices: key ${col} is outside 0…${n - 1}`);
      dense[r * n + col] = values[r * k + j];
    }
  }
  return { dense, topK: k };
}

/** One layer of an output, as an output of its own (its weights are a view, not a copy). */
export function layerOf(data: AttentionData, layer: number): AttentionData {
  if (!Number.isInteger(layer) || layer < 0 || layer >= data.layers) {
    throw new RangeError(`layer ${layer} is outside 0…${data.layers - 1}`);
  }
  const size = data.heads * data.n * data.n;
  const one: AttentionData = { ...data, layers: 1, weights: data.weights.subarray(layer * size, (layer + 1) * size) };
  if (data.kvHeads) one.kvHeads = [data.kvHeads[layer]];
  return one;
}

/** Mean over heads of a single-layer output (see layerOf): [N][N]. */
export function meanOverHeads(data: AttentionData): Float32Array {
  const { heads, n, weights } = data;
  const stride = n * n;
  const mean = new Float32Array(stride);
  for (let h = 0; h < heads; h++) for (let i = 0; i < stride; i++) mean[i] += weights[h * stride + i] / heads;
  return mean;
}

/** Key tokens that receive the most attention in one head of a single-layer output (mean over queries), largest first. */
export function topKeys(data: AttentionData, head: number, limit: number): { key: number; weight: number }[] {
  const { n, weights } = data;
  const received = new Float64Array(n);
  const base = head * n * n;
  for (let q = 0; q < n; q++) for (let k = 0; k < n; k++) received[k] += weights[base + q * n + k] / n;
  return Array.from(received, (weight, key) => ({ key, weight }))
    .sort((a, b) => b.weight - a.weight || a.key - b.key)
    .slice(0, limit);
}

// ---------------------------------------------------------------------------------------------
// Messages between the notebook renderer and the extension host. The renderer draws at once with
// English labels and asks for the localized table, which the host sends when it is running.

export const RENDERER_ID = 'attention-explorer.attention-renderer';

/** Localized labels the renderer shows. */
export interface RendererStrings {
  head: string;
  layer: string;
  query: string;
  key: string;
  weight: string;
  /** Short word after a heatmap's caption: "max 0.965". */
  max: string;
  meanOfHeads: string;
  maxOfHeads: string;
  allHeads: string;
  /** The model view's name: every layer × head as a thumbnail. */
  model: string;
  /** Label of the choice between all heads, one head, mean, maximum and the model view. */
  show: string;
  /** "KV head 2 of 4": the key/value head a query head shares. */
  kvHead: string;
  thumbLabel: string;
  heatmapLabel: string;
  meanHeatmapLabel: string;
  maxHeatmapLabel: string;
  topKNote: string;
  invalidOutput: string;
}

export const ENGLISH_RENDERER_STRINGS: RendererStrings = {
  head: 'Head',
  layer: 'Layer',
  query: 'Query',
  key: 'Key',
  weight: 'Weight',
  max: 'max',
  meanOfHeads: 'Mean of {0} heads',
  maxOfHeads: 'Maximum of {0} heads',
  allHeads: 'All heads',
  model: 'Model',
  show: 'Show',
  kvHead: 'KV head {0} of {1}',
  thumbLabel: 'Layer {0}, head {1}: open large',
  heatmapLabel: 'Attention weights of head {0}: queries down, keys across',
  meanHeatmapLabel: 'Attention weights averaged over {0} heads: queries down, keys across',
  maxHeatmapLabel: 'Largest attention weight of {0} heads: queries down, keys across',
  topKNote: 'The weights were larger than the size limit, so only the {0} largest of each row were kept; the others show as 0.',
  invalidOutput: 'This attention output cannot be shown: {0}',
};

/** Renderer → host: send the localized strings. */
export interface StringsRequest {
  type: 'strings?';
}

/** Host → renderer: the localized strings. */
export interface StringsMessage {
  type: 'strings';
  strings: RendererStrings;
}

export type FromRenderer = StringsRequest;
export type ToRenderer = StringsMessage;

export function isFromRenderer(v: unknown): v is FromRenderer {
  return isObject(v) && v.type === 'strings?';
}

export function isToRenderer(v: unknown): v is ToRenderer {
  if (!isObject(v) || v.type !== 'strings' || !isObject(v.strings)) return false;
  const s = v.strings;
  return Object.keys(ENGLISH_RENDERER_STRINGS).every((k) => typeof s[k] === 'string');
}

/** Fills {0}, {1}… in a localized template. */
export function formatString(template: string, ...args: (string | number)[]): string {
  return template.replace(/\{(\d+)\}/g, (m, i: string) => String(args[Number(i)] ?? m));
}
