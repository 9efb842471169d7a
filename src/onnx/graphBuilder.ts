// A small helper for writing ONNX graphs by hand: each call adds one node and returns the name of
// its output, so a graph reads like the computation it performs.
import { AttributeType, DataType } from './schema';
import type { Attribute, Graph, Node, Tensor, ValueInfo } from './proto';

/** A tensor dimension: a fixed size or the name of a dynamic axis. */
export type Dim = number | string;

export type AttrValue = number | number[] | { float: number } | { floats: number[] };

export class GraphBuilder {
  private readonly nodes: Node[] = [];
  private readonly initializers: Tensor[] = [];
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private counter = 0;

  /**
   * `prefix` starts every name the builder makes (nodes, outputs, constants), and makes constant
   * names unique: for operators added to someone else's graph, whose names must not clash.
   */
  constructor(private readonly name: string, readonly prefix = '') {}

  /** How many nodes and constants so far: a counter for callers that make names of their own. */
  size(): number {
    return this.nodes.length + this.initializers.length;
  }

  private constName(name: string): string {
    return this.prefix ? `${this.prefix}${name}_${this.counter++}` : name;
  }

  input(name: string, elemType: number, shape: Dim[]): string {
    this.inputs.push(valueInfo(name, elemType, shape));
    return name;
  }

  output(name: string, elemType: number, shape: Dim[]): void {
    this.outputs.push(valueInfo(name, elemType, shape));
  }

  /** A float32 initializer. The bytes are copied, so later changes to `data` do not leak in. */
  float(name: string, data: Float32Array, dims: number[]): string {
    name = this.constName(name);
    const rawData = new Uint8Array(data.byteLength);
    rawData.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    this.initializers.push({ name, dims, dataType: DataType.FLOAT, rawData });
    return name;
  }

  /** An int64 initializer; pass dims [] for a scalar. */
  int64(name: string, values: number[], dims: number[] = [values.length]): string {
    name = this.constName(name);
    this.initializers.push({ name, dims, dataType: DataType.INT64, int64Data: values });
    return name;
  }

  /** Adds a node; `out` names its (single) output, or a fresh name is made from the op type. */
  op(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, out?: string): string {
    const output = out ?? `${this.prefix}${opType.toLowerCase()}_${this.counter++}`;
    const attribute = Object.entries(attrs).map(([name, v]) => attribute_(name, v));
    this.nodes.push({ name: `${this.prefix}${opType}_${this.nodes.length}`, opType, input: inputs, output: [output], attribute });
    return output;
  }

  build(): Graph {
    return { name: this.name, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs };
  }
}

function valueInfo(name: string, elemType: number, shape: Dim[]): ValueInfo {
  const dim = shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType, shape: { dim } } } };
}

function attribute_(name: string, v: AttrValue): Attribute {
  if (typeof v === 'number') return { name, type: AttributeType.INT, i: v };
  if (Array.isArray(v)) return { name, type: AttributeType.INTS, ints: v };
  if ('float' in v) return { name, type: AttributeType.FLOAT, f: v.float };
  return { name, type: AttributeType.FLOATS, floats: v.floats };
}
