// Runs attention cells: each cell's text (or matrix) goes to the attention worker thread with the
// cell's settings, and comes back as an output the notebook renderer draws, plus a markdown table
// that reads anywhere. Cells run one at a time in the order asked, so that cancelling one (which
// ends the worker) never takes another cell's run with it.
import * as vscode from 'vscode';
import { ATTENTION_MIME, decodeAttention, encodeAttention, type AttentionData } from '../../shared/notebookOutput';
import type { JsonObject } from '../../shared/notebookFormat';
import { isInputError, parseMatrix } from '../../core';
import { AttentionClient, CancelledError, ComputeError } from '../attentionClient';
import { readSettings } from '../settings';
import { CellSettingError, looksLikeMatrix, resolveSettings, settingsOf, type ResolvedSettings } from './cellSettings';
import { ATTENTION_LANGUAGE } from './format';
import { NOTEBOOK_TYPE } from './serializer';
import { summaryMarkdown } from './summary';

export const CONTROLLER_ID = 'attention-explorer.kernel';

const encoder = new TextEncoder();

export class AttentionNotebookController implements vscode.Disposable {
  private readonly controller: vscode.NotebookController;
  private readonly disposables: vscode.Disposable[] = [];
  private executionOrder = 0;
  /** The tail of the queue of cell runs. */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly client: AttentionClient) {
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
    if (settings.engine !== 'core') {
      throw new CellSettingError(
        'engine',
        vscode.l10n.t('Notebook cells run the built-in attention layer (engine "core"). Open ONNX models with "Attention: Open ONNX Model".'),
      );
    }
    const matrix = looksLikeMatrix(text);
    // A matrix brings its own width; the worker reports a bad matrix with row and column.
    const dModel = matrix ? matrixWidth(text) ?? settings.dModel : settings.dModel;
    const reply = await this.client.compute(
      text,
      {
        heads: settings.heads,
        dModel: settings.dModel,
        seed: settings.seed,
        mask: settings.mask,
        scale: settings.scale,
        input: matrix ? 'matrix' : 'text',
      },
      token,
    );
    const data: AttentionData = {
      tokens: reply.tokens.map((t) => t.text),
      heads: reply.heads,
      n: reply.n,
      weights: reply.weights,
      settings: settingsJson(settings, dModel),
      elapsedMs: reply.elapsedMs,
    };
    const payload = encodeAttention(data);
    // What the file keeps (top-k above the limit) is also what the summary and the view show.
    const kept = decodeAttention(payload);
    return new vscode.NotebookCellOutput([
      // Compact JSON bytes of our own: NotebookCellOutputItem.json would indent them with tabs.
      new vscode.NotebookCellOutputItem(encoder.encode(JSON.stringify(payload)), ATTENTION_MIME),
      vscode.NotebookCellOutputItem.text(summaryMarkdown(kept, { ...settings, dModel }, matrix), 'text/markdown'),
    ]);
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
  } else if (e instanceof Error) {
    name = e.name;
    message = e.message;
  }
  return new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error({ name, message })]);
}
