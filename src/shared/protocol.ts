// The one message protocol between the extension host and the explorer webview.
// Every message has a discriminating `type`; the host checks the shape of everything it receives
// (isFromWebview) before acting on it, because a webview is untrusted content.
// Numbers travel as typed arrays; shapes are given in the comments.
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
  n: number;
  weights: Float32Array; // [L][H][N][N], row q of head h of layer l holds query q's weights over keys
  /** True when the host can recompute one head step by step (the built-in layer). */
  steps: boolean;
}

export interface RenderSettings {
  heads: number;
  dModel: number;
  seed: number;
  mask: string;
  engine: string;
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
  /** Short word after a heatmap's caption and on the legend: "max 0.965". */
  max: string;
  /** The line above the views: engine {0}, d_model {1}, heads {2}, mask {3}, seed {4}, {5} ms. */
  runInfo: string;
  /** Shown while weights travel to the panel: {0} megabytes. */
  incoming: string;
  difference: string;
  compareA: string;
  compareB: string;
  compareNeedsSameLength: string;
  meanOfHeads: string;
  maxOfHeads: string;
  // Step by step.
  stepsTitle: string;
  stepsScale: string;
  stepsCausal: string;
  stepsUnavailable: string;
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

/**
 * Host → webview: tens of megabytes of weights are on their way (they take seconds where the
 * window runs in a browser); the panel says so until the `show` that carries them arrives.
 */
export interface IncomingMessage {
  type: 'incoming';
  megabytes: number;
}

/** Every intermediate of one head, for the step-by-step view. */
export interface StepsPayload {
  sequence: number;
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

export type ToWebview = ShowMessage | InitMessage | IncomingMessage | StepsMessage | ExportRequestMessage | RunOnnxMessage;

/** Webview → host: the script has loaded and can receive messages. */
export interface ReadyMessage {
  type: 'ready';
}

/** How long drawing took in the webview, from the `show` message arriving (ms). */
export interface RenderTimings {
  firstHeatmapMs: number;
  allMs: number;
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

export type FromWebview =
  | ReadyMessage | RenderedMessage | ErrorMessage | RequestStepsMessage | RevealTokensMessage | ExportReplyMessage
  | OnnxReplyMessage;

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
  return v === undefined || (isObject(v) && typeof v.firstHeatmapMs === 'number' && typeof v.allMs === 'number');
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
        isCount(v.requestId) && isCount(v.sequence) && isCount(v.head) &&
        typeof v.scale === 'boolean' && typeof v.causal === 'boolean'
      );
    case 'revealTokens':
      return isCount(v.sequence) && Array.isArray(v.tokens) && v.tokens.length <= 16 && v.tokens.every(isCount);
    case 'exportReply':
      return isExportReply(v);
    case 'onnxReply':
      return isOnnxReply(v);
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
