// The explorer and the editor: a clicked token selects its text, a locked cell selects its query
// and key, attentionExplorer.followSelection re-runs as the selection moves, and a panel VS Code
// restores after a reload is filled again from the ranges its saved state names.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { AttentionClient } from '../../src/host/attentionClient';
import { ExplorerSerializer } from '../../src/host/explorer/serializer';
import { Engines } from '../../src/host/onnx/engines';
import { exploreLine, lineSelection, setControl, setSetting } from './explorer/support';
import { hasTestHost, mouseClick, webviewBox, webviewEval } from './support/host';
import { delay, waitFor } from './support/wait';

/** Page coordinates of a query label (column −1) or a cell of the single heatmap shown. */
async function heatmapPoint(q: number, k: number): Promise<{ x: number; y: number }> {
  const box = await webviewBox();
  const p = await webviewEval<{ x: number; y: number }>(`(() => {
    const o = document.querySelector('.heatmap-overlay'), r = o.getBoundingClientRect(), d = o.dataset;
    const left = Number(d.left), top = Number(d.top), cell = Number(d.cell);
    return { x: r.left + (${k} < 0 ? left / 2 : left + (${k} + 0.5) * cell), y: r.top + top + (${q} + 0.5) * cell };
  })()`);
  return { x: box.x + p.x, y: box.y + p.y };
}

const title = () => webviewEval<string>(`document.querySelector('.sequence h2')?.textContent ?? ''`);

describe('Explorer and editor', function () {
  this.timeout(120_000);

  before(function () {
    if (!hasTestHost()) this.skip();
  });

  afterEach(async () => {
    await setSetting('followSelection', undefined);
  });

  it('selects a token’s text when its label is clicked, and a locked cell’s query and key', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const editor = await exploreLine(0);
    await setControl('head', '0');
    await waitFor('one large heatmap', () => webviewEval<boolean>(`document.querySelectorAll('.heatmap-overlay').length === 1`));
    const label = await heatmapPoint(3, -1);
    await mouseClick(label.x, label.y);
    await waitFor('吃 selected', () => editor.document.getText(editor.selection) === '吃');
    assert.deepEqual([editor.selection.start.character, editor.selection.end.character], [3, 4]);
    const cell = await heatmapPoint(1, 4);
    await mouseClick(cell.x, cell.y);
    await waitFor('喜 and 苹 selected', () => editor.selections.length === 2);
    assert.deepEqual(editor.selections.map((s) => editor.document.getText(s)).sort(), ['喜', '苹']);
    await mouseClick(cell.x, cell.y); // unlock
  });

  it('follows the editor selection after a pause when attentionExplorer.followSelection is on', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const editor = await exploreLine(0);
    assert.match(await title(), /^Line 1 · 6 /);
    // Off by default: moving the selection changes nothing.
    editor.selection = lineSelection(editor, 3);
    await delay(900);
    assert.match(await title(), /^Line 1 · 6 /);
    await setSetting('followSelection', true);
    const started = Date.now();
    editor.selection = lineSelection(editor, 2);
    await waitFor('the panel following line 3', async () => /^Line 3 · /.test(await title()));
    assert.ok(Date.now() - started >= 400, 'it waited for the selection to rest');
    // Several moves in quick succession give one run, for the last selection.
    editor.selection = lineSelection(editor, 0);
    editor.selection = lineSelection(editor, 4);
    await waitFor('the panel following line 5', async () => /^Line 5 · /.test(await title()));
  });

  it('fills a restored panel again from the ranges in its saved state', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const [uri] = await vscode.workspace.findFiles('sentences.txt');
    const ext = vscode.extensions.all.find((e) => e.packageJSON?.name === 'attention-explorer');
    assert.ok(ext);
    // What VS Code does after a reload: a bare panel of our type, and the state the webview saved.
    const panel = vscode.window.createWebviewPanel('attentionExplorer.panel', 'Attention', vscode.ViewColumn.One, {});
    const dist = vscode.Uri.joinPath(ext.extensionUri, 'dist').fsPath;
    const client = new AttentionClient(dist);
    // No model chosen: the built-in layer, as after a reload of a workspace without one.
    const noModel: vscode.Memento = { get: () => undefined, update: async () => undefined, keys: () => [] };
    const engines = new Engines(client, ext.extensionUri, noModel);
    try {
      const state = { view: { view: 'heatmaps' }, run: { sources: [{ uri: uri.toString(), range: [0, 0, 0, 6], label: 'Line 1' }] } };
      await new ExplorerSerializer(ext.extensionUri, engines).deserializeWebviewPanel(panel, state);
      await waitFor('the restored heatmaps', async () => (await title()).startsWith('Line 1 · 6 '));
      assert.equal(await webviewEval(`document.querySelectorAll('.heatmap-overlay').length`), 4);
    } finally {
      engines.dispose();
      client.dispose();
      panel.dispose();
    }
  });
});
