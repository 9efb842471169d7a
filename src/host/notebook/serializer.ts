// Opens and saves .attnb files. The mapping itself lives in src/notebookFile/format.ts (tested
// without VS Code, and run by `notebook check` and `notebook resave` on the command line); this
// file only moves between its plain shapes and vscode's classes.
import * as vscode from 'vscode';
import { NotebookFormatError } from '../../shared/notebookFormat';
import {
  OriginalBytes,
  readNotebookBytes,
  writeNotebookBytes,
  type PlainCell,
  type PlainNotebook,
} from '../../notebookFile/format';

export const NOTEBOOK_TYPE = 'attention-notebook';

export class AttentionNotebookSerializer implements vscode.NotebookSerializer {
  /** Outputs, metadata and execution records are content: saved, and a change makes the file dirty. */
  static readonly options: vscode.NotebookDocumentContentOptions = { transientOutputs: false };

  private readonly originals = new OriginalBytes();

  deserializeNotebook(content: Uint8Array): vscode.NotebookData {
    try {
      return toNotebookData(readNotebookBytes(content, this.originals));
    } catch (e) {
      // Thrown on: VS Code then refuses to open the file and shows why, and nothing can save
      // a partial reading of it over the original.
      if (e instanceof NotebookFormatError) {
        // A field at fault is named by its path; its line and column help find it too.
        const at = e.path && e.position ? ` (line ${e.position.line}, column ${e.position.column})` : '';
        const message = vscode.l10n.t('This is not a valid attention notebook: {0}', e.message + at);
        // The workbench shows only a generic "could not be opened" in the editor; say what is wrong.
        void vscode.window.showErrorMessage(message);
        throw new Error(message);
      }
      throw e;
    }
  }

  serializeNotebook(data: vscode.NotebookData): Uint8Array {
    return writeNotebookBytes(fromNotebookData(data), this.originals);
  }
}

export function toNotebookData(plain: PlainNotebook): vscode.NotebookData {
  const data = new vscode.NotebookData(plain.cells.map(toCellData));
  if (plain.metadata) data.metadata = plain.metadata;
  return data;
}

function toCellData(c: PlainCell): vscode.NotebookCellData {
  const kind = c.kind === 'markup' ? vscode.NotebookCellKind.Markup : vscode.NotebookCellKind.Code;
  const cell = new vscode.NotebookCellData(kind, c.value, c.languageId);
  if (c.metadata) cell.metadata = c.metadata;
  if (c.outputs) {
    cell.outputs = c.outputs.map(
      (o) => new vscode.NotebookCellOutput(o.items.map((i) => new vscode.NotebookCellOutputItem(i.data, i.mime)), o.metadata),
    );
  }
  if (c.executionSummary) cell.executionSummary = c.executionSummary;
  return cell;
}

export function fromNotebookData(data: vscode.NotebookData): PlainNotebook {
  return {
    metadata: data.metadata,
    cells: data.cells.map((c) => ({
      kind: c.kind === vscode.NotebookCellKind.Markup ? 'markup' : 'code',
      value: c.value,
      languageId: c.languageId,
      metadata: c.metadata,
      outputs: c.outputs?.map((o) => ({ items: o.items.map((i) => ({ mime: i.mime, data: i.data })), metadata: o.metadata })),
      executionSummary: c.executionSummary,
    })),
  };
}
