// Everything the explorer registers besides Explore Selection: export, opening weights from a
// file, the panel serializer and following the editor selection.
import * as vscode from 'vscode';
import type { Engines } from '../onnx/engines';
import { exploreSelection } from '../exploreCommand';
import { AttentionPanel } from '../panel';
import { followSelection } from './editorLink';
import { exportView, type ExportArgs } from './exportView';
import { openData } from './openData';
import { ExplorerSerializer } from './serializer';

export function registerExplorer(context: vscode.ExtensionContext, engines: Engines): void {
  const uri = context.extensionUri;
  context.subscriptions.push(
    vscode.commands.registerCommand('attentionExplorer.exportView', (args?: ExportArgs) => exportView(uri, args ?? {})),
    vscode.commands.registerCommand('attentionExplorer.openData', (arg?: unknown) => openData(uri, arg)),
    vscode.window.registerWebviewPanelSerializer(AttentionPanel.viewType, new ExplorerSerializer(uri, engines)),
    followSelection(
      (editor) => exploreSelection(uri, engines, { editor, quiet: true }),
      // Weights read from a file are what the person asked to see: a moving selection does not replace them.
      () => AttentionPanel.open !== undefined && AttentionPanel.open.run?.file === undefined,
    ),
  );
}
