// The notebook commands: a new notebook with the tour, and sending editor selections to a notebook.
import * as vscode from 'vscode';
import type { CellSettings } from '../../shared/notebookFormat';
import { readSelections } from '../selection';
import { readSettings } from '../settings';
import { ATTENTION_LANGUAGE } from '../../notebookFile/format';
import { NOTEBOOK_TYPE } from './serializer';
import { tourCells } from './tour';

/** Opens an untitled notebook holding the tour; returns its URI (command results cross as data). */
export async function newNotebook(): Promise<vscode.Uri> {
  const doc = await vscode.workspace.openNotebookDocument(NOTEBOOK_TYPE, new vscode.NotebookData(tourCells()));
  await vscode.window.showNotebookDocument(doc);
  return doc.uri;
}

let lastActive: vscode.NotebookDocument | undefined;

/** Remembers the attention notebook last active, the one a selection is most likely meant for. */
export function trackActiveNotebook(): vscode.Disposable {
  return vscode.window.onDidChangeActiveNotebookEditor((editor) => {
    if (editor?.notebook.notebookType === NOTEBOOK_TYPE) lastActive = editor.notebook;
  });
}

/** The attention notebook the person most likely means: active, visible, last active, then any open. */
function targetNotebook(): vscode.NotebookDocument | undefined {
  const ours = (nb: vscode.NotebookDocument | undefined): nb is vscode.NotebookDocument =>
    nb !== undefined && nb.notebookType === NOTEBOOK_TYPE && !nb.isClosed;
  const active = vscode.window.activeNotebookEditor?.notebook;
  if (ours(active)) return active;
  const visible = vscode.window.visibleNotebookEditors.map((e) => e.notebook).find(ours);
  if (visible) return visible;
  if (ours(lastActive)) return lastActive;
  return vscode.workspace.notebookDocuments.find(ours);
}

export type SendOutcome = { status: 'sent'; notebook: vscode.Uri; cells: number } | { status: 'noEditor' | 'empty' };

/**
 * Appends one attention cell per selection to the open attention notebook (or a new, empty
 * one), with today's settings written into the cell so that it gives the same result later, then
 * runs the new cells.
 */
export async function sendSelectionToNotebook(): Promise<SendOutcome> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Open a file and select text to send it to an attention notebook.'));
    return { status: 'noEditor' };
  }
  const read = readSelections(editor);
  if (read.kind === 'empty') {
    void vscode.window.showWarningMessage(vscode.l10n.t('Nothing to send: the selection and the current line are empty.'));
    return { status: 'empty' };
  }
  const d = readSettings();
  const settings: CellSettings = { engine: 'core', heads: d.heads, dModel: d.dModel, seed: d.seed, mask: d.mask === 'causal' ? 'causal' : 'none', view: 'heads', scale: true };
  const cells = read.sequences.map((seq) => {
    const cell = new vscode.NotebookCellData(vscode.NotebookCellKind.Code, seq.text, ATTENTION_LANGUAGE);
    cell.metadata = { settings };
    return cell;
  });
  const notebook = targetNotebook() ?? (await vscode.workspace.openNotebookDocument(NOTEBOOK_TYPE, new vscode.NotebookData([])));
  const start = notebook.cellCount;
  const edit = new vscode.WorkspaceEdit();
  edit.set(notebook.uri, [vscode.NotebookEdit.insertCells(start, cells)]);
  await vscode.workspace.applyEdit(edit);
  const range = new vscode.NotebookRange(start, start + cells.length);
  // Where it is already on screen, or beside the text editor.
  const column = vscode.window.visibleNotebookEditors.find((e) => e.notebook === notebook)?.viewColumn ?? vscode.ViewColumn.Beside;
  const shown = await vscode.window.showNotebookDocument(notebook, { preserveFocus: true, viewColumn: column });
  shown.revealRange(range, vscode.NotebookEditorRevealType.InCenterIfOutsideViewport);
  // Through the workbench, which picks this extension's kernel for the notebook if none is yet.
  void vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: range.start, end: range.end }], document: notebook.uri });
  return { status: 'sent', notebook: notebook.uri, cells: cells.length };
}
