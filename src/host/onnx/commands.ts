// ONNX commands: export our layer as a graph, open a model of one's own, go back to the built-in layer.
import * as vscode from 'vscode';
import { besideUri, writeFileAtomically } from '../files';
import { exportLayer } from '../../engine/run';
import { layerSpecOf } from './engines';
import { planAttentionRun } from '../../onnx/attentionRun';
import { OnnxError } from '../../onnx/errors';
import { missingDataFile } from '../../onnx/externalData';
import { readSettings } from '../settings';
import { modelLabel, saveModelChoice, type ModelChoice } from './modelChoice';

export interface ExportOnnxArgs {
  /** Where to write; without it a save dialog asks. */
  uri?: vscode.Uri | string;
}

export interface OpenModelArgs {
  model?: vscode.Uri | string;
  tokenizer?: vscode.Uri | string;
}

const basename = (u: vscode.Uri): string => u.path.split('/').pop() ?? u.path;
const asUri = (u: vscode.Uri | string): vscode.Uri => (typeof u === 'string' ? vscode.Uri.parse(u) : u);

/** Attention: Export Attention Graph as ONNX — the built-in layer with the current settings. */
export async function exportOnnx(args: ExportOnnxArgs = {}): Promise<vscode.Uri | undefined> {
  const s = readSettings();
  if (s.dModel % s.heads !== 0) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Cannot export: d_model {0} is not divisible by {1} heads.', s.dModel, s.heads));
    return undefined;
  }
  const target =
    (args.uri && asUri(args.uri)) ??
    (await vscode.window.showSaveDialog({
      filters: { ONNX: ['onnx'] },
      defaultUri: vscode.workspace.workspaceFolders?.[0]
        ? vscode.Uri.joinPath(vscode.workspace.workspaceFolders[0].uri, `attention-d${s.dModel}-h${s.heads}-seed${s.seed}.onnx`)
        : undefined,
      title: vscode.l10n.t('Export Attention Graph as ONNX'),
    }));
  if (!target) return undefined;
  const bytes = exportLayer(layerSpecOf(s));
  await writeFileAtomically(target, bytes);
  void vscode.window.showInformationMessage(
    vscode.l10n.t('Wrote {0}: opset 17, {1} heads, d_model {2}, outputs attention_weights [1, H, N, N] and output.', target.fsPath, s.heads, s.dModel),
  );
  return target;
}

/**
 * Attention: Open ONNX Model… — pick a .onnx file and its tokenizer.json (found beside it or
 * chosen), check that its attention can be read, and remember the choice for this workspace.
 */
export async function openModel(state: vscode.Memento, args: OpenModelArgs = {}): Promise<ModelChoice | undefined> {
  const model =
    (args.model && asUri(args.model)) ??
    (await vscode.window.showOpenDialog({
      canSelectMany: false,
      filters: { ONNX: ['onnx'] },
      title: vscode.l10n.t('Open ONNX Model'),
    }))?.[0];
  if (!model) return undefined;

  let bytes: Uint8Array;
  try {
    bytes = await vscode.workspace.fs.readFile(model);
  } catch (e) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Cannot read {0}: {1}', model.fsPath, e instanceof Error ? e.message : String(e)));
    return undefined;
  }
  let layers: number;
  try {
    const plan = planAttentionRun(bytes);
    layers = plan.layers.length;
    // Weights kept in files beside the model: say now which one is missing, not at the first run
    // (only whether it is there: the data may be gigabytes).
    for (const file of plan.externalData) {
      const there = await Promise.resolve(vscode.workspace.fs.stat(besideUri(model, file))).then(() => true, () => false);
      if (!there) throw missingDataFile(basename(model), file);
    }
  } catch (e) {
    // Typed errors carry a sentence written for the user: corrupt file, fused attention, …
    const reason = e instanceof OnnxError || e instanceof RangeError ? e.message : String(e);
    void vscode.window.showErrorMessage(vscode.l10n.t('{0} cannot be explored: {1}', model.fsPath, reason));
    return undefined;
  }

  const tokenizer = (args.tokenizer && asUri(args.tokenizer)) ?? (await findTokenizer(model));
  if (!tokenizer) return undefined;
  const choice: ModelChoice = { model: model.toString(), tokenizer: tokenizer.toString() };
  await saveModelChoice(state, choice);
  void vscode.window.showInformationMessage(
    vscode.l10n.t('Explore Selection now runs {0} ({1} attention layers). "Attention: Use Built-in Attention Layer" goes back.', modelLabel(choice), layers),
  );
  return choice;
}

async function findTokenizer(model: vscode.Uri): Promise<vscode.Uri | undefined> {
  const beside = vscode.Uri.joinPath(model, '..', 'tokenizer.json');
  try {
    await vscode.workspace.fs.stat(beside);
    return beside;
  } catch {
    // Not beside the model: ask for it.
    return (
      await vscode.window.showOpenDialog({
        canSelectMany: false,
        filters: { 'tokenizer.json': ['json'] },
        defaultUri: vscode.Uri.joinPath(model, '..'),
        title: vscode.l10n.t('Choose the tokenizer.json of this model'),
      })
    )?.[0];
  }
}

/** Attention: Use Built-in Attention Layer — forget the model chosen for this workspace. */
export async function useBuiltInLayer(state: vscode.Memento): Promise<void> {
  await saveModelChoice(state, undefined);
  void vscode.window.showInformationMessage(vscode.l10n.t('Explore Selection runs the built-in attention layer again.'));
}
