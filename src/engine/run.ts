// The one entry point that runs attention: the built-in layer on any engine, or a user's ONNX
// model. The extension (panel, notebooks), the command line and the benchmark all call
// runAttention; what differs between them (a worker thread for the core, the panel for WebGPU,
// a cancellation token) comes in through EngineEnv, never as a second copy of the run.
import {
  appliedSpec, buildLayer, checkAttentionOutcome, checkRunMemory, estimateKeptBytes, headStepsFromQkv, inputTokens, layerWeights, runLayer,
  type BuiltLayer, type HeadSteps, type LayerInput, type LayerSpec, type LayerWeights, type Token,
} from '../core';
import { InputError } from '../core/errors';
import { chooseEngine } from '../onnx/enginePolicy';
import { exportAttentionModel } from '../onnx/export';
import { qkvOutputNames, type LayerAttention } from '../onnx/attentionRun';
import type { TensorData } from '../onnx/tensor';
import { openAttention, type OpenedAttention } from '../onnx/node/extractAttention';
import type { OrtWorkerClient } from '../onnx/node/ortWorkerClient';
import { runCaseOnnx } from '../onnx/node/runCase';
import { OVERVIEW_BLOCKS, type Tile, type Window } from '../core/tiles';
import type { HeadStats } from '../shared/matrices';
import type { MatrixChoice, MatrixFilters } from '../shared/protocol';
import type { WebGpuFallbackReason, WebGpuLayerInput } from '../shared/webgpu';

/** What computes the built-in layer. */
export type EngineName = 'core' | 'onnx-wasm' | 'onnx-webgpu';
/** The setting's vocabulary: an engine, or `auto` to let the size decide. */
export type EngineSetting = 'auto' | EngineName;
export const ENGINE_SETTINGS: readonly EngineSetting[] = ['auto', 'core', 'onnx-wasm', 'onnx-webgpu'];

/** The built-in layer on an input. */
export interface LayerRequest {
  kind: 'layer';
  input: LayerInput;
  spec: LayerSpec;
  engine: EngineSetting;
  /** Which sequence of its run this is (1-based), for messages about a query of it; default 1. */
  sequence?: number;
}

/** A user's ONNX transformer on tokens its tokenizer made (each with an id). */
export interface ModelRequest {
  kind: 'model';
  model: Uint8Array;
  /** Shown in the run line, e.g. the file name. */
  label: string;
  tokens: Token[];
  /** Attention layers to fetch, in graph order; default every one. */
  layers?: number[];
  /** The most tokens the model reads (its learned positions), when known: longer inputs are refused plainly. */
  maxTokens?: number;
  /** Reads a file from the model's folder, undefined when absent: the weights of models saved with external data. */
  beside?: (file: string) => Promise<Uint8Array | undefined>;
}

export type AttentionRequest = LayerRequest | ModelRequest;

/**
 * Above this many bytes of weights (heads × N² × 4) the core computes blockwise and keeps them
 * where it ran, when the caller can keep them (EngineEnv.keep): 16384 tokens × 12 heads would be
 * 12.9 GB, while the blockwise layer takes a few hundred megabytes.
 */
export const DENSE_WEIGHT_BYTES = 256 * 2 ** 20;

/** Weights that stay where they were computed; views ask for the tiles they draw. */
export interface KeptWeights {
  tile(choice: MatrixChoice, filters: MatrixFilters, window: Window, rows: number, cols: number): Promise<{ tile: Tile; peak: number }>;
  stats(causal: boolean): Promise<HeadStats>;
  /** Frees them (the run is no longer shown). */
  release(): void;
}

