// Typed views of the ONNX messages in ./schema, and the only places bytes become messages and back.
import { ModelProtoType } from './schema';
import { OnnxDecodeError } from './errors';

/** protobufjs gives 64-bit integers as numbers or as Long objects, depending on the build. */
export type Int64 = number | { toNumber(): number };

export interface OperatorSetId { domain?: string; version?: Int64 }
export interface Dimension { dimValue?: Int64; dimParam?: string }
export interface TensorShape { dim?: Dimension[] }
export interface TypeProto { tensorType?: { elemType?: number; shape?: TensorShape } }
export interface ValueInfo { name: string; type?: TypeProto; docString?: string }

export interface Tensor {
  name?: string;
  dims?: Int64[];
  dataType?: number;
  floatData?: number[];
  int32Data?: number[];
  int64Data?: Int64[];
  rawData?: Uint8Array;
  /** key/value pairs; "location" names the file when dataLocation is 1 (EXTERNAL). */
  externalData?: { key?: string; value?: string }[];
  dataLocation?: number;
}

export interface Attribute {
  name: string;
  type?: number;
  f?: number;
  i?: Int64;
  s?: Uint8Array;
  t?: Tensor;
  g?: Graph;
  floats?: number[];
  ints?: Int64[];
  graphs?: Graph[];
}

export interface Node {
  name?: string;
  opType: string;
  domain?: string;
  input?: string[];
  output?: string[];
  attribute?: Attribute[];
}

export interface Graph {
  name?: string;
  node?: Node[];
  initializer?: Tensor[];
  input?: ValueInfo[];
  output?: ValueInfo[];
  valueInfo?: ValueInfo[];
}

export interface Model {
  irVersion?: Int64;
  producerName?: string;
  producerVersion?: string;
  graph?: Graph;
  opsetImport?: OperatorSetId[];
}

export function toNumber(v: Int64 | undefined): number {
  if (v === undefined) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

export function encodeModel(model: Model): Uint8Array {
  const err = ModelProtoType.verify(model);
  if (err) throw new Error(`internal: ONNX model does not match the schema: ${err}`);
  // A plain Uint8Array of its own: in Node the writer may hand back a Buffer from a shared pool.
  return new Uint8Array(ModelProtoType.encode(ModelProtoType.fromObject(model)).finish());
}

/**
 * Decodes a model, or throws OnnxDecodeError. Protobuf accepts many random byte strings as a valid
 * (mostly empty) message, so a model without a graph or without nodes is rejected too.
 */
export function decodeModel(bytes: Uint8Array): Model {
  let model: Model;
  try {
    model = ModelProtoType.decode(bytes) as unknown as Model;
  } catch (e) {
    throw new OnnxDecodeError(`not an ONNX model: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!model.graph || !model.graph.node || model.graph.node.length === 0) {
    throw new OnnxDecodeError('not an ONNX model: no graph with nodes was found in the file');
  }
  return model;
}

export function attr(node: Node, name: string): Attribute | undefined {
  return node.attribute?.find((a) => a.name === name);
}

/** The opset version the model imports for a domain ('' is the default ai.onnx domain). */
export function opsetVersion(model: Model, domain = ''): number | undefined {
  const d = domain === 'ai.onnx' ? '' : domain;
  const entry = model.opsetImport?.find((o) => (o.domain ?? '') === d || (d === '' && o.domain === 'ai.onnx'));
  return entry ? toNumber(entry.version) : undefined;
}

/** The graphs a node holds in its attributes (If's branches, Loop's and Scan's bodies). */
export function subgraphs(node: Node): Graph[] {
  return (node.attribute ?? []).flatMap((a) => [...(a.g ? [a.g] : []), ...(a.graphs ?? [])]);
}
