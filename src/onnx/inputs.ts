// Feeding a transformer from token ids alone: the ids go to the ids input; attention_mask,
// token_type_ids and position_ids, when the graph requires them, are filled as a single
// unpadded sequence would have them. Any other required input is a typed error naming it.
import { MissingInputError, InputShapeError } from './errors';
import { toNumber, type Graph, type ValueInfo } from './proto';
import { DataType } from './schema';
import type { Feeds, TensorData } from './tensor';

export type InputRole = 'ids' | 'attention_mask' | 'token_type_ids' | 'position_ids';

export interface PlannedInput {
  name: string;
  role: InputRole;
  elemType: number;
  /** The sequence length the graph fixes for this input, if it fixes one. */
  fixedLength?: number;
}

const FILLED: ReadonlySet<string> = new Set(['attention_mask', 'token_type_ids', 'position_ids']);
const INTEGER = new Set<number>([DataType.INT64, DataType.INT32]);

export function planInputs(graph: Graph): PlannedInput[] {
  const initialized = new Set((graph.initializer ?? []).map((t) => t.name));
  // Before IR 4 initializers were listed as inputs too; those have defaults and are optional.
  const required = (graph.input ?? []).filter((v) => !initialized.has(v.name));
  const planned: PlannedInput[] = [];
  const unknown: ValueInfo[] = [];
  for (const v of required) {
    if (v.name === 'input_ids') planned.push(plan(v, 'ids'));
    else if (FILLED.has(v.name)) planned.push(plan(v, v.name as InputRole));
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
    const ok = p.role === 'attention_mask' ? INTEGER.has(p.elemType) || p.elemType === DataType.FLOAT : INTEGER.has(p.elemType);
    if (!ok) throw new InputShapeError(`input "${p.name}" has element type ${p.elemType}, which cannot be filled from token ids`);
  }
  return planned;
}

function elemType(v: ValueInfo): number {
  return v.type?.tensorType?.elemType ?? 0;
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
