// Adding graph outputs, nodes and constants to a model without re-encoding it.
//
// Protobuf merges repeated occurrences of an embedded message field and appends to repeated
// fields, so the bytes of ModelProto{ graph: GraphProto{ output: [...] } } appended to a model
// add outputs while every other byte, including fields this project's schema does not describe,
// stays exactly as the exporter wrote it. (protobufjs itself does not merge on decode, which is
// one more reason the model is never decoded and re-encoded here.)
import type { Node, Tensor } from './proto';
import { ModelProtoType } from './schema';

export interface GraphAdditions {
  /** Tensors to fetch as graph outputs. */
  outputs: string[];
  /** Operators to add; onnxruntime orders the graph's nodes itself, so they may go at the end. */
  nodes?: Node[];
  initializers?: Tensor[];
}

/** Returns a new array (never `model` itself), so callers may hand it to another thread. */
export function appendToGraph(model: Uint8Array, add: GraphAdditions): Uint8Array {
  // Outputs carry only a name: onnxruntime infers their type and shape from the producing node.
  const graph = {
    output: add.outputs.map((name) => ({ name })),
    ...(add.nodes?.length ? { node: add.nodes } : {}),
    ...(add.initializers?.length ? { initializer: add.initializers } : {}),
  };
  const empty = add.outputs.length === 0 && !add.nodes?.length && !add.initializers?.length;
  const extra = empty ? new Uint8Array() : ModelProtoType.encode(ModelProtoType.fromObject({ graph })).finish();
  const out = new Uint8Array(model.length + extra.length);
  out.set(model, 0);
  out.set(extra, model.length);
  return out;
}