/** What any engine gives back. */
export interface AttentionRun {
  tokens: Token[];
  layers: number;
  heads: number;
  /**
   * Key/value heads per layer, in the run's layer order, when query heads share them
   * (grouped-query attention: query head h reads key/value head floor(h / (heads / kvHeads[l])));
   * absent means no sharing (every entry equal to `heads`).
   */
  kvHeads?: number[];
  n: number;
  /** [L][H][N][N], row q of head h of layer l holds query q's weights over keys; empty when `kept`. */
  weights: Float32Array;
  /** Where the weights are when they stayed where they were computed. */
  kept?: KeptWeights;
  elapsedMs: number;
  /** What ran, as the panel shows it: "core", "onnx-wasm · 2 threads", "model.onnx · onnx-wasm". */
  backend: string;
  /** A model's attention nodes, one per layer in graph order; absent for the built-in layer. */
  nodes?: string[];
  /** The built-in layer's request, for step by step and recomputation; absent for a model. */
  layer?: LayerRequest;
  /** A model's request, when the model names its queries, keys and values (step by step can run: modelSteps). */
  model?: ModelRequest;
  /** Why WebGPU did not run where it was asked for; the WASM backend ran instead. */
  fallback?: { reason: WebGpuFallbackReason; detail?: string };
}

/** A WebGPU run of the exported layer, where a browser can do it (the explorer panel). */
export interface WebGpuReply {
  weights?: Float32Array; // [1][H][N][N]
  elapsedMs?: number;
  adapter?: string;
  fallback?: WebGpuFallbackReason;
  detail?: string;
}

/** What the caller lends the engines. */
export interface EngineEnv {
  /** Aborting ends the run; engines reject with whatever the caller's runners reject with. */
  signal?: AbortSignal;
  /** Cores the run may use. */
  cores: number;
  /** onnxruntime's worker, started on first use and kept by the caller. */
  ort(): OrtWorkerClient;
  /** Runs the core; default inline. The extension runs it in a worker thread so VS Code stays responsive. */
  core?(request: LayerRequest, signal?: AbortSignal): Promise<{ tokens: Token[]; weights: Float32Array; heads: number; n: number }>;
  /** Runs estimated to need more memory are refused before they start; `allow` says what raises the limit. */
  maxMemory?: { bytes: number; allow: string };
  /** Runs the core blockwise and keeps the weights where it ran (runs over DENSE_WEIGHT_BYTES). */
  keep?(input: LayerInput, spec: LayerSpec, signal?: AbortSignal): Promise<{ tokens: Token[]; heads: number; n: number; kept: KeptWeights }>;
  /**
   * For a model without `layers`: given its attention layers, heads and tokens, which layers to
   * fetch (undefined: all); may throw to stop. Without it every layer is fetched.
   */
  chooseLayers?(layers: number, heads: number, n: number): Promise<number[] | undefined>;
  /** Runs the exported layer on WebGPU; without it `onnx-webgpu` runs the WASM backend and says why. */
  webgpu?(input: WebGpuLayerInput, signal?: AbortSignal): Promise<WebGpuReply>;
}

/** Which engine and how many onnxruntime threads a layer request gets. */
export function pickEngine(request: LayerRequest, n: number, cores: number): { engine: EngineName; threads: number } {
  const threads = Math.max(1, Math.min(4, Math.floor(cores)));
  const bytes = request.spec.heads * n * n * 4;
  if (bytes > DENSE_WEIGHT_BYTES) {
    // onnxruntime returns every weight at once, and cannot hold this many in its 4 GB heap.
    if (request.engine !== 'auto' && request.engine !== 'core' && bytes >= 2 ** 32) {
      throw new InputError('option', `${request.spec.heads} heads × ${n}² tokens take ${(bytes / 2 ** 30).toFixed(1)} GB of weights, more than onnxruntime-web can return (4 GB): use the engine "core" or "auto", which keep them blockwise`);
    }
    if (request.engine === 'auto') return { engine: 'core', threads: 1 };
  }
  switch (request.engine) {
    case 'core':
      return { engine: 'core', threads: 1 };
    case 'onnx-wasm':
    case 'onnx-webgpu':
      return { engine: request.engine, threads };
    case 'auto': {
      const choice = chooseEngine({ n, dModel: request.spec.dModel, heads: request.spec.heads, cores });
      return choice.engine === 'core' ? { engine: 'core', threads: 1 } : { engine: 'onnx-wasm', threads: choice.threads };
    }
  }
}

