// Runs attention cells: each cell's text (or matrix) goes to the attention worker thread with the
// cell's settings, and comes back as an output the notebook renderer draws, plus a markdown table
// that reads anywhere. Cells run one at a time in the order asked, so that cancelling one (which
// ends the worker) never takes another cell's run with it. A cell with engine "onnx" runs the
// same seeded layer exported to ONNX in onnxruntime-web; a cell with a `model` runs that ONNX
// model with the tokenizer.json beside it and keeps every attention layer.
import { isShippedModelName } from '../../shared/shippedModels';
import * as vscode from 'vscode';
import { ATTENTION_MIME, decodeAttention, encodeAttention, type AttentionData } from '../../shared/notebookOutput';
import type { JsonObject } from '../../shared/notebookFormat';
import { inputOf, isInputError, parseMatrix } from '../../core';
import { CancelledError, ComputeError } from '../attentionClient';
import type { GeneratedRun } from '../../engine/generate';
import { exploreRequest, layerSpecOf, type AttentionRun, type Engines } from '../onnx/engines';
import { readSettings, type ExploreSettings } from '../settings';
import { cellModelChoice } from './cellModel';
import { CellSettingError, resolveSettings, settingsOf, type ResolvedSettings } from './cellSettings';
import { ATTENTION_LANGUAGE } from '../../notebookFile/format';
import { NOTEBOOK_TYPE } from './serializer';
import { summaryMarkdown } from './summary';

export const CONTROLLER_ID = 'attention-explorer.kernel';

const encoder = new TextEncoder();

/** A model that could not be run, with the reason onnxruntime or the model reader gave. */
class ModelRunError extends Error {
  override readonly name = 'ModelRunError';
}

export class AttentionNotebookController implements vscode.Disposable {
  private readonly controller: vscode.NotebookController;
  private readonly disposables: vscode.Disposable[] = [];
  private executionOrder = 0;
  /** The tail of the queue of cell runs. */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly engines: Engines) {
    this.controller = vscode.notebooks.createNotebookController(CONTROLLER_ID, NOTEBOOK_TYPE, vscode.l10n.t('Attention'));
    this.controller.description = vscode.l10n.t('Seeded multi-head self-attention, computed in a worker thread');
    this.controller.supportedLanguages = [ATTENTION_LANGUAGE];
    this.controller.supportsExecutionOrder = true;
    this.controller.executeHandler = (cells) => this.execute(cells);
    // The only kernel for these notebooks: preferred, so no one is asked to pick it.
    const prefer = (nb: vscode.NotebookDocument) => {
      if (nb.notebookType === NOTEBOOK_TYPE) this.controller.updateNotebookAffinity(nb, vscode.NotebookControllerAffinity.Preferred);
    };
    vscode.workspace.notebookDocuments.forEach(prefer);
    this.disposables.push(this.controller, vscode.workspace.onDidOpenNotebookDocument(prefer));
  }

  /** Queues the code cells given; resolves when all of them have finished. */
  execute(cells: readonly vscode.NotebookCell[]): Promise<void> {
    const runs = cells
      .filter((c) => c.kind === vscode.NotebookCellKind.Code)
      .map((cell) => {
        // Created now, so every queued cell shows as pending at once.
        const execution = this.controller.createNotebookCellExecution(cell);
        this.queue = this.queue.then(() => this.runCell(execution));
        return this.queue;
      });
    return Promise.all(runs).then(() => undefined);
  }

  private async runCell(execution: vscode.NotebookCellExecution): Promise<void> {
    const cell = execution.cell;
    if (execution.token.isCancellationRequested) {
      execution.start(Date.now());
      execution.end(undefined, Date.now());
      return;
    }
    execution.executionOrder = ++this.executionOrder;
    execution.start(Date.now());
    try {
      const output = await this.compute(cell, execution.token);
      await execution.replaceOutput(output);
      execution.end(true, Date.now());
    } catch (e) {
      if (e instanceof CancelledError) {
        // Cancelled: the previous output stays, and the cell shows neither success nor failure.
        execution.end(undefined, Date.now());
        return;
      }
      await execution.replaceOutput(errorOutput(e));
      execution.end(false, Date.now());
    }
  }

  private async compute(cell: vscode.NotebookCell, token: vscode.CancellationToken): Promise<vscode.NotebookCellOutput> {
    const text = cell.document.getText();
    if (text.trim() === '') {
      throw new CellSettingError('source', vscode.l10n.t('The cell is empty: write a sentence, or a matrix with one row per token.'));
    }
    const defaults = readSettings();
    const settings = resolveSettings(settingsOf(cell.metadata), defaults);
    if (settings.model.trim() !== '') return this.computeModel(cell, text, settings, defaults, token);
    const input = inputOf(text);
    if (settings.engine === 'onnx' && input.kind === 'matrix') {
      throw new CellSettingError(
        'engine',
        vscode.l10n.t('Engine "onnx" runs on text: the exported layer embeds tokens itself. Run a matrix of embeddings with engine "core".'),
      );
    }
    // Cells do not record the weights setting: they run the seeded random weights.
    const spec = layerSpecOf({ ...settings, weights: 'random' }, settings.scale);
    const engine = settings.engine === 'onnx' ? 'onnx-wasm' : 'core';
    const r = await this.engines.run({ kind: 'layer', input, spec, engine }, token);
    const dModel = r.layer?.input.kind === 'matrix' ? matrixWidth(text) ?? settings.dModel : settings.dModel;
    const json = settingsJson(settings, dModel);
    // Core outputs say nothing of their backend, as they always have; ONNX outputs name it.
    const data = fromSequence(r, engine === 'core' ? json : { ...json, backend: r.backend });
    return attentionOutput(data, { ...settings, dModel }, input.kind === 'matrix', engine === 'core' ? undefined : r.backend);
  }

  /** The ONNX model the cell names, with the tokenizer.json beside it; every layer is kept. */
  private async computeModel(
    cell: vscode.NotebookCell, text: string, settings: ResolvedSettings, defaults: ExploreSettings, token: vscode.CancellationToken,
  ): Promise<vscode.NotebookCellOutput> {
    const name = settings.model.trim();
    // A shipped model's name (learned-bidirectional, learned-causal), or a path to a file.
    const choice = isShippedModelName(name) ? await this.engines.shipped(name) : await cellModelChoice(name, cell.notebook.uri);
    let r: AttentionRun | GeneratedRun;
    try {
      r = settings.generate === undefined
        ? await this.engines.run(exploreRequest(text, defaults, choice), token)
        : await this.engines.generate(choice, text, settings.generate, defaults.maxModelMegabytesWithoutAsking, token);
    } catch (e) {
      if (e instanceof CancelledError) throw e;
      const file = vscode.Uri.parse(choice.model);
      const shown = file.scheme === 'file' ? file.fsPath : file.toString();
      throw new ModelRunError(vscode.l10n.t('{0} cannot be explored: {1}', shown, e instanceof Error ? e.message : String(e)));
    }
    const json: JsonObject = { engine: settings.engine, model: settings.model, view: settings.view, backend: r.backend };
    if (settings.generate !== undefined) json.generate = settings.generate;
    const data = fromSequence(r, json);
    // Generated text: the output is over prompt + generated, and says how many were generated.
    if (settings.generate !== undefined) data.generated = (r as GeneratedRun).generated;
    return attentionOutput(data, settings, false, r.backend);
  }

  dispose(): void {
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }
}

