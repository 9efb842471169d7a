// How much memory a run needs, estimated from its sizes before anything is allocated, so a run
// that cannot fit is refused with a sentence instead of failing half-way ("Invalid typed array
// length") or being killed. One pure rule, shared by the command line and (later) the extension.

import { InputError } from './errors';

export interface RunSize {
  /** Tokens (query and key positions). */
  n: number;
  heads: number;
  /** Attention layers whose weights are kept: 1 for the built-in layer. */
  layers: number;
  /** Embedding width; 0 when unknown (a user's model keeps its own weights). */
  dModel: number;
}

/** 2 GB: what a run may take unless the caller allows more. */
export const DEFAULT_MAX_MEMORY = 2 * 2 ** 30;

/**
 * Bytes of float32 a run holds at its peak, roughly: every layer's weights (H·N² each), the
 * scores being turned into them (another H·N² for one layer), the activations x, q, k, v and the
 * output (5·N·d_model) and the four projections (4·d_model²).
 */
export function estimateRunBytes(s: RunSize): number {
  const f32 = 4;
  const attention = (s.layers + 1) * s.heads * s.n * s.n;
  const activations = 5 * s.n * s.dModel;
  const projections = 4 * s.dModel * s.dModel;
  return f32 * (attention + activations + projections);
}

/**
 * The most float32 values one array may hold, whatever the memory limit: JavaScript engines cap a
 * typed array's length (V8 at 2³²; 2³¹ keeps to what every engine allows).
 */
export const MAX_ARRAY_VALUES = 2 ** 31;

/** The largest single array a run allocates: every layer's weights [L, H, N, N], or one projection. */
export function largestRunArray(s: RunSize): number {
  return Math.max(s.layers * s.heads * s.n * s.n, s.dModel * s.dModel, s.n * s.dModel);
}

/** "1.5 GB", "300 MB", "12 kB": sizes as people read them (powers of 1024). */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${Math.round(v)} bytes` : `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

/**
 * "4GB", "512 MB", "1.5g", "1000000" (bytes): a size limit as typed; null when it is none of
 * these. Units are powers of 1024.
 */
export function parseByteSize(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(text);
  if (!m) return null;
  const power = ['', 'k', 'm', 'g', 't'].indexOf(m[2].toLowerCase());
  const bytes = Math.floor(Number(m[1]) * 1024 ** power);
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : null;
}

/**
 * Bytes a layer kept blockwise holds (keptLayer.ts), on each of `threads` threads: x, q, k, v, the
 * context and the output (6·N·d_model floats), each row's max and sum (12 bytes per row and head),
 * one block of 64 rows of scores, and the overviews being pooled (12 bytes per block).
 */
export function estimateKeptBytes(s: Omit<RunSize, 'layers'> & { threads: number; overview: number }): number {
  const side = Math.min(s.n, s.overview);
  return s.threads * (4 * (6 * s.n * s.dModel + 64 * s.n) + 12 * s.heads * s.n + 12 * s.heads * side * side);
}

/**
 * Throws an InputError when a run of this size would need more than `limit` bytes; `allow` names
 * what lets the caller raise it (a flag, a setting). `bytes`: the estimate for a run whose weights
 * are never whole (estimateKeptBytes, with `layers` 0); default estimateRunBytes.
 */
export function checkRunMemory(s: RunSize, limit: number, allow: string, bytes = estimateRunBytes(s)): void {
  const largest = s.layers === 0 ? 0 : largestRunArray(s);
  if (bytes <= limit && largest <= MAX_ARRAY_VALUES) return;
  const plural = (k: number, one: string): string => `${k} ${one}${k === 1 ? '' : 's'}`;
  const what = `${plural(s.n, 'token')} × ${plural(s.heads, 'head')}` + (s.layers > 0 ? ` × ${plural(s.layers, 'layer')}` : '') +
    (s.dModel > 0 ? `, d_model ${s.dModel}` : '');
  // Past the limit, say what raises it; within it, an array no limit can allow.
  if (bytes <= limit) {
    throw new InputError('too-large', `${what} need an array of ${largest} values, more than one array can hold (${MAX_ARRAY_VALUES}); use fewer tokens, heads or a smaller d_model`);
  }
  throw new InputError(
    'too-large',
    `${what} need about ${formatBytes(bytes)}, more than the limit of ${formatBytes(limit)}; ${allow} allows more`,
  );
}