type LayerEngine = (request: LayerRequest, threads: number, env: EngineEnv, n: number) => Promise<AttentionRun>;

/** The engines of the built-in layer, by name: adding one is adding an entry. */
const LAYER_ENGINES: Record<EngineName, LayerEngine> = {
  core: runCore,
  'onnx-wasm': runOnnxWasm,
  'onnx-webgpu': runOnnxWebGpu,
};

export async function runAttention(request: AttentionRequest, env: EngineEnv): Promise<AttentionRun> {
  if (request.kind === 'model') return runModel(request, env);
  // Counting tokens (or a matrix's rows) is cheap next to the N² attention it decides on.
  const n = inputTokens(request.input).length;
  const { engine, threads } = pickEngine(request, n, env.cores);
  if (env.maxMemory) checkLayerMemory(request, n, engine === 'core' && keeps(request, n, env), env.maxMemory);
  return LAYER_ENGINES[engine](request, threads, env, n);
}

/** Whether the core keeps this run blockwise where it ran: too large to hand back, and a caller that can keep it. */
function keeps(request: LayerRequest, n: number, env: EngineEnv): boolean {
  return env.keep !== undefined && request.spec.heads * n * n * 4 > DENSE_WEIGHT_BYTES;
}

/** Refuses a run estimated to need more than the limit, before anything is allocated. */
function checkLayerMemory(request: LayerRequest, n: number, kept: boolean, limit: { bytes: number; allow: string }): void {
  const { heads, dModel } = appliedSpec(request.input, request.spec);
  const bytes = kept ? estimateKeptBytes({ n, heads, dModel, threads: 4, overview: OVERVIEW_BLOCKS }) : undefined;
  checkRunMemory({ n, heads, layers: kept ? 0 : 1, dModel }, limit.bytes, limit.allow, bytes);
}

async function runCore(request: LayerRequest, _threads: number, env: EngineEnv, n: number): Promise<AttentionRun> {
  const started = performance.now();
  if (env.keep && keeps(request, n, env)) {
    const k = await env.keep(request.input, request.spec, env.signal);
    return { ...layerRun(request, k.tokens, k.heads, new Float32Array(0), performance.now() - started, 'core · blockwise'), kept: k.kept };
  }
  const r = env.core ? await env.core(request, env.signal) : inlineCore(request);
  return layerRun(request, r.tokens, r.heads, r.weights, performance.now() - started, 'core');
}

/** runLayer checks for overflow and names the query, in this request's sequence. */
function inlineCore(request: LayerRequest) {
  const { layer, result } = runLayer(request.input, request.spec, request.sequence);
  return { tokens: layer.tokens, heads: result.heads, n: result.n, weights: result.weights };
}

/**
 * The built-in layer exported to ONNX (opset 17): what the ONNX engines run and what
 * "Export Attention Graph as ONNX" writes. `weights` when they are already made.
 */
export function exportLayer(spec: LayerSpec, weights: LayerWeights = layerWeights(spec)): Uint8Array {
  if (spec.mask === 'padding') {
    throw new InputError('mask', 'the ONNX engines export masks none and causal; use the core engine for padding');
  }
  if (spec.dModel % spec.heads !== 0) {
    throw new InputError('heads', `d_model ${spec.dModel} is not divisible by ${spec.heads} heads; pick a head count that divides it`);
  }
  return exportAttentionModel(weights, { heads: spec.heads, mask: spec.mask, scale: spec.scale });
}

function exported(layer: BuiltLayer): Uint8Array {
  return exportLayer(layer.spec, layer.weights);
}

async function runOnnxWasm(request: LayerRequest, threads: number, env: EngineEnv): Promise<AttentionRun> {
  const layer = buildLayer(request.input, request.spec);
  exported(layer); // the mask check, before a worker starts
  const started = performance.now();
  const r = await runCaseOnnx(layer.x, layer.n, layer.weights, {
    heads: layer.spec.heads, mask: layer.spec.mask === 'causal' ? 'causal' : 'none', scale: layer.spec.scale,
    threads, signal: env.signal, client: env.ort(),
  });
  // The same check as the core's (runLayer), so both engines report the same query for the same input.
  checkAttentionOutcome(layer.x, layer.n, layer.weights, layer.options, r, request.sequence);
  return layerRun(request, layer.tokens, r.heads, r.weights, performance.now() - started, `onnx-wasm · ${threads} ${threads === 1 ? 'thread' : 'threads'}`);
}

