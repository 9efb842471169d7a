// Messages between the extension host and its attention worker thread.
import type { LayerInput, LayerSpec } from '../core';

/** Host → worker: compute one sequence. */
export interface ComputeRequest {
  type: 'compute';
  id: number;
  input: LayerInput;
  spec: LayerSpec;
}

/** Worker → host: one sequence done; typed arrays are transferred, not copied. */
export interface ComputeReply {
  type: 'result';
  id: number;
  tokens: { text: string; start: number; end: number }[];
  heads: number;
  n: number;
  weights: Float32Array; // [H][N][N]
  elapsedMs: number;
}

/** Worker → host: the computation threw; `code` is the core's error code when it has one. */
export interface ComputeFailure {
  type: 'failure';
  id: number;
  message: string;
  code?: string;
}

export type ToWorker = ComputeRequest;
export type FromWorker = ComputeReply | ComputeFailure;
