// Extension entry point: registers the commands; everything else is created on first use.
import * as vscode from 'vscode';
import { AttentionClient } from './attentionClient';
import { exploreSelection } from './exploreCommand';
import { registerExplorer } from './explorer/register';
import { registerNotebooks } from './notebook';
import { AttentionPanel } from './panel';

export function activate(context: vscode.ExtensionContext): void {
  const client = new AttentionClient(vscode.Uri.joinPath(context.extensionUri, 'dist').fsPath);
  context.subscriptions.push(
    client,
    { dispose: () => AttentionPanel.open?.dispose() },
    vscode.commands.registerCommand('attentionExplorer.exploreSelection', () =>
      exploreSelection(context.extensionUri, client),
    ),
    registerNotebooks(client),
  );
  registerExplorer(context, client);
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
