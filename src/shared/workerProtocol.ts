// Messages between the extension host and its attention worker threads. A worker computes the
// built-in layer and hands its weights back, or (for runs too large to send anywhere) keeps them
// and answers the tiles and summaries the panel asks for.
import type { LayerInput, LayerSpec } from '../core';
import type { AccumulatorState } from '../core/pooling';
import type { Tile, Window } from '../core/tiles';
import type { MatrixChoice, MatrixFilters } from './protocol';

/** Host → worker: compute one sequence; with `keep`, keep its weights here instead of returning them. */
export interface ComputeRequest {
  type: 'compute';
  id: number;
  input: LayerInput;
  spec: LayerSpec;
  /** Which sequence of its run this is (1-based), for messages about a query of it. */
  sequence?: number;
  /** Keep the weights blockwise in this worker; `overview` blocks per side are pooled on the way. */
  keep?: { overview: number };
}

/** Host → worker: a tile of the kept run (see protocol.ts RequestTileMessage). */
export interface TileRequest {
  type: 'tile';
  id: number;
  choice: MatrixChoice;
  filters: MatrixFilters;
  window: Window;
  rows: number;
  cols: number;
}

/** Host → worker: per-head summaries of the kept run. */
export interface StatsRequest {
  type: 'stats';
  id: number;
  causal: boolean;
}

/** Worker → host: one sequence done; typed arrays are transferred, not copied. */
export interface ComputeReply {
  type: 'result';
  id: number;
  tokens: { text: string; start: number; end: number }[];
  heads: number;
  n: number;
  /** [H][N][N]; empty when the worker keeps them. */
  weights: Float32Array;
  elapsedMs: number;
}

export interface TileReply {
  type: 'tile';
  id: number;
  tile: Tile;
  peak: number;
}

export interface StatsReply {
  type: 'stats';
  id: number;
  entropy: Float32Array; // [H]
  sparsity: Float32Array; // [H]
  max: Float32Array; // [H]
}

/** Worker → host: the computation threw; `code` is the core's error code when it has one. */
export interface ComputeFailure {
  type: 'failure';
  id: number;
  message: string;
  code?: string;
}

/** A worker keeping a layer → a helper thread it started: compute query rows r0 … r1 − 1 of it. */
export interface PartRequest {
  type: 'part';
  id: number;
  input: LayerInput;
  spec: LayerSpec;
  overview: number;
  rows: [number, number];
}

/** Helper → worker: its slice (q, k and v stay behind: the worker projects its own). */
export interface PartReply {
  type: 'part';
  id: number;
  rows: [number, number];
  rowMax: Float32Array; // [H][N], filled for its rows
  rowSum: Float64Array; // [H][N]
  output: Float32Array; // [N][d_model], filled for its rows
  pools: AccumulatorState[]; // per head
}

export type ToWorker = ComputeRequest | TileRequest | StatsRequest | PartRequest;
export type WorkerReply = ComputeReply | TileReply | StatsReply | PartReply;
export type FromWorker = WorkerReply | ComputeFailure;
