// Feeding a transformer from token ids alone: the ids go to the ids input; attention_mask,
// token_type_ids and position_ids, when the graph requires them, are filled as a single
// unpadded sequence would have them. Decoders exported with a cache run as on their first step:
// past keys and values are empty (sequence length 0), cache_position counts 0 … N-1 and
// use_cache_branch is false. Any other required input is a typed error naming it.
import { MissingInputError, InputShapeError } from './errors';
import { toNumber, type Graph, type ValueInfo } from './proto';
import { DataType } from './schema';
import type { Feeds, TensorData } from './tensor';

export type InputRole = 'ids' | 'attention_mask' | 'token_type_ids' | 'position_ids' | 'cache_position' | 'use_cache_branch' | 'past';

export interface PlannedInput {
  name: string;
  role: InputRole;
  elemType: number;
  /** The sequence length the graph fixes for this input, if it fixes one. */
  fixedLength?: number;
  /** For past keys and values: the shape of the empty cache fed, its past axis 0. */
  emptyDims?: number[];
}

const FILLED: ReadonlySet<string> = new Set(['attention_mask', 'token_type_ids', 'position_ids']);
const INTEGER = new Set<number>([DataType.INT64, DataType.INT32]);
const FLOATS = new Set<number>([DataType.FLOAT, DataType.FLOAT16]);
/** past_key_values.0.key, past_key_values.3.value, past_0, past_key_0, … */
const PAST = /^past(_key_values)?([._].*)?$/;

export function planInputs(graph: Graph): PlannedInput[] {
  const initialized = new Set((graph.initializer ?? []).map((t) => t.name));
  // Before IR 4 initializers were listed as inputs too; those have defaults and are optional.
  const required = (graph.input ?? []).filter((v) => !initialized.has(v.name));
  const planned: PlannedInput[] = [];
  const unknown: ValueInfo[] = [];
  for (const v of required) {
    if (v.name === 'input_ids') planned.push(plan(v, 'ids'));
    else if (FILLED.has(v.name)) planned.push(plan(v, v.name as InputRole));
    else if (v.name === 'cache_position') planned.push(planRank1(v, 'cache_position'));
    else if (v.name === 'use_cache_branch') planned.push(planFlag(v));
    else if (PAST.test(v.name) && FLOATS.has(elemType(v))) planned.push(planPast(v));
    else unknown.push(v);
  }
  // An export with its own name for the ids (e.g. "input.1") still works when that is the only
  // integer input left over.
  if (!planned.some((p) => p.role === 'ids') && unknown.length === 1 && INTEGER.has(elemType(unknown[0]))) {
    planned.push(plan(unknown.pop() as ValueInfo, 'ids'));
  }
  if (unknown.length) throw new MissingInputError(unknown.map((v) => v.name));
  if (!planned.some((p) => p.role === 'ids')) throw new MissingInputError(['input_ids']);
  for (const p of planned) {
    if (p.role === 'past' || p.role === 'use_cache_branch') continue;
    const ok = p.role === 'attention_mask' ? INTEGER.has(p.elemType) || p.elemType === DataType.FLOAT : INTEGER.has(p.elemType);
    if (!ok) throw new InputShapeError(`input "${p.name}" has element type ${p.elemType}, which cannot be filled from token ids`);
  }
  return planned;
}

function elemType(v: ValueInfo): number {
  return v.type?.tensorType?.elemType ?? 0;
}

/** A past key or value: every dimension the graph fixes is kept, batch is 1, the rest (the past length) 0. */
function planPast(v: ValueInfo): PlannedInput {
  const dims = v.type?.tensorType?.shape?.dim ?? [];
  const emptyDims = dims.map((d, i) => {
    if (d.dimValue !== undefined && !d.dimParam && toNumber(d.dimValue) > 0) return toNumber(d.dimValue);
    return i === 0 || /batch/i.test(d.dimParam ?? '') ? 1 : 0;
  });
  if (!emptyDims.includes(0)) {
    throw new InputShapeError(`input "${v.name}" has the fixed shape [${emptyDims.join(', ')}] (a preallocated cache); export the decoder with a dynamic past length`);
  }
  return { name: v.name, role: 'past', elemType: elemType(v), emptyDims };
}

