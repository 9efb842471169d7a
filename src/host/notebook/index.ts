// Attention Notebooks: the .attnb serializer, the controller that runs cells, the cell status bar
// with each cell's settings, and the notebook commands, registered together.
import * as vscode from 'vscode';
import type { Engines } from '../onnx/engines';
import { newNotebook, sendSelectionToNotebook, trackActiveNotebook } from './commands';
import { AttentionNotebookController } from './controller';
import { registerRendererStrings } from './rendererStrings';
import { AttentionNotebookSerializer, NOTEBOOK_TYPE } from './serializer';
import { CellSettingsStatusBar } from './statusBar';

/** `engines` runs every cell: the built-in layer on the core or ONNX, or a model of the cell's own. */
export function registerNotebooks(engines: Engines): vscode.Disposable {
  const controller = new AttentionNotebookController(engines);
  return vscode.Disposable.from(
    vscode.workspace.registerNotebookSerializer(NOTEBOOK_TYPE, new AttentionNotebookSerializer(), AttentionNotebookSerializer.options),
    controller,
    new CellSettingsStatusBar().register(),
    registerRendererStrings(),
    trackActiveNotebook(),
    vscode.commands.registerCommand('attentionExplorer.newNotebook', () => newNotebook()),
    vscode.commands.registerCommand('attentionExplorer.sendSelectionToNotebook', () => sendSelectionToNotebook()),
  );
}
