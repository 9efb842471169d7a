// The one message protocol between the extension host and the explorer webview.
// Every message has a discriminating `type`; the host checks the shape of everything it receives
// (isFromWebview) before acting on it, because a webview is untrusted content.
// Numbers travel as typed arrays; shapes are given in the comments.
import type { Tile, Window } from '../core/tiles';
import { isKvHeadsList } from './headGroups';
import { WEBGPU_FALLBACK_REASONS, type WebGpuFallbackReason, type WebGpuLayerInput } from './webgpu';

/** One computed sequence as it crosses to the webview. */
export interface SequencePayload {
  /** Display label, e.g. "Line 3". */
  label: string;
  tokens: string[];
  /** [N][2]: start and end (UTF-16, end exclusive) of each token in the sequence's text; -1 when it has none. */
  offsets: Int32Array;
  /** [N]: 1 for tokens a tokenizer adds ([CLS], <s> …), 0 for tokens of the text. */
  special: Uint8Array;
  layers: number;
  heads: number;
  /**
   * [L]: key/value heads of each layer when query heads share them (grouped-query attention);
   * absent when none are shared. Each divides `heads`: see isSequencePayloadKvHeads.
   */
  kvHeads?: number[];
  n: number;
  /**
   * [L][H][N][N], row q of head h of layer l holds query q's weights over keys; empty when the
   * weights stay in the host (`remote`), where the views ask for the tiles they draw.
   */
  weights: Float32Array;
  /** True when the weights stay in the host: too many to send, the views ask for tiles. */
  remote?: boolean;
  /** True when the host can take one head apart step by step (the built-in layer, a model that gives its q, k, v). */
  steps: boolean;
  /** The run's own attention is causal (the built-in layer's mask, or a model whose weights hide every later key): where step by step starts. */
  causal?: boolean;
  /** The name of the file the weights were read from (Open Attention Data): no text, no layer to recompute. */
  file?: string;
}

/** Which [N][N] matrix of a sequence a view draws: one head, the heads' mean or max, or the rollout. */
export interface MatrixChoice {
  layer: number;
  /** A head index; ignored for an aggregate or the rollout. */
  head: number;
  aggregate: 'none' | 'mean' | 'max';
  rollout: boolean;
}

/** Weights hidden before drawing: below a threshold, outside each row's top k, special tokens. */
export interface MatrixFilters {
  threshold: number;
  topK: number;
  hideSpecial: boolean;
}

export interface RenderSettings {
  heads: number;
  dModel: number;
  seed: number;
  mask: string;
  /** What ran: an engine, or for a model its label and backend ("learned, bidirectional, … · onnx-wasm"). */
  engine: string;
  /** True when a model ran: the run line names it rather than the built-in layer's settings. */
  model?: boolean;
}

/** Localized strings the webview shows; the host fills them with vscode.l10n. */
export interface WebviewStrings {
  head: string;
  layer: string;
  query: string;
  key: string;
  weight: string;
  noData: string;
  tokens: string;
  heatmapLabel: string;
  /** "KV head 2 of 4": the key/value head a query head shares (grouped-query attention). */
  kvHead: string;
  // Views and controls.
  view: string;
  viewHeatmaps: string;
  viewModel: string;
  viewLines: string;
  viewSteps: string;
  viewCompare: string;
  sequence: string;
  allHeads: string;
  aggregate: string;
  aggregateNone: string;
  aggregateMean: string;
  aggregateMax: string;
  threshold: string;
  topK: string;
  hideSpecial: string;
  rollout: string;
  rolloutNeedsLayers: string;
  sortBy: string;
  sortLayerOrder: string;
  entropy: string;
  sparsity: string;
  maxWeight: string;
  thumbLabel: string;
  modelHint: string;
  linesHint: string;
  linesTooMany: string;
  headToggle: string;
  legendLabel: string;
  /** While a view waits for the heads it draws from weights kept in the host. */
  fetching: string;
  /** An empty panel while its first run is computed. */
  computing: string;
  // Zooming into a heatmap of weights kept in the host.
  zoomIn: string;
  zoomOut: string;
  zoomFit: string;
  minimap: string;
  /** The window on screen: queries {0}–{1} × keys {2}–{3}. */
  zoomWindow: string;
  /** Short word after a heatmap's caption and on the legend: "max 0.965". */
  max: string;
  /** The line above the views: engine {0}, d_model {1}, heads {2}, mask {3}, seed {4}, {5} ms. */
  runInfo: string;
  /** The run line of a model: its label and backend, then the time. */
  runInfoModel: string;
  /** The line above the views for weights read from a file: file {0}, {1} layers, {2} heads, {3} tokens. */
  runInfoFile: string;
  difference: string;
  compareA: string;
  compareB: string;
  compareNeedsSameLength: string;
  /** Compare of sequences too long to fetch their heads exact: {0} tokens, {1} the most. */
  compareTooLong: string;
  meanOfHeads: string;
  maxOfHeads: string;
  // Step by step.
  stepsTitle: string;
  stepsLayerTitle: string;
  stepsScale: string;
  stepsCausal: string;
  stepsUnavailable: string;
  /** Why a sequence read from file {0} has no step by step. */
  stepsFromFile: string;
  stepsTooLong: string;
  stepsLoading: string;
  stepNames: StepTexts;
  stepExplanations: StepTexts;
  cost: string;
}