/** use_cache_branch: a boolean [1] that picks the no-cache branch of merged decoders. */
function planFlag(v: ValueInfo): PlannedInput {
  if (elemType(v) !== DataType.BOOL) throw new InputShapeError(`input "${v.name}" has element type ${elemType(v)}, not boolean`);
  return { name: v.name, role: 'use_cache_branch', elemType: DataType.BOOL };
}

/** cache_position: [sequence] positions of the new tokens. */
function planRank1(v: ValueInfo, role: InputRole): PlannedInput {
  const dims = v.type?.tensorType?.shape?.dim ?? [];
  if (dims.length !== 1) throw new InputShapeError(`input "${v.name}" has rank ${dims.length}; expected [sequence]`);
  return { name: v.name, role, elemType: elemType(v) };
}

function plan(v: ValueInfo, role: InputRole): PlannedInput {
  const dims = v.type?.tensorType?.shape?.dim ?? [];
  if (dims.length !== 2) {
    throw new InputShapeError(`input "${v.name}" has rank ${dims.length}; expected [batch, sequence]`);
  }
  const seq = dims[1];
  const fixed = seq.dimValue !== undefined && !seq.dimParam ? toNumber(seq.dimValue) : undefined;
  return { name: v.name, role, elemType: elemType(v), ...(fixed ? { fixedLength: fixed } : {}) };
}

/** Feeds for batch 1 and the given ids. */
export function makeFeeds(inputs: PlannedInput[], ids: ArrayLike<number>): Feeds {
  const n = ids.length;
  if (n === 0) throw new InputShapeError('no tokens to run the model on');
  for (let i = 0; i < n; i++) {
    if (!Number.isSafeInteger(ids[i]) || ids[i] < 0) throw new InputShapeError(`token id ${ids[i]} at position ${i} is not a vocabulary index`);
  }
  const feeds: Feeds = {};
  for (const p of inputs) {
    if (p.role === 'past') {
      const dims = p.emptyDims ?? [];
      feeds[p.name] = p.elemType === DataType.FLOAT16 ? { type: 'float16', dims, data: new Uint16Array(0) } : { type: 'float32', dims, data: new Float32Array(0) };
      continue;
    }
    if (p.role === 'use_cache_branch') {
      feeds[p.name] = { type: 'bool', dims: [1], data: new Uint8Array(1) };
      continue;
    }
    if (p.role === 'cache_position') {
      feeds[p.name] = { ...tensor(p.elemType, n, (i) => i), dims: [n] };
      continue;
    }
    if (p.fixedLength !== undefined && p.fixedLength !== n) {
      throw new InputShapeError(`the model was exported for exactly ${p.fixedLength} tokens (input "${p.name}"), got ${n}; export it with a dynamic sequence axis`);
    }
    const value = (i: number) => (p.role === 'ids' ? ids[i] : p.role === 'attention_mask' ? 1 : p.role === 'position_ids' ? i : 0);
    feeds[p.name] = tensor(p.elemType, n, value);
  }
  return feeds;
}

function tensor(elemType: number, n: number, value: (i: number) => number): TensorData {
  const dims = [1, n];
  switch (elemType) {
    case DataType.INT64: return { type: 'int64', dims, data: BigInt64Array.from({ length: n }, (_, i) => BigInt(value(i))) };
    case DataType.INT32: return { type: 'int32', dims, data: Int32Array.from({ length: n }, (_, i) => value(i)) };
    default: return { type: 'float32', dims, data: Float32Array.from({ length: n }, (_, i) => value(i)) };
  }
}
