// Tensors as plain data: what the graph planners produce for feeds and what the runtime returns.

export type TensorType = 'float32' | 'float16' | 'int64' | 'int32' | 'bool';

export interface TensorData {
  type: TensorType;
  dims: number[];
  /** float16 as its raw bits. */
  data: Float32Array | Uint16Array | BigInt64Array | Int32Array | Uint8Array;
}

export type Feeds = Record<string, TensorData>;
