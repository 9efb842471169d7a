// The extension's side of the one engine entry point (src/engine): it lends runAttention the core's
// worker thread, the panel's WebGPU and onnxruntime's worker, ties VS Code's cancellation to an
// AbortSignal, and for a user's model reads the files and asks before fetching very large attention.
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { inputOf, isInputError, layerSpec, loadTokenizerJson, type HeadSteps, type LayerSpec, type TextTokenizer } from '../../core';
import { generateAttention, type GeneratedRun, type GenerateProgress } from '../../engine/generate';
import { modelSteps, runAttention, type AttentionRun, type EngineEnv, type LayerRequest, type ModelRequest } from '../../engine/run';
import { SHIPPED_MODELS_DIR, shippedModel, type ShippedModelName } from '../../shared/shippedModels';
import { OnnxCancelledError, OnnxError } from '../../onnx/errors';
import { OrtWorkerClient } from '../../onnx/node/ortWorkerClient';
import { AttentionClient, CancelledError, ComputeError } from '../attentionClient';
import { readBeside } from '../files';
import { readSettings, type ExploreSettings } from '../settings';
import { modelLabel, readModelChoice, type ModelChoice } from './modelChoice';
import { webGpuFallbackText, type WebGpuRunner } from './webgpu';

export type { AttentionRun } from '../../engine/run';

/** A run of a model file the person chose, with its tokenizer.json. */
export interface ModelFileRequest {
  kind: 'modelFile';
  choice: ModelChoice;
  text: string;
  /** Above this many megabytes of attention, ask whether to fetch every layer. */
  maxMegabytes: number;
}

export type HostRequest = LayerRequest | ModelFileRequest;

/** The built-in layer as the settings describe it. */
export function layerSpecOf(settings: Pick<ExploreSettings, 'heads' | 'dModel' | 'seed' | 'mask' | 'weights'>, scale = true): LayerSpec {
  return layerSpec({ heads: settings.heads, dModel: settings.dModel, seed: settings.seed, mask: settings.mask, init: settings.weights, scale });
}

/**
 * What Explore Selection runs on a text: a model (the workspace's, or a shipped one as
 * Engines.modelFor picks), or the built-in layer as set.
 * `sequence`: which of the run's selections it is (1-based), for messages about one of its queries.
 */
export function exploreRequest(text: string, settings: ExploreSettings, model: ModelChoice | undefined, sequence = 1): HostRequest {
  if (model) return { kind: 'modelFile', choice: model, text, maxMegabytes: settings.maxModelMegabytesWithoutAsking };
  return { kind: 'layer', input: inputOf(text), spec: layerSpecOf(settings), engine: settings.engine, sequence };
}

export class Engines implements vscode.Disposable {
  private ort: OrtWorkerClient | undefined;

  private readonly distPath: string;
  private shippedJson: Promise<unknown> | undefined;

  constructor(
    private readonly core: AttentionClient,
    private readonly extensionUri: vscode.Uri,
    private readonly workspaceState: vscode.Memento,
  ) {
    this.distPath = vscode.Uri.joinPath(extensionUri, 'dist').fsPath;
  }

  /** The model chosen with "Open ONNX Model…", if any. */
  get model(): ModelChoice | undefined {
    return readModelChoice(this.workspaceState);
  }

  /**
   * The model Explore Selection runs: the one opened for this workspace, else the shipped model
   * attentionExplorer.layer names; undefined for the seeded random layer.
   */
  async modelFor(settings: Pick<ExploreSettings, 'layer'>): Promise<ModelChoice | undefined> {
    return this.model ?? (settings.layer === 'random' ? undefined : this.shipped(settings.layer));
  }

  /** A model shipped in media/models/, as its models.json describes it. */
  async shipped(name: ShippedModelName): Promise<ModelChoice> {
    const dir = vscode.Uri.joinPath(this.extensionUri, SHIPPED_MODELS_DIR);
    this.shippedJson ??= Promise.resolve(vscode.workspace.fs.readFile(vscode.Uri.joinPath(dir, 'models.json')))
      .then((bytes) => JSON.parse(new TextDecoder().decode(bytes)) as unknown);
    const m = shippedModel(await this.shippedJson, name);
    return {
      model: vscode.Uri.joinPath(dir, m.onnx).toString(), tokenizer: vscode.Uri.joinPath(dir, m.tokenizer).toString(), label: m.label, maxTokens: m.maxTokens,
    };
  }

  /** One head of a model's layer step by step, from the model's own queries, keys and values. */
  modelSteps(request: ModelRequest, layer: number, head: number, opts: { scale: boolean; causal: boolean }, token: vscode.CancellationToken): Promise<HeadSteps> {
    return this.withCancel(token, (env) => modelSteps(request, layer, head, opts, env));
  }

  /**
   * Runs a request. `webgpu`: the explorer panel, for the `onnx-webgpu` engine; without one the
   * WASM backend runs and the run's backend text says why. `keep`: runs too large to hand back may
   * stay where they were computed (the panel asks for tiles); notebook outputs need every weight.
   */
  async run(request: HostRequest, token: vscode.CancellationToken, options: { webgpu?: WebGpuRunner; keep?: boolean } = {}): Promise<AttentionRun> {
    const run = await this.withCancel(token, (env) => {
      if (request.kind === 'modelFile') return this.runModelFile(request, env, token);
      const keep: EngineEnv['keep'] = async (input, spec) => {
        const k = await this.core.keep(input, spec, token);
        return { tokens: k.reply.tokens, heads: k.reply.heads, n: k.reply.n, kept: k };
      };
      const webgpu = options.webgpu && this.webgpuOf(options.webgpu, token);
      return runAttention(request, { ...env, webgpu, keep: options.keep ? keep : undefined });
    });
    if (run.fallback) run.backend += ` (${webGpuFallbackText(run.fallback.reason, run.fallback.detail)})`;
    return run;
  }

