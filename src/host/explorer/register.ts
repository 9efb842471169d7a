// Everything the explorer registers besides Explore Selection: export, the panel serializer and
// following the editor selection.
import * as vscode from 'vscode';
import type { AttentionClient } from '../attentionClient';
import { exploreSelection } from '../exploreCommand';
import { AttentionPanel } from '../panel';
import { followSelection } from './editorLink';
import { exportView, type ExportArgs } from './exportView';
import { ExplorerSerializer } from './serializer';

export function registerExplorer(context: vscode.ExtensionContext, client: AttentionClient): void {
  const uri = context.extensionUri;
  context.subscriptions.push(
    vscode.commands.registerCommand('attentionExplorer.exportView', (args?: ExportArgs) => exportView(uri, args ?? {})),
    vscode.window.registerWebviewPanelSerializer(AttentionPanel.viewType, new ExplorerSerializer(uri, client)),
    followSelection(
      (editor) => exploreSelection(uri, client, { editor, quiet: true }),
      () => AttentionPanel.open !== undefined,
    ),
  );
}