/** One text per step of the step-by-step view, in order. */
export interface StepTexts {
  qkv: string;
  scores: string;
  scaled: string;
  masked: string;
  softmax: string;
  weighted: string;
  output: string;
}

/**
 * Where a run's text came from, kept in the webview's saved state so that after a window reload
 * the host can run it again (the weights themselves are too large to save).
 */
export interface RunRecord {
  sources: { uri: string; range: [number, number, number, number]; label: string }[];
  /** The file a run of Open Attention Data read (then `sources` is empty): a reload reads it again. */
  file?: string;
}

/** Host → webview: show these sequences (replaces what was shown). */
export interface ShowMessage {
  type: 'show';
  requestId: number;
  sequences: SequencePayload[];
  settings: RenderSettings;
  elapsedMs: number;
  record?: RunRecord;
}

/** Host → webview: the localized string table, sent in answer to `ready`. */
export interface InitMessage {
  type: 'init';
  strings: WebviewStrings;
}

/** Host → webview: a run is being computed; an empty panel says so instead of its hint. */
export interface ComputingMessage {
  type: 'computing';
}

/** Steps keep several N × N matrices: beyond this many tokens they cost more memory than they teach. */
export const MAX_STEP_TOKENS = 512;

/** Every intermediate of one head, for the step-by-step view. */
export interface StepsPayload {
  sequence: number;
  /** The attention layer (graph order); 0 for the built-in layer. */
  layer: number;
  head: number;
  n: number;
  dHead: number;
  scale: boolean;
  causal: boolean;
  q: Float32Array; // [N][d_head]
  k: Float32Array; // [N][d_head]
  v: Float32Array; // [N][d_head]
  scores: Float32Array; // [N][N]
  scaled: Float32Array; // [N][N]
  masked: Float32Array; // [N][N], -Infinity where hidden
  weights: Float32Array; // [N][N]
  output: Float32Array; // [N][d_head]
}

/** Host → webview: the answer to a `requestSteps` with the same requestId. */
export interface StepsMessage {
  type: 'steps';
  requestId: number;
  steps?: StepsPayload;
  error?: string;
}

export type ExportImageFormat = 'png' | 'svg';

/** Host → webview: render the current view as an image, or report the view's state. */
export interface ExportRequestMessage {
  type: 'exportRequest';
  requestId: number;
  format: ExportImageFormat | 'state';
}

/** Host → webview: run an ONNX graph with onnxruntime-web's WebGPU backend, in the panel. */
export interface RunOnnxMessage extends WebGpuLayerInput {
  type: 'runOnnx';
  requestId: number;
  /** Webview URIs of the ORT bundle (loaded on first use) and of its .wasm binary. */
  ortScript: string;
  ortWasm: string;
  /** For tests of the fallback: act as if requestAdapter() had found no adapter. */
  simulateNoAdapter?: boolean;
}

/** Host → webview: the answer to a `requestTile` with the same requestId. */
export interface TileMessage {
  type: 'tile';
  requestId: number;
  tile?: Tile;
  /** Largest weight of the whole matrix (the colour scale's top), sent with full-window tiles. */
  peak?: number;
  error?: string;
}

/** Host → webview: the answer to a `requestStats`: per-head summaries, each [L][H]. */
export interface StatsMessage {
  type: 'stats';
  requestId: number;
  entropy?: Float32Array;
  sparsity?: Float32Array;
  max?: Float32Array;
  error?: string;
}

export type ToWebview =
  | ShowMessage | InitMessage | ComputingMessage | StepsMessage | ExportRequestMessage | RunOnnxMessage | TileMessage | StatsMessage;

/** Webview → host: the script has loaded and can receive messages. */
export interface ReadyMessage {
  type: 'ready';
}

/** How long drawing took in the webview, from the `show` message arriving (ms). */
export interface RenderTimings {
  firstHeatmapMs: number;
  allMs: number;
  /** Wall clock (Date.now()) when the first heatmap's cells were on screen: the end of what a person waits for. */
  firstDrawnAt?: number;
}

