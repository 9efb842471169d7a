// The subset of the ONNX protobuf schema (onnx/onnx.proto, IR version 8+) that exporting and
// inspecting attention graphs needs, as a protobufjs JSON descriptor. Field numbers follow the
// ONNX specification exactly; messages and fields not listed here are skipped when decoding,
// which is why this module never re-encodes a model it did not build itself.
import { Root, type Type } from 'protobufjs/light';

const stringStringEntry = {
  fields: {
    key: { type: 'string', id: 1 },
    value: { type: 'string', id: 2 },
  },
};

const operatorSetId = {
  fields: {
    domain: { type: 'string', id: 1 },
    version: { type: 'int64', id: 2 },
  },
};

const tensorShape = {
  fields: {
    dim: { rule: 'repeated', type: 'Dimension', id: 1 },
  },
  nested: {
    Dimension: {
      oneofs: { value: { oneof: ['dimValue', 'dimParam'] } },
      fields: {
        dimValue: { type: 'int64', id: 1 },
        dimParam: { type: 'string', id: 2 },
        denotation: { type: 'string', id: 3 },
      },
    },
  },
};

const typeProto = {
  oneofs: { value: { oneof: ['tensorType'] } },
  fields: {
    tensorType: { type: 'Tensor', id: 1 },
    denotation: { type: 'string', id: 6 },
  },
  nested: {
    Tensor: {
      fields: {
        elemType: { type: 'int32', id: 1 },
        shape: { type: 'TensorShapeProto', id: 2 },
      },
    },
  },
};

const valueInfo = {
  fields: {
    name: { type: 'string', id: 1 },
    type: { type: 'TypeProto', id: 2 },
    docString: { type: 'string', id: 3 },
  },
};

const tensor = {
  fields: {
    dims: { rule: 'repeated', type: 'int64', id: 1 },
    dataType: { type: 'int32', id: 2 },
    floatData: { rule: 'repeated', type: 'float', id: 4 },
    int32Data: { rule: 'repeated', type: 'int32', id: 5 },
    stringData: { rule: 'repeated', type: 'bytes', id: 6 },
    int64Data: { rule: 'repeated', type: 'int64', id: 7 },
    name: { type: 'string', id: 8 },
    rawData: { type: 'bytes', id: 9 },
    doubleData: { rule: 'repeated', type: 'double', id: 10 },
    uint64Data: { rule: 'repeated', type: 'uint64', id: 11 },
    docString: { type: 'string', id: 12 },
    externalData: { rule: 'repeated', type: 'StringStringEntryProto', id: 13 },
    dataLocation: { type: 'int32', id: 14 },
  },
};

const attribute = {
  fields: {
    name: { type: 'string', id: 1 },
    f: { type: 'float', id: 2 },
    i: { type: 'int64', id: 3 },
    s: { type: 'bytes', id: 4 },
    t: { type: 'TensorProto', id: 5 },
    g: { type: 'GraphProto', id: 6 },
    floats: { rule: 'repeated', type: 'float', id: 7 },
    ints: { rule: 'repeated', type: 'int64', id: 8 },
    strings: { rule: 'repeated', type: 'bytes', id: 9 },
    tensors: { rule: 'repeated', type: 'TensorProto', id: 10 },
    graphs: { rule: 'repeated', type: 'GraphProto', id: 11 },
    docString: { type: 'string', id: 13 },
    tp: { type: 'TypeProto', id: 14 },
    type: { type: 'int32', id: 20 },
    refAttrName: { type: 'string', id: 21 },
  },
};

const node = {
  fields: {
    input: { rule: 'repeated', type: 'string', id: 1 },
    output: { rule: 'repeated', type: 'string', id: 2 },
    name: { type: 'string', id: 3 },
    opType: { type: 'string', id: 4 },
    attribute: { rule: 'repeated', type: 'AttributeProto', id: 5 },
    docString: { type: 'string', id: 6 },
    domain: { type: 'string', id: 7 },
    overload: { type: 'string', id: 8 },
  },
};

const graph = {
  fields: {
    node: { rule: 'repeated', type: 'NodeProto', id: 1 },
    name: { type: 'string', id: 2 },
    initializer: { rule: 'repeated', type: 'TensorProto', id: 5 },
    docString: { type: 'string', id: 10 },
    input: { rule: 'repeated', type: 'ValueInfoProto', id: 11 },
    output: { rule: 'repeated', type: 'ValueInfoProto', id: 12 },
    valueInfo: { rule: 'repeated', type: 'ValueInfoProto', id: 13 },
  },
};

const model = {
  fields: {
    irVersion: { type: 'int64', id: 1 },
    producerName: { type: 'string', id: 2 },
    producerVersion: { type: 'string', id: 3 },
    domain: { type: 'string', id: 4 },
    modelVersion: { type: 'int64', id: 5 },
    docString: { type: 'string', id: 6 },
    graph: { type: 'GraphProto', id: 7 },
    opsetImport: { rule: 'repeated', type: 'OperatorSetIdProto', id: 8 },
    metadataProps: { rule: 'repeated', type: 'StringStringEntryProto', id: 14 },
  },
};

const root = Root.fromJSON({
  nested: {
    onnx: {
      nested: {
        StringStringEntryProto: stringStringEntry,
        OperatorSetIdProto: operatorSetId,
        TensorShapeProto: tensorShape,
        TypeProto: typeProto,
        ValueInfoProto: valueInfo,
        TensorProto: tensor,
        AttributeProto: attribute,
        NodeProto: node,
        GraphProto: graph,
        ModelProto: model,
      },
    },
  },
});

/** The protobufjs message types, resolved once. */
export const ModelProtoType: Type = root.lookupType('onnx.ModelProto');
export const GraphProtoType: Type = root.lookupType('onnx.GraphProto');

/** TensorProto.DataType values this project reads or writes. */
export const DataType = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  INT32: 6,
  INT64: 7,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
} as const;

/** AttributeProto.AttributeType values. */
export const AttributeType = {
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  GRAPH: 5,
  FLOATS: 6,
  INTS: 7,
  STRINGS: 8,
  TENSORS: 9,
  GRAPHS: 10,
} as const;
