// Running Explore Selection on 我喜欢吃苹果 (line 1 of sample/sentences.txt) with a chosen engine,
// and reading back what the panel holds: its weights and its line about what ran.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExploreOutcome } from '../../../src/host/exploreCommand';
import { webviewEval } from './host';
import { panelWeights } from './panelWeights';

export async function selectFirstLine(): Promise<void> {
  const [uri] = await vscode.workspace.findFiles('sentences.txt');
  const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), vscode.ViewColumn.One);
  editor.selection = new vscode.Selection(0, 0, 0, editor.document.lineAt(0).text.length);
  assert.equal(editor.document.lineAt(0).text, '我喜欢吃苹果');
}

/** Sets `attentionExplorer.engine`; undefined goes back to the default. */
export async function setEngine(engine: string | undefined): Promise<void> {
  await vscode.workspace.getConfiguration('attentionExplorer').update('engine', engine, vscode.ConfigurationTarget.Global);
}

/** Explores line 1; `name` names the exported weights file. */
export async function exploreFirstLine(name: string): Promise<{ outcome: ExploreOutcome; weights: Float32Array; runInfo: string }> {
  await selectFirstLine();
  const outcome = await vscode.commands.executeCommand<ExploreOutcome>('attentionExplorer.exploreSelection');
  const weights = await panelWeights(name);
  const runInfo = await webviewEval<string>(`document.querySelector('.run-info')?.textContent ?? ''`);
  return { outcome, weights, runInfo };
}
