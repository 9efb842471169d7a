// Attention weights read from a file, as one sequence the explorer can show: the explorer's own
// JSON export, the JSON that `run --model` and the notebook renderer carry, or a NumPy .npy of
// [layers, heads, N, N] or [heads, N, N] with its tokens beside it. Pure: the host reads the
// bytes, this decides what they are and checks them before anything is shown.
import { isKvHeadsList } from './headGroups';
import { findJsonSyntaxError } from './jsonSyntax';
import { OutputFormatError } from './notebookOutput';
import { isNpy, NpyFormatError, readNpy, shapeText } from './npy';
import { nestedFloat32, nonFiniteWeight, payloadHeads, payloadWeights, readPayload, tokenTextOf } from './payload';
import { decodeUtf8 } from './utf8';

/** The format name `jsonOfSequence` writes into an export. */
export const EXPORT_FORMAT = 'attention-explorer/weights';

export type AttentionFileKind = 'export' | 'payload' | 'npy';

export interface AttentionFile {
  kind: AttentionFileKind;
  /** The payload's title, when it has one. */
  title?: string;
  tokens: string[];
  /** [N]: 1 for tokens an export marked special; none elsewhere. */
  special: Uint8Array;
  layers: number;
  heads: number;
  /** [L]: key/value heads of each layer, when a payload says its query heads share them. */
  kvHeads?: number[];
  n: number;
  weights: Float32Array; // [L][H][N][N]
}

/** What is wrong with a file, in a sentence that can follow its name. */
export class AttentionFileError extends Error {
  override readonly name = 'AttentionFileError';
}

/** The tokens of an .npy, read from the file `npyTokensFile` names. */
export interface TokensText {
  name: string;
  text: string;
}

/**
 * Reads a file's bytes. `name` picks .npy over JSON (bytes starting with NumPy's magic are read
 * as .npy whatever the name). `tokens` is the .npy's tokens file, if there is one.
 */
export function readAttentionFile(name: string, bytes: Uint8Array, tokens?: TokensText): AttentionFile {
  if (bytes.length === 0) throw new AttentionFileError('the file is empty');
  try {
    if (isNpy(bytes) || /\.npy$/i.test(name)) return fromNpy(bytes, tokens);
    return fromJson(jsonOf(bytes));
  } catch (e) {
    // Each format's reader says what it found; to the person they are all one kind of problem.
    if (e instanceof NpyFormatError || e instanceof OutputFormatError) throw new AttentionFileError(e.message);
    throw e;
  }
}