/** On WebGPU in the panel; where it is missing or fails there, the WASM backend runs and the run says why. */
async function runOnnxWebGpu(request: LayerRequest, threads: number, env: EngineEnv): Promise<AttentionRun> {
  const fallBack = async (reason: WebGpuFallbackReason, detail?: string): Promise<AttentionRun> => {
    const r = await runOnnxWasm(request, threads, env);
    return { ...r, fallback: { reason, detail } };
  };
  if (!env.webgpu) return fallBack('no-panel');
  const layer = buildLayer(request.input, request.spec);
  const { n, spec } = layer;
  const reply = await env.webgpu({ model: exported(layer), x: layer.x, n, dModel: spec.dModel }, env.signal);
  if (!reply.weights) return fallBack(reply.fallback ?? 'failed', reply.detail);
  if (reply.weights.length !== spec.heads * n * n) {
    return fallBack('failed', `${reply.weights.length} weights for ${spec.heads} × ${n}²`);
  }
  // The panel sends the weights back, not the output: scores and weights get the core's check.
  const dHead = spec.dModel / spec.heads;
  const checked = { n, dModel: spec.dModel, heads: spec.heads, dHead, weights: reply.weights, output: new Float32Array(n * spec.dModel) };
  checkAttentionOutcome(layer.x, n, layer.weights, layer.options, checked, request.sequence);
  const backend = reply.adapter ? `onnx-webgpu · ${reply.adapter}` : 'onnx-webgpu';
  return layerRun(request, layer.tokens, spec.heads, reply.weights, reply.elapsedMs ?? 0, backend); // [1][H][N][N]
}

/** The built-in layer's result, whichever engine ran it: one layer, steps on demand. */
function layerRun(
  request: LayerRequest, tokens: Token[], heads: number, weights: Float32Array, elapsedMs: number, backend: string,
): AttentionRun {
  return { tokens, layers: 1, heads, n: tokens.length, weights, elapsedMs, backend, layer: request };
}

/** A model request's tokens fit the model: some, and no more than its learned positions. */
export function checkModelTokens(request: ModelRequest): void {
  const { tokens } = request;
  if (tokens.length === 0) throw new InputError('empty', 'the text holds no tokens');
  if (request.maxTokens !== undefined && tokens.length > request.maxTokens) {
    throw new InputError('model', `${request.label} reads at most ${request.maxTokens} tokens (its learned positions); this text has ${tokens.length}; use a shorter text`);
  }
}

/** onnxruntime threads for a run on `cores`. */
export const modelThreads = (cores: number): number => Math.max(1, Math.min(4, Math.floor(cores)));

/** A session on a user's model: its threads, the caller's cancellation, its external data files. */
export function openModel(request: ModelRequest, env: Pick<EngineEnv, 'ort' | 'signal' | 'cores'>): Promise<OpenedAttention> {
  return openAttention(env.ort(), request.model, { threads: modelThreads(env.cores), signal: env.signal, beside: request.beside, label: request.label });
}

/**
 * A model's attention on a session the caller opened (and releases): generation runs its steps
 * and then the attention of the whole text on one session.
 */
export function runModelOn(request: ModelRequest, env: EngineEnv, opened: OpenedAttention): Promise<AttentionRun> {
  return runModel(request, env, opened);
}

