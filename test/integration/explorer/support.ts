// Helpers shared by the explorer's integration tests: run Explore Selection on a sample line,
// switch views through the webview's own buttons, and read back what the webview drew.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { webviewStrings } from '../../../src/host/explorer/strings';
import type { ExploreOutcome } from '../../../src/host/exploreCommand';
import { clickInWebview, screenshot, webviewEval } from '../support/host';
import { delay, waitFor } from '../support/wait';

export async function openSample(name: string): Promise<vscode.TextEditor> {
  const [uri] = await vscode.workspace.findFiles(name);
  assert.ok(uri, `sample/${name} is in the workspace`);
  const doc = await vscode.workspace.openTextDocument(uri);
  return vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
}

export function lineSelection(editor: vscode.TextEditor, line: number): vscode.Selection {
  return new vscode.Selection(line, 0, line, editor.document.lineAt(line).text.length);
}

/** Explores line `line` of sentences.txt (0: 我喜欢吃苹果) and waits until the webview drew it. */
export async function exploreLine(line = 0): Promise<vscode.TextEditor> {
  const editor = await openSample('sentences.txt');
  editor.selection = lineSelection(editor, line);
  const outcome = await vscode.commands.executeCommand<ExploreOutcome>('attentionExplorer.exploreSelection');
  assert.equal(outcome?.status, 'shown');
  await vscode.commands.executeCommand('notifications.clearAll');
  return editor;
}

/** Clicks a view's button in the toolbar and waits until that view is shown. */
export async function switchView(view: string): Promise<void> {
  await clickInWebview(`.view-switch [data-view="${view}"]`);
  await waitFor(`the ${view} view`, () => webviewEval<boolean>(`document.getElementById('view')?.dataset.view === ${JSON.stringify(view)}`));
}

/** Sets a <select> or <input> of the toolbar as a person would, firing its change event. */
export async function setControl(id: string, value: string | boolean): Promise<void> {
  await webviewEval(`(() => {
    const el = document.getElementById(${JSON.stringify(id)});
    if (el.type === 'checkbox') el.checked = ${JSON.stringify(value)}; else el.value = ${JSON.stringify(String(value))};
    el.dispatchEvent(new Event('change', { bubbles: true }));
    return true;
  })()`);
}

/** Sends a message to the webview as if the host had sent it (typed arrays are built inside). */
export async function postToWebview(script: string): Promise<void> {
  await webviewEval(`(() => { const message = ${script}; window.dispatchEvent(new MessageEvent('message', { data: message })); return true; })()`);
}

export async function setSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('attentionExplorer').update(key, value, vscode.ConfigurationTarget.Global);
}

/** A screenshot of the workbench with the panel, once the webview shows real colours (many of them). */
export async function shot(name: string): Promise<void> {
  await vscode.commands.executeCommand('notifications.clearAll');
  await delay(200);
  const s = await waitFor(`screenshot ${name}`, async () => {
    const r = await screenshot(name);
    return r.webviewStats && r;
  });
  assert.ok((s.webviewStats?.distinctColours ?? 0) > 20, `${name}: ${JSON.stringify(s.webviewStats)}`);
}

/** The webview's strings in Simplified Chinese, from the same bundle VS Code reads. */
export function chineseStrings(): unknown {
  // Tests are bundled into out/test/integration, three folders below the repository.
  const root = path.resolve(__dirname, '..', '..', '..');
  const bundle = JSON.parse(readFileSync(path.join(root, 'l10n', 'bundle.l10n.zh-cn.json'), 'utf8')) as Record<string, string>;
  const translate = (v: unknown): unknown =>
    typeof v === 'string' ? (bundle[v] ?? v) : Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, translate(x)]));
  return translate(webviewStrings());
}
