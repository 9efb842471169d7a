// Everything the explorer registers besides Explore Selection: export, the panel serializer and
// following the editor selection.
import * as vscode from 'vscode';
import type { Engines } from '../onnx/engines';
import { exploreSelection } from '../exploreCommand';
import { AttentionPanel } from '../panel';
import { followSelection } from './editorLink';
import { exportView, type ExportArgs } from './exportView';
import { ExplorerSerializer } from './serializer';

export function registerExplorer(context: vscode.ExtensionContext, engines: Engines): void {
  const uri = context.extensionUri;
  context.subscriptions.push(
    vscode.commands.registerCommand('attentionExplorer.exportView', (args?: ExportArgs) => exportView(uri, args ?? {})),
    vscode.window.registerWebviewPanelSerializer(AttentionPanel.viewType, new ExplorerSerializer(uri, engines)),
    followSelection(
      (editor) => exploreSelection(uri, engines, { editor, quiet: true }),
      () => AttentionPanel.open !== undefined,
    ),
  );
}
