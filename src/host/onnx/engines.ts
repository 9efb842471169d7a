// Which engine computes a sequence, and running it: the core in its worker thread, our layer
// exported to ONNX in onnxruntime's worker thread, or a user's ONNX model.
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { embedTokens, loadTokenizerJson, makeWeights, tokenizeText } from '../../core';
import { planAttentionRun } from '../../onnx/attentionRun';
import { chooseEngine, type EngineChoice } from '../../onnx/enginePolicy';
import { OnnxCancelledError, OnnxError } from '../../onnx/errors';
import { exportAttentionModel } from '../../onnx/export';
import { extractAttention } from '../../onnx/node/extractAttention';
import { OrtWorkerClient } from '../../onnx/node/ortWorkerClient';
import { runCaseOnnx } from '../../onnx/node/runCase';
import { AttentionClient, CancelledError, ComputeError } from '../attentionClient';
import { looksLikeMatrix } from '../notebook/cellSettings';
import type { ExploreSettings } from '../settings';
import { modelLabel, readModelChoice, type ModelChoice } from './modelChoice';
import { webGpuFallbackText, type WebGpuRunner } from './webgpu';

export interface SequenceResult {
  tokens: { text: string; start: number; end: number; special: boolean }[];
  layers: number;
  heads: number;
  n: number;
  weights: Float32Array; // [L][H][N][N]
  elapsedMs: number;
  /** What ran, as the panel shows it: "core", "onnx-wasm · 2 threads", "model.onnx · onnx-wasm". */
  backend: string;
  /** Step by step needs the built-in layer's parameters. */
  steps: boolean;
}

/** How the built-in layer runs: its scale switch, and who can run WebGPU for `onnx-webgpu`. */
export interface LayerOptions {
  /** false leaves the scores unscaled (notebook cells that show why 1/√d_k is there). */
  scale?: boolean;
  /** The explorer panel; without one, `onnx-webgpu` runs the WASM backend and says why. */
  webgpu?: WebGpuRunner;
}

export class Engines implements vscode.Disposable {
  private ort: OrtWorkerClient | undefined;

  constructor(
    private readonly core: AttentionClient,
    private readonly distPath: string,
    private readonly workspaceState: vscode.Memento,
  ) {}

  /** The model chosen with "Open ONNX Model…", if any. */
  get model(): ModelChoice | undefined {
    return readModelChoice(this.workspaceState);
  }

  /**
   * `model`: a model to run instead of the workspace's choice, or null for the built-in layer
   * whatever the workspace chose (notebook cells carry their own).
   */
  async compute(
    text: string, settings: ExploreSettings, token: vscode.CancellationToken, model?: ModelChoice | null,
    layer: LayerOptions = {},
  ): Promise<SequenceResult> {
    const chosen = model === undefined ? this.model : model;
    if (chosen) return this.runModel(chosen, text, settings, token);
    // A selection of numbers is the embedding matrix itself: the core reads it directly.
    if (looksLikeMatrix(text)) return this.runCore(text, settings, token, 'matrix', layer.scale);
    const choice = this.choose(tokenizeText(text).length, settings);
    if (choice.engine === 'core') return this.runCore(text, settings, token, 'text', layer.scale);
    if (settings.engine === 'onnx-webgpu') return this.runLayerWebGpu(text, settings, choice.threads, token, layer);
    return this.runLayerOnnx(text, settings, choice.threads, token, layer.scale);
  }