  private webgpuOf(runner: WebGpuRunner, token: vscode.CancellationToken): EngineEnv['webgpu'] {
    return async (input) => {
      const reply = await runner.runOnnxWebGpu(input, token);
      if (token.isCancellationRequested) throw new CancelledError();
      return reply;
    };
  }

  /**
   * Generate and Explore: the model (a causal language model) continues `text` greedily by at most
   * `count` tokens, then the attention of prompt + generated. `onStep` hears of each step.
   */
  generate(
    choice: ModelChoice, text: string, count: number, maxMegabytes: number, token: vscode.CancellationToken, onStep?: GenerateProgress,
  ): Promise<GeneratedRun> {
    return this.withCancel(token, async (env) => {
      const { request, tokenizer, chooseLayers } = await this.modelRequest(choice, text, maxMegabytes, token);
      return generateAttention({ model: request, text, count, decode: (ids) => tokenizer.decode(ids) }, { ...env, chooseLayers }, onStep);
    });
  }

  /**
   * A user's model on a text: the model file and its tokenizer.json read, the text tokenized, files
   * beside the model reachable (external data), and the question to ask before fetching much attention.
   */
  private async modelRequest(
    choice: ModelChoice, text: string, maxMegabytes: number, token: vscode.CancellationToken,
  ): Promise<{ request: ModelRequest; tokenizer: TextTokenizer; chooseLayers: EngineEnv['chooseLayers'] }> {
    const [model, tokenizerBytes] = await Promise.all([
      vscode.workspace.fs.readFile(vscode.Uri.parse(choice.model)),
      vscode.workspace.fs.readFile(vscode.Uri.parse(choice.tokenizer)),
    ]);
    const tokenizer = loadTokenizerJson(JSON.parse(new TextDecoder().decode(tokenizerBytes)));
    const tokens = tokenizer.tokenize(text);
    if (tokens.length === 0) throw new ComputeError('the text holds no tokens', 'empty');
    const beside = (file: string) => readBeside(vscode.Uri.parse(choice.model), file);
    const chooseLayers = (count: number, heads: number, n: number) => this.chooseLayers(count, heads, n, maxMegabytes, token);
    return { request: { kind: 'model', model, label: modelLabel(choice), tokens, maxTokens: choice.maxTokens, beside }, tokenizer, chooseLayers };
  }

  /** A user's model: tokenize with its tokenizer.json, ask about size, read its attention softmax outputs. */
  private async runModelFile(request: ModelFileRequest, env: EngineEnv, token: vscode.CancellationToken): Promise<AttentionRun> {
    const { request: model, chooseLayers } = await this.modelRequest(request.choice, request.text, request.maxMegabytes, token);
    return runAttention(model, { ...env, chooseLayers });
  }

  /**
   * Every layer costs heads × N² × 4 bytes. Above the limit, say how much all layers would take
   * and let the person fetch them all, only the first, or nothing.
   */
  private async chooseLayers(
    count: number, heads: number, n: number, maxMegabytes: number, token: vscode.CancellationToken,
  ): Promise<number[] | undefined> {
    if (token.isCancellationRequested) throw new CancelledError();
    const perLayer = heads * n * n * 4;
    if (count * perLayer <= maxMegabytes * 2 ** 20) return undefined; // all layers
    const mb = (bytes: number) => Math.ceil(bytes / 2 ** 20);
    const all = vscode.l10n.t('All {0} layers ({1} MB)', count, mb(count * perLayer));
    const first = vscode.l10n.t('First layer only ({0} MB)', mb(perLayer));
    const answer = await vscode.window.showWarningMessage(
      vscode.l10n.t('The attention of {0} layers × {1} heads × {2}² tokens takes about {3} MB. Fetch which layers?', count, heads, n, mb(count * perLayer)),
      { modal: true },
      all,
      first,
    );
    if (answer === all) return undefined;
    if (answer === first) return [0];
    throw new CancelledError();
  }

  private client(): OrtWorkerClient {
    this.ort ??= new OrtWorkerClient({
      workerPath: path.join(this.distPath, 'ortWorker.js'),
      wasmDir: this.distPath,
    });
    return this.ort;
  }

  /** Runs with an AbortSignal tied to the VS Code token, and maps the engines' errors to the extension's. */
  private async withCancel<T>(token: vscode.CancellationToken, run: (env: EngineEnv) => Promise<T>): Promise<T> {
    const abort = new AbortController();
    const sub = token.onCancellationRequested(() => abort.abort());
    const env: EngineEnv = {
      signal: abort.signal,
      cores: availableParallelism(),
      maxMemory: {
        bytes: readSettings().maxMemoryMegabytes * 2 ** 20,
        allow: vscode.l10n.t('the setting attentionExplorer.maxMemoryMegabytes'),
      },
      ort: () => this.client(),
      core: async (request) => {
        const r = await this.core.compute(request.input, request.spec, token, request.sequence);
        return { tokens: r.tokens, heads: r.heads, n: r.n, weights: r.weights };
      },
    };
    try {
      if (token.isCancellationRequested) throw new CancelledError();
      return await run(env);
    } catch (e) {
      if (e instanceof CancelledError || e instanceof OnnxCancelledError || abort.signal.aborted) throw new CancelledError();
      if (e instanceof OnnxError) throw new ComputeError(e.message, e.code);
      if (isInputError(e)) throw new ComputeError(e.message, e.code);
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