function jsonOf(bytes: Uint8Array): unknown {
  const text = decodeUtf8(bytes);
  if (text === undefined) throw new AttentionFileError('it is neither a NumPy .npy file nor UTF-8 JSON text');
  try {
    return JSON.parse(text);
  } catch {
    const problem = findJsonSyntaxError(text);
    throw new AttentionFileError(
      problem ? `it is not valid JSON: line ${problem.line}, column ${problem.column}: ${problem.reason}` : 'it is not valid JSON',
    );
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fromJson(value: unknown): AttentionFile {
  if (isObject(value) && value.format === EXPORT_FORMAT) return fromExport(value);
  if (isObject(value) && 'tokens' in value && 'layers' in value) return fromPayload(value);
  throw new AttentionFileError(
    `it is JSON but not attention data: expected an export of the explorer ("format": "${EXPORT_FORMAT}") or the output of run --model ("tokens" and "layers")`,
  );
}

// ---------------------------------------------------------------------------------------------
// The explorer's JSON export (jsonOfSequence)

function fromExport(value: Record<string, unknown>): AttentionFile {
  if (value.version !== 1) throw new AttentionFileError(`its version is ${JSON.stringify(value.version)}; this reader knows version 1`);
  const tokens = value.tokens;
  if (!Array.isArray(tokens) || !tokens.every((t) => typeof t === 'string')) throw new AttentionFileError('its "tokens" is not a list of strings');
  const shape = value.shape;
  if (!Array.isArray(shape) || shape.length !== 4 || !shape.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new AttentionFileError(`its "shape" ${JSON.stringify(shape)} is not [layers, heads, N, N]`);
  }
  const [layers, heads, n, n2] = shape as number[];
  if (n !== n2 || n !== tokens.length) {
    throw new AttentionFileError(`its shape ${shapeText(shape as number[])} does not match its ${tokens.length} tokens`);
  }
  const weights = nestedFloat32(value.weights, [layers, heads, n, n], 'weights');
  checkWeights(weights, heads, n);
  const file: AttentionFile = { kind: 'export', tokens, special: specialOf(value.special, n), layers, heads, n, weights };
  if (value.kv_heads !== undefined) {
    if (!isKvHeadsList(value.kv_heads, layers, heads)) {
      throw new AttentionFileError(`its "kv_heads" ${JSON.stringify(value.kv_heads)} is not ${layers} whole numbers, each dividing ${heads} heads`);
    }
    file.kvHeads = value.kv_heads;
  }
  return file;
}

/** The export's `special` flags, when they are a list of N booleans; none otherwise. */
function specialOf(v: unknown, n: number): Uint8Array {
  if (Array.isArray(v) && v.length === n && v.every((s) => typeof s === 'boolean')) return Uint8Array.from(v, (s) => (s ? 1 : 0));
  return new Uint8Array(n);
}

// ---------------------------------------------------------------------------------------------
// A run --model / notebook renderer payload

function fromPayload(value: Record<string, unknown>): AttentionFile {
  const payload = readPayload(value);
  const { n, layers, tokens, title } = payload;
  // Every layer decoded, each checked for NaN as it is.
  const weights = payloadWeights(payload); // [L][H][N][N]
  const heads = payloadHeads(payload);
  const file: AttentionFile = { kind: 'payload', title, tokens, special: new Uint8Array(n), layers: layers.length, heads, n, weights };
  // "kv_heads" of grouped-query attention; readPayload checked each divides the layer's heads.
  if (layers.some((l) => l.kvHeads < heads)) file.kvHeads = layers.map((l) => l.kvHeads);
  return file;
}

// ---------------------------------------------------------------------------------------------
// A NumPy array and its tokens file

function fromNpy(bytes: Uint8Array, tokensText: TokensText | undefined): AttentionFile {
  const array = readNpy(bytes);
  const { shape } = array;
  if (shape.length !== 3 && shape.length !== 4) {
    throw new AttentionFileError(`its array has shape ${shapeText(shape)}; expected [layers, heads, N, N] or [heads, N, N]`);
  }
  // [heads, N, N] is one layer.
  const [layers, heads, n, n2] = shape.length === 4 ? shape : [1, ...shape];
  if (n !== n2) throw new AttentionFileError(`its array has shape ${shapeText(shape)}: the last two dimensions (queries, keys) differ`);
  if (layers * heads * n === 0) throw new AttentionFileError(`its array has shape ${shapeText(shape)}: nothing to show`);
  checkWeights(array.data, heads, n);
  const tokens = tokensText ? tokensOf(tokensText, n) : Array.from({ length: n }, (_, i) => String(i + 1));
  return { kind: 'npy', tokens, special: new Uint8Array(n), layers, heads, n, weights: array.data };
}

/** A tokens file: a JSON list of strings or of token objects with a "text" (what `run --model --format npy` writes). */
function tokensOf(file: TokensText, n: number): string[] {
  let list: unknown;
  try {
    list = JSON.parse(file.text.replace(/^\uFEFF/, ''));
  } catch {
    throw new AttentionFileError(`its tokens file ${file.name} is not valid JSON`);
  }
  if (!Array.isArray(list)) throw new AttentionFileError(`its tokens file ${file.name} is not a JSON list`);
  const tokens = list.map(tokenTextOf);
  const bad = tokens.findIndex((t) => t === undefined);
  if (bad >= 0) throw new AttentionFileError(`token ${bad + 1} of ${file.name} is neither a string nor an object with a "text"`);
  if (tokens.length !== n) throw new AttentionFileError(`its tokens file ${file.name} has ${tokens.length} tokens, but the weights are ${n} × ${n}`);
  return tokens as string[];
}

// ---------------------------------------------------------------------------------------------

/** Weights the views can draw: every one a finite number. The first that is not is named. */
function checkWeights(weights: Float32Array, heads: number, n: number): void {
  const bad = nonFiniteWeight(weights, heads, n);
  if (bad) throw new AttentionFileError(`the weight of ${bad}`);
}