  /**
   * The exported layer on WebGPU in the panel. Where WebGPU is missing or fails there, the WASM
   * backend runs here instead, and the panel's line about what ran says why.
   */
  private async runLayerWebGpu(
    text: string, settings: ExploreSettings, threads: number, token: vscode.CancellationToken, layer: LayerOptions,
  ): Promise<SequenceResult> {
    const fallBack = async (why: string): Promise<SequenceResult> => {
      const r = await this.runLayerOnnx(text, settings, threads, token, layer.scale);
      r.backend += ` (${why})`;
      return r;
    };
    if (!layer.webgpu) return fallBack(webGpuFallbackText('no-panel'));
    const { tokens, n, x, w } = prepareLayer(text, settings);
    const model = exportAttentionModel(w, { heads: settings.heads, mask: settings.mask === 'causal' ? 'causal' : 'none', scale: layer.scale });
    const reply = await layer.webgpu.runOnnxWebGpu({ model, x, n, dModel: settings.dModel }, token);
    if (token.isCancellationRequested) throw new CancelledError();
    if (!reply.weights) return fallBack(webGpuFallbackText(reply.fallback ?? 'failed', reply.detail));
    if (reply.weights.length !== settings.heads * n * n) {
      return fallBack(webGpuFallbackText('failed', `${reply.weights.length} weights for ${settings.heads} × ${n}²`));
    }
    // [1][H][N][N] is [L=1][H][N][N]
    return builtInResult(tokens, settings.heads, reply.weights, reply.elapsedMs ?? 0, reply.adapter ? `onnx-webgpu · ${reply.adapter}` : 'onnx-webgpu');
  }

  private choose(n: number, settings: ExploreSettings): EngineChoice {
    const cores = availableParallelism();
    switch (settings.engine) {
      case 'core':
        return { engine: 'core', threads: 1 };
      case 'onnx-wasm':
      case 'onnx-webgpu':
        return { engine: 'onnx', threads: Math.min(4, cores) };
      case 'auto':
        return chooseEngine({ n, dModel: settings.dModel, heads: settings.heads, cores });
    }
  }

  private async runCore(
    text: string, settings: ExploreSettings, token: vscode.CancellationToken, input: 'text' | 'matrix' = 'text', scale?: boolean,
  ): Promise<SequenceResult> {
    const r = await this.core.compute(
      text,
      { heads: settings.heads, dModel: settings.dModel, seed: settings.seed, mask: settings.mask, init: settings.weights, input, scale },
      token,
    );
    return builtInResult(r.tokens, r.heads, r.weights, r.elapsedMs, 'core');
  }

  /** The same seeded layer as the core, exported to ONNX and run by onnxruntime-web (WASM). */
  private async runLayerOnnx(
    text: string, settings: ExploreSettings, threads: number, token: vscode.CancellationToken, scale?: boolean,
  ): Promise<SequenceResult> {
    const { tokens, n, x, w } = prepareLayer(text, settings);
    const started = performance.now();
    const r = await this.withCancel(token, (signal) =>
      runCaseOnnx(x, n, w, { heads: settings.heads, mask: settings.mask === 'causal' ? 'causal' : 'none', scale, threads, signal, client: this.client() }),
    );
    return builtInResult(tokens, r.heads, r.weights, performance.now() - started, `onnx-wasm · ${threads} ${threads === 1 ? 'thread' : 'threads'}`);
  }

  /** A user's model: tokenize with its tokenizer.json, read its attention softmax outputs. */
  private async runModel(
    choice: ModelChoice, text: string, settings: ExploreSettings, token: vscode.CancellationToken,
  ): Promise<SequenceResult> {
    const [modelBytes, tokenizerBytes] = await Promise.all([
      vscode.workspace.fs.readFile(vscode.Uri.parse(choice.model)),
      vscode.workspace.fs.readFile(vscode.Uri.parse(choice.tokenizer)),
    ]);
    const tokenizer = loadTokenizerJson(JSON.parse(new TextDecoder().decode(tokenizerBytes)));
    const tokens = tokenizer.tokenize(text);
    if (tokens.length === 0) throw new ComputeError('the text holds no tokens', 'empty');
    const ids = tokens.map((t) => t.id ?? 0);
    const threads = Math.min(4, availableParallelism());
    const started = performance.now();
    const layersToFetch = await this.chooseLayers(modelBytes, ids, settings, threads, token);
    const layers = await this.withCancel(token, (signal) =>
      extractAttention(this.client(), modelBytes, ids, { threads, signal, layers: layersToFetch }),
    );
    const n = tokens.length;
    const heads = layers[0]?.heads ?? 0;
    if (layers.some((l) => l.heads !== heads || l.queries !== n || l.keys !== n)) {
      throw new ComputeError('the attention layers of this model differ in shape; only equal layers can be shown together', 'shape');
    }
    const weights = new Float32Array(layers.length * heads * n * n); // [L][H][N][N]
    layers.forEach((l, i) => weights.set(l.weights, i * heads * n * n));
    return {
      tokens: tokens.map((t) => ({ text: t.text, start: t.start, end: t.end, special: t.special === true })),
      layers: layers.length,
      heads,
      n,
      weights,
      elapsedMs: performance.now() - started,
      backend: `${modelLabel(choice)} · onnx-wasm`,
      steps: false,
    };
  }