/** Webview → host: a `show` was drawn; counts are read back from what was rendered. */
export interface RenderedMessage {
  type: 'rendered';
  requestId: number;
  sequences: { tokens: number; heads: number; drawnCanvases: number }[];
  timings?: RenderTimings;
}

/** Webview → host: something failed while drawing. */
export interface ErrorMessage {
  type: 'error';
  message: string;
}

/** Webview → host: recompute one head of one sequence step by step. */
export interface RequestStepsMessage {
  type: 'requestSteps';
  requestId: number;
  sequence: number;
  /** The attention layer (graph order) of a model; 0 for the built-in layer. */
  layer: number;
  head: number;
  scale: boolean;
  causal: boolean;
}

/** Webview → host: highlight these tokens of a sequence in the editor. */
export interface RevealTokensMessage {
  type: 'revealTokens';
  sequence: number;
  tokens: number[];
}

/** Webview → host: the answer to an `exportRequest`. */
export interface ExportReplyMessage {
  type: 'exportReply';
  requestId: number;
  /** The sequence the view shows, so data exports write the same one. */
  sequence: number;
  /** PNG as a data: URL, SVG as text, or (for `state`) the view state as JSON. */
  data?: string;
  /** The page's CSS variables and body class, so a standalone copy looks the same. */
  theme?: { variables: string; bodyClass: string };
  error?: string;
}

/**
 * Webview → host: the answer to a `runOnnx`: the weights and how long session and run took, or
 * why WebGPU could not run (the host then runs the WASM backend and says why).
 */
export interface OnnxReplyMessage {
  type: 'onnxReply';
  requestId: number;
  weights?: Float32Array; // [1][H][N][N]
  elapsedMs?: number;
  /** The adapter that ran, e.g. "google swiftshader". */
  adapter?: string;
  fallback?: WebGpuFallbackReason;
  detail?: string;
}

/**
 * Webview → host: a window of one matrix of a sequence whose weights stay in the host, pooled to
 * at most rows × cols blocks (block max and mean), filtered as the view shows it.
 */
export interface RequestTileMessage {
  type: 'requestTile';
  requestId: number;
  /** The requestId of the `show` that brought the sequence: a newer run's weights never answer it. */
  run: number;
  sequence: number;
  choice: MatrixChoice;
  filters: MatrixFilters;
  window: Window;
  rows: number;
  cols: number;
}

/** Webview → host: per-head entropy, sparsity and largest weight of a sequence kept in the host. */
export interface RequestStatsMessage {
  type: 'requestStats';
  requestId: number;
  /** As in RequestTileMessage. */
  run: number;
  sequence: number;
  causal: boolean;
}

export type FromWebview =
  | ReadyMessage | RenderedMessage | ErrorMessage | RequestStepsMessage | RevealTokensMessage | ExportReplyMessage
  | OnnxReplyMessage | RequestTileMessage | RequestStatsMessage;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

function isShortString(v: unknown, max: number): v is string {
  return typeof v === 'string' && v.length <= max;
}

/** Images of a view may be large, but not unbounded. */
const MAX_EXPORT_CHARS = 256 * 2 ** 20;

function isTimings(v: unknown): boolean {
  return v === undefined || (
    isObject(v) && typeof v.firstHeatmapMs === 'number' && typeof v.allMs === 'number' &&
    (v.firstDrawnAt === undefined || typeof v.firstDrawnAt === 'number')
  );
}

function isExportReply(v: Record<string, unknown>): boolean {
  const theme = v.theme;
  return (
    isCount(v.requestId) &&
    isCount(v.sequence) &&
    (v.data === undefined || isShortString(v.data, MAX_EXPORT_CHARS)) &&
    (v.error === undefined || isShortString(v.error, 10_000)) &&
    (theme === undefined ||
      (isObject(theme) && isShortString(theme.variables, 1_000_000) && isShortString(theme.bodyClass, 1_000)))
  );
}

/** [1][H][N][N] float32 within wasm32's 4 GiB; the host also checks it against H, N. */
const MAX_ONNX_WEIGHTS = 2 ** 30;

function isOnnxReply(v: Record<string, unknown>): boolean {
  return (
    isCount(v.requestId) &&
    (v.weights === undefined || (v.weights instanceof Float32Array && v.weights.length <= MAX_ONNX_WEIGHTS)) &&
    (v.elapsedMs === undefined || (typeof v.elapsedMs === 'number' && Number.isFinite(v.elapsedMs) && v.elapsedMs >= 0)) &&
    (v.adapter === undefined || isShortString(v.adapter, 200)) &&
    (v.fallback === undefined || WEBGPU_FALLBACK_REASONS.some((r) => r === v.fallback)) &&
    (v.detail === undefined || isShortString(v.detail, 2_000)) &&
    // Either weights or a reason to fall back, never both.
    (v.weights === undefined) !== (v.fallback === undefined)
  );
}

