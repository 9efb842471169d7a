// `case FILE.json`: one attention layer on given numbers, for checking engines against each
// other and against PyTorch.

import {
  checkAttentionOutcome, checkRunMemory, InputError, matrixFromRows, weightsFromJson, type AttentionOptions, type LayerWeights, type MaskKind,
} from '../core';
import { loadEngine } from './engines';
import { emit, jsonLine, nestedJson, readJson, weightsJson } from './io';
import { MAX_MEMORY_FLAG } from './options';

export interface CaseArgs {
  file: string;
  engine: string;
  out?: string;
  /** Bytes the run may take (--max-memory). */
  maxMemory: number;
}

interface AttentionCase {
  x: Float32Array; // [N, d]
  n: number;
  layer: LayerWeights;
  opts: AttentionOptions;
}

export async function caseCommand(args: CaseArgs): Promise<void> {
  const c = parseCase(readJson(args.file));
  checkRunMemory({ n: c.n, heads: c.opts.heads, layers: 1, dModel: c.layer.dModel }, args.maxMemory, MAX_MEMORY_FLAG);
  const run = await loadEngine(args.engine);
  const r = await run(c.x, c.n, c.layer, c.opts);
  // Whichever engine ran: the same overflow rule, and fully masked rows as zeros.
  checkAttentionOutcome(c.x, c.n, c.layer, c.opts, r);
  await emit(jsonLine({ weights: weightsJson(r), output: nestedJson(r.output, r.n, r.dModel) }), args.out);
}

/** Reads {"x": [[…]], "heads": H, "mask": …, "keyPadding"?: [0|1…], "scale"?: bool, "weights": {…}}. */
export function parseCase(value: unknown): AttentionCase {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError('shape', 'a case must be a JSON object with x, heads and weights');
  }
  const obj = value as Record<string, unknown>;
  if (!('x' in obj)) throw new InputError('shape', 'the case has no "x"');
  if (!('weights' in obj)) throw new InputError('shape', 'the case has no "weights"');
  const x = matrixFromRows(obj.x, 'x');
  const heads = obj.heads ?? 1;
  if (typeof heads !== 'number' || !Number.isInteger(heads) || heads < 1) {
    throw new InputError('heads', `"heads" must be a positive integer, got ${JSON.stringify(heads)}`);
  }
  const mask = (obj.mask ?? 'none') as MaskKind;
  if (mask !== 'none' && mask !== 'causal' && mask !== 'padding') {
    throw new InputError('mask', `"mask" must be "none", "causal" or "padding", got ${JSON.stringify(obj.mask)}`);
  }
  const opts: AttentionOptions = { heads, mask };
  if (obj.keyPadding !== undefined) opts.keyPadding = keyPadding(obj.keyPadding, x.rows);
  if (obj.scale !== undefined) {
    if (typeof obj.scale !== 'boolean') throw new InputError('option', '"scale" must be true or false');
    opts.scale = obj.scale;
  }
  return { x: x.data, n: x.rows, layer: weightsFromJson(obj.weights, x.cols), opts };
}

function keyPadding(value: unknown, n: number): Uint8Array {
  if (!Array.isArray(value) || value.length !== n || !value.every((v) => v === 0 || v === 1 || typeof v === 'boolean')) {
    throw new InputError('mask', `"keyPadding" must be ${n} entries of 1 (key) or 0 (padding)`);
  }
  return Uint8Array.from(value, (v) => (v ? 1 : 0));
}