  /**
   * Every layer costs heads × N² × 4 bytes. Above the limit, say how much all layers would take
   * and let the person fetch them all, only the first, or nothing. The head count is read from
   * a two-token run of the first layer, which costs next to nothing.
   */
  private async chooseLayers(
    modelBytes: Uint8Array, ids: number[], settings: ExploreSettings, threads: number, token: vscode.CancellationToken,
  ): Promise<number[] | undefined> {
    const count = planAttentionRun(modelBytes).layers.length;
    const n = ids.length;
    const probe = await this.withCancel(token, (signal) =>
      extractAttention(this.client(), modelBytes, ids.slice(0, Math.min(2, n)), { threads, signal, layers: [0] }),
    );
    const heads = probe[0]?.heads ?? 1;
    const perLayer = heads * n * n * 4;
    const limit = settings.maxModelMegabytesWithoutAsking * 2 ** 20;
    if (count * perLayer <= limit) return undefined; // all layers
    const mb = (bytes: number) => Math.ceil(bytes / 2 ** 20);
    const all = vscode.l10n.t('All {0} layers ({1} MB)', count, mb(count * perLayer));
    const first = vscode.l10n.t('First layer only ({0} MB)', mb(perLayer));
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t('The attention of {0} layers × {1} heads × {2}² tokens takes about {3} MB. Fetch which layers?', count, heads, n, mb(count * perLayer)),
      { modal: true },
      all,
      first,
    );
    if (choice === all) return undefined;
    if (choice === first) return [0];
    throw new CancelledError();
  }

  private client(): OrtWorkerClient {
    this.ort ??= new OrtWorkerClient({
      workerPath: path.join(this.distPath, 'ortWorker.js'),
      wasmDir: this.distPath,
    });
    return this.ort;
  }

  /** Runs with an AbortSignal tied to the VS Code token, and maps onnxruntime's errors to ours. */
  private async withCancel<T>(token: vscode.CancellationToken, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const abort = new AbortController();
    const sub = token.onCancellationRequested(() => abort.abort());
    try {
      if (token.isCancellationRequested) throw new CancelledError();
      return await run(abort.signal);
    } catch (e) {
      if (e instanceof OnnxCancelledError || abort.signal.aborted) throw new CancelledError();
      if (e instanceof OnnxError) throw new ComputeError(e.message, e.code);
      throw e;
    } finally {
      sub.dispose();
    }
  }

  dispose(): void {
    this.ort?.dispose();
    this.ort = undefined;
  }
}

/** What the built-in layer gives, whichever engine ran it: one layer, no special tokens, steps on demand. */
function builtInResult(
  tokens: readonly { text: string; start: number; end: number }[], heads: number, weights: Float32Array, elapsedMs: number, backend: string,
): SequenceResult {
  return {
    tokens: tokens.map((t) => ({ text: t.text, start: t.start, end: t.end, special: false })),
    layers: 1,
    heads,
    n: tokens.length,
    weights, // [1][H][N][N]
    elapsedMs,
    backend,
    steps: true,
  };
}

/** The built-in layer's input: tokens, their seeded embeddings and the seeded weights. */
function prepareLayer(text: string, settings: ExploreSettings) {
  const tokens = tokenizeText(text);
  const n = tokens.length;
  if (n === 0) throw new ComputeError('the text holds no tokens', 'empty');
  if (settings.dModel % settings.heads !== 0) {
    throw new ComputeError(`d_model ${settings.dModel} is not divisible by ${settings.heads} heads`, 'heads');
  }
  const x = embedTokens(tokens, { dModel: settings.dModel, seed: settings.seed }); // [N, d_model]
  const w = makeWeights({ dModel: settings.dModel, seed: settings.seed, init: settings.weights });
  return { tokens, n, x, w };
}
