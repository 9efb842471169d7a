// Adding graph outputs to a model without re-encoding it.
//
// Protobuf merges repeated occurrences of an embedded message field and appends to repeated
// fields, so the bytes of ModelProto{ graph: GraphProto{ output: [...] } } appended to a model
// add outputs while every other byte, including fields this project's schema does not describe,
// stays exactly as the exporter wrote it. (protobufjs itself does not merge on decode, which is
// one more reason the model is never decoded and re-encoded here.)
import { ModelProtoType } from './schema';

/** Returns a new array (never `model` itself), so callers may hand it to another thread. */
export function appendGraphOutputs(model: Uint8Array, names: string[]): Uint8Array {
  // Outputs carry only a name: onnxruntime infers their type and shape from the producing node.
  const extra = names.length === 0 ? new Uint8Array() : ModelProtoType.encode(
    ModelProtoType.fromObject({ graph: { output: names.map((name) => ({ name })) } }),
  ).finish();
  const out = new Uint8Array(model.length + extra.length);
  out.set(model, 0);
  out.set(extra, model.length);
  return out;
}