/** A tile is drawn on a screen: a few thousand blocks a side at most. */
const MAX_TILE_SIDE = 4096;

function isWindow(v: unknown): boolean {
  return isObject(v) && isCount(v.q0) && isCount(v.q1) && isCount(v.k0) && isCount(v.k1) && v.q0 < v.q1 && v.k0 < v.k1;
}

function isTileRequest(v: Record<string, unknown>): boolean {
  const c = v.choice;
  const f = v.filters;
  return (
    isCount(v.requestId) && isCount(v.run) && isCount(v.sequence) && isWindow(v.window) &&
    isCount(v.rows) && isCount(v.cols) && v.rows >= 1 && v.cols >= 1 && v.rows <= MAX_TILE_SIDE && v.cols <= MAX_TILE_SIDE &&
    isObject(c) && isCount(c.layer) && isCount(c.head) && ['none', 'mean', 'max'].includes(c.aggregate as string) &&
    typeof c.rollout === 'boolean' &&
    isObject(f) && typeof f.threshold === 'number' && f.threshold >= 0 && f.threshold <= 1 && isCount(f.topK) &&
    typeof f.hideSpecial === 'boolean'
  );
}

/** Shape check for untrusted messages from the webview. */
export function isFromWebview(v: unknown): v is FromWebview {
  if (!isObject(v)) return false;
  switch (v.type) {
    case 'ready':
      return true;
    case 'error':
      return isShortString(v.message, 10_000);
    case 'rendered':
      return (
        isCount(v.requestId) &&
        Array.isArray(v.sequences) &&
        v.sequences.length <= 10_000 &&
        v.sequences.every(
          (s: unknown) => isObject(s) && isCount(s.tokens) && isCount(s.heads) && isCount(s.drawnCanvases),
        ) &&
        isTimings(v.timings)
      );
    case 'requestSteps':
      return (
        isCount(v.requestId) && isCount(v.sequence) && isCount(v.layer) && isCount(v.head) &&
        typeof v.scale === 'boolean' && typeof v.causal === 'boolean'
      );
    case 'revealTokens':
      return isCount(v.sequence) && Array.isArray(v.tokens) && v.tokens.length <= 16 && v.tokens.every(isCount);
    case 'exportReply':
      return isExportReply(v);
    case 'onnxReply':
      return isOnnxReply(v);
    case 'requestTile':
      return isTileRequest(v);
    case 'requestStats':
      return isCount(v.requestId) && isCount(v.run) && isCount(v.sequence) && typeof v.causal === 'boolean';
    default:
      return false;
  }
}

/** Shape check for a run record read back from saved state (untrusted like any webview data). */
export function isRunRecord(v: unknown): v is RunRecord {
  return (
    isObject(v) &&
    Array.isArray(v.sources) &&
    v.sources.length <= 1_000 &&
    (v.file === undefined || isShortString(v.file, 10_000)) &&
    v.sources.every(
      (s: unknown) =>
        isObject(s) &&
        isShortString(s.uri, 10_000) &&
        isShortString(s.label, 1_000) &&
        Array.isArray(s.range) &&
        s.range.length === 4 &&
        s.range.every(isCount),
    )
  );
}

/**
 * Whether a sequence's `kvHeads` fit it: absent, or one entry per layer, each a whole number ≥ 1
 * that divides its heads. The host checks what it sends, the webview what it is given to show
 * (a standalone copy's data can be edited by hand).
 */
export function isSequenceKvHeads(seq: Pick<SequencePayload, 'layers' | 'heads' | 'kvHeads'>): boolean {
  return seq.kvHeads === undefined || isKvHeadsList(seq.kvHeads, seq.layers, seq.heads);
}

/** Throws when a sequence's `kvHeads` do not fit it (see isSequenceKvHeads), naming the sequence. */
export function checkSequenceKvHeads(seq: Pick<SequencePayload, 'label' | 'layers' | 'heads' | 'kvHeads'>): void {
  if (isSequenceKvHeads(seq)) return;
  throw new RangeError(
    `${seq.label}: kvHeads must list ${seq.layers} key/value head counts, each a whole number ≥ 1 that divides ${seq.heads} heads; got ${JSON.stringify(seq.kvHeads)}`,
  );
}