function matrixWidth(text: string): number | undefined {
  try {
    return parseMatrix(text).cols;
  } catch (e) {
    if (isInputError(e)) return undefined;
    throw e;
  }
}

function fromSequence(r: AttentionRun, settings: JsonObject): AttentionData {
  const data: AttentionData = { tokens: r.tokens.map((t) => t.text), layers: r.layers, heads: r.heads, n: r.n, weights: r.weights, settings, elapsedMs: r.elapsedMs };
  // A model whose query heads share key/value heads: the output draws them in their groups.
  if (r.kvHeads) data.kvHeads = r.kvHeads;
  return data;
}

/** The renderer's output and its markdown twin. */
function attentionOutput(data: AttentionData, settings: ResolvedSettings, matrix: boolean, backend?: string): vscode.NotebookCellOutput {
  const payload = encodeAttention(data);
  // What the file keeps (top-k above the limit) is also what the summary and the view show.
  const kept = decodeAttention(payload);
  return new vscode.NotebookCellOutput([
    // Compact JSON bytes of our own: NotebookCellOutputItem.json would indent them with tabs.
    new vscode.NotebookCellOutputItem(encoder.encode(JSON.stringify(payload)), ATTENTION_MIME),
    vscode.NotebookCellOutputItem.text(summaryMarkdown(kept, settings, matrix, backend), 'text/markdown'),
  ]);
}

function settingsJson(s: ResolvedSettings, dModel: number): JsonObject {
  return { engine: s.engine, heads: s.heads, dModel, seed: s.seed, mask: s.mask, view: s.view, scale: s.scale };
}

/** An error output: name and message only, since a stack of the extension host helps no one here. */
function errorOutput(e: unknown): vscode.NotebookCellOutput {
  let name = 'Error';
  let message = String(e);
  if (e instanceof CellSettingError) {
    name = vscode.l10n.t('Cell setting');
    message = e.message;
  } else if (e instanceof ComputeError) {
    name = vscode.l10n.t('Attention input');
    message = e.message;
  } else if (e instanceof ModelRunError) {
    name = vscode.l10n.t('ONNX model');
    message = e.message;
  } else if (e instanceof Error) {
    name = e.name;
    message = e.message;
  }
  return new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error({ name, message })]);
}
