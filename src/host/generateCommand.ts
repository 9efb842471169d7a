// Attention: Generate and Explore — a causal language model continues the selection greedily, and
// the panel steps through the generated tokens: the text as it grew, and what each new token
// attended to in every layer and head.
import * as vscode from 'vscode';
import type { GeneratedRun } from '../engine/generate';
import type { AttentionRun } from '../engine/run';
import type { RenderedMessage, RequestStepsMessage, SequencePayload } from '../shared/protocol';
import { endFailedRun, sequencePayload } from './exploreCommand';
import { runSteps } from './explorer/steps';
import type { Engines } from './onnx/engines';
import type { ModelChoice } from './onnx/modelChoice';
import { AttentionPanel } from './panel';
import { readSelections } from './selection';
import { readSettings } from './settings';

/** What the command ended with; returned so scripts and tests can see it too. */
export type GenerateOutcome =
  | {
      status: 'shown';
      panelCreated: boolean;
      rendered: RenderedMessage | undefined;
      /** The prompt's tokens and the generated ones, as the panel received them. */
      tokens: string[];
      ids: number[];
      generated: number;
      text: string;
      stop: GeneratedRun['stop']['reason'];
    }
  | { status: 'noEditor' | 'empty' | 'cancelled' | 'failed' };

export interface GenerateOptions {
  /** The editor to read; default the active one. */
  editor?: vscode.TextEditor;
}

/**
 * The model that generates: the one opened for this workspace (Open ONNX Model…), else the
 * shipped causal model. A workspace's model that is not a causal language model is refused in the
 * run, saying why.
 */
async function generatingModel(engines: Engines): Promise<ModelChoice> {
  return engines.model ?? engines.shipped('learned-causal');
}

/** The model's file name: a shipped model's label is a sentence, too long for a notification's title. */
function modelFileName(choice: ModelChoice): string {
  return vscode.Uri.parse(choice.model).path.split('/').pop() ?? choice.model;
}

export async function generateAndExplore(extensionUri: vscode.Uri, engines: Engines, options: GenerateOptions = {}): Promise<GenerateOutcome> {
  const editor = options.editor ?? vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Open a file and select text for the model to continue.'));
    return { status: 'noEditor' };
  }
  const read = readSelections(editor);
  if (read.kind === 'empty') {
    void vscode.window.showWarningMessage(vscode.l10n.t('Nothing to continue: the selection and the current line are empty. Select some text first.'));
    return { status: 'empty' };
  }
  // The first selection is the prompt: generation continues one text.
  const source = read.sequences[0];
  const settings = readSettings();
  const count = settings.generateTokens;
  const choice = await generatingModel(engines);

  // As for Explore Selection: the panel opens while the model runs, and one opened for a run that
  // fails or is cancelled closes again; a panel that was open keeps what it showed.
  const { panel, created } = AttentionPanel.showOrCreate(extensionUri);
  void panel.computing();
  let run: GeneratedRun;
  try {
    run = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Generating with {0}', modelFileName(choice)), cancellable: true },
      (progress, token) => engines.generate(choice, source.text, count, settings.maxModelMegabytesWithoutAsking, token, (k, total) => {
        progress.report({ message: vscode.l10n.t('token {0} of {1}', k, total), increment: k === 1 ? 0 : 100 / total });
      }),
    );
  } catch (e) {
    return endFailedRun(e, created ? panel : undefined, {
      cancelled: vscode.l10n.t('Generation cancelled. Nothing was changed.'),
      failed: (detail) => vscode.l10n.t('Could not generate: {0}', detail),
    });
  }

  const payload: SequencePayload = {
    ...sequencePayload(source.label, run),
    generated: run.generated,
    text: run.text,
    stop: run.stop.reason,
  };
  const steps = (r: AttentionRun, m: RequestStepsMessage) => runSteps(r, m, engines, new vscode.CancellationTokenSource().token);
  panel.run = { sources: [source], settings, payloads: [payload], runs: [run], steps };
  const rendered = await panel.show({
    sequences: [payload],
    settings: { heads: settings.heads, dModel: settings.dModel, seed: settings.seed, mask: settings.mask, engine: run.backend, model: true },
    elapsedMs: run.elapsedMs,
  });
  return {
    status: 'shown', panelCreated: created, rendered, tokens: payload.tokens, ids: run.tokens.map((t) => t.id ?? -1),
    generated: run.generated, text: run.text, stop: run.stop.reason,
  };
}