/** A user's model: its attention softmax outputs, every layer (or those asked for) in graph order. */
async function runModel(request: ModelRequest, env: EngineEnv, given?: OpenedAttention): Promise<AttentionRun> {
  const { tokens } = request;
  checkModelTokens(request);
  const ids = tokens.map((t) => t.id ?? 0);
  const n = tokens.length;
  const started = performance.now();
  // One session serves the two-token run that counts heads for the caller's question and the run itself.
  const opened = given ?? await openModel(request, env);
  let found: LayerAttention[];
  try {
    let layers = request.layers;
    if (!layers && (env.chooseLayers || env.maxMemory)) {
      const [probe] = await opened.extract(ids.slice(0, Math.min(2, n)), [0]);
      const heads = probe?.heads ?? 1;
      layers = env.chooseLayers ? await env.chooseLayers(opened.layers, heads, n) : undefined;
      if (env.maxMemory) checkRunMemory({ n, heads, layers: layers?.length ?? opened.layers, dModel: 0 }, env.maxMemory.bytes, env.maxMemory.allow);
    }
    found = await opened.extract(ids, layers);
  } finally {
    if (!given) await opened.release().catch(() => undefined); // a cancelled worker has nothing left to release
  }
  const heads = found[0]?.heads ?? 0;
  const named = new Set(opened.outputs);
  const hasQkv = opened.layers > 0 && Array.from({ length: opened.layers }, (_, l) => qkvOutputNames(l)).every((names) => names.every((x) => named.has(x)));
  if (found.some((l) => l.heads !== heads || l.queries !== n || l.keys !== n)) {
    throw new InputError('shape', 'the attention layers of this model differ in shape; only equal layers can be shown together');
  }
  const weights = new Float32Array(found.length * heads * n * n); // [L][H][N][N]
  found.forEach((l, i) => weights.set(l.weights, i * heads * n * n));
  const kvHeads = found.map((l) => l.kvHeads ?? heads);
  return {
    tokens, layers: found.length, heads, n, weights, nodes: found.map((l) => l.nodeName),
    ...(kvHeads.some((k) => k !== heads) ? { kvHeads } : {}),
    elapsedMs: performance.now() - started,
    backend: `${request.label} · onnx-wasm`,
    ...(hasQkv ? { model: request } : {}),
  };
}

/**
 * One head of a model's attention layer step by step, from the queries, keys and values the model
 * itself computed (its graph outputs qkvOutputNames(layer)): the same numbers as its attention,
 * taken apart. `scale` and `causal` let a learner switch the scaling and the mask as for the
 * built-in layer; with the model's own choices the weights equal the run's.
 */
export async function modelSteps(
  request: ModelRequest, layer: number, head: number, opts: { scale: boolean; causal: boolean }, env: Pick<EngineEnv, 'ort' | 'signal' | 'cores'>,
): Promise<HeadSteps> {
  const ids = request.tokens.map((t) => t.id ?? 0);
  const n = ids.length;
  const names = qkvOutputNames(layer);
  const opened = await openModel(request, env);
  try {
    const missing = names.filter((x) => !opened.outputs.includes(x));
    if (missing.length > 0) {
      throw new InputError('model', `step by step needs the model's own queries, keys and values: it has no output ${missing.join(', ')}`);
    }
    const out = await opened.fetch(ids, names, env.signal);
    const [q, k, v] = names.map((name) => headRows(out[name], name, head, n)); // [N][d_head] each
    return headStepsFromQkv(q, k, v, n, q.length / n, opts, head);
  } finally {
    await opened.release().catch(() => undefined); // a cancelled worker has nothing left to release
  }
}

/** Head `head` of a [1, H, N, d_head] float32 output, as [N][d_head]. */
function headRows(t: TensorData | undefined, name: string, head: number, n: number): Float32Array {
  const d = t?.dims ?? [];
  if (!t || t.type !== 'float32' || d.length !== 4 || d[0] !== 1 || d[2] !== n) {
    throw new InputError('model', `output ${name} is ${t ? `${t.type} [${d.join(', ')}]` : 'missing'}, not float32 [1, heads, ${n}, d_head]`);
  }
  if (!Number.isInteger(head) || head < 0 || head >= d[1]) throw new InputError('heads', `head ${head} does not exist; ${name} has ${d[1]} heads`);
  const size = n * d[3];
  return (t.data as Float32Array).slice(head * size, (head + 1) * size);
}
