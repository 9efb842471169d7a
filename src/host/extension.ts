// Extension entry point: registers the commands; everything else is created on first use.
import * as vscode from 'vscode';
import { AttentionClient } from './attentionClient';
import { exploreSelection } from './exploreCommand';
import { registerExplorer } from './explorer/register';
import { generateAndExplore } from './generateCommand';
import { registerNotebooks } from './notebook';
import { exportOnnx, openModel, useBuiltInLayer, type ExportOnnxArgs, type OpenModelArgs } from './onnx/commands';
import { Engines } from './onnx/engines';
import { AttentionPanel } from './panel';

export function activate(context: vscode.ExtensionContext): void {
  const dist = vscode.Uri.joinPath(context.extensionUri, 'dist').fsPath;
  const client = new AttentionClient(dist);
  const engines = new Engines(client, context.extensionUri, context.workspaceState);
  const state = context.workspaceState;
  context.subscriptions.push(
    client,
    engines,
    { dispose: () => AttentionPanel.open?.dispose() },
    vscode.commands.registerCommand('attentionExplorer.exploreSelection', () =>
      exploreSelection(context.extensionUri, engines),
    ),
    vscode.commands.registerCommand('attentionExplorer.generate', () => generateAndExplore(context.extensionUri, engines)),
    vscode.commands.registerCommand('attentionExplorer.exportOnnx', (args?: ExportOnnxArgs) => exportOnnx(args)),
    vscode.commands.registerCommand('attentionExplorer.openModel', (args?: OpenModelArgs) => openModel(state, args)),
    vscode.commands.registerCommand('attentionExplorer.useBuiltInLayer', () => useBuiltInLayer(state)),
    registerNotebooks(engines),
  );
  registerExplorer(context, engines);
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
