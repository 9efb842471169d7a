// The .vsix as a user installs it: the extension runs from its installed folder, and the ONNX
// engine loads onnxruntime-web's WASM files shipped inside the package.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { ExploreOutcome } from '../../src/host/exploreCommand';
import { hasTestHost, screenshot, webviewEval } from '../integration/support/host';
import { maxAbsDifference, panelWeights } from '../integration/support/panelWeights';
import { waitFor } from '../integration/support/wait';

const ID = 'attention-explorer.attention-explorer';

async function exploreFirstLine(engine: string): Promise<{ outcome: ExploreOutcome; weights: Float32Array }> {
  await vscode.workspace.getConfiguration('attentionExplorer').update('engine', engine, vscode.ConfigurationTarget.Global);
  const [uri] = await vscode.workspace.findFiles('sentences.txt');
  const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), vscode.ViewColumn.One);
  editor.selection = new vscode.Selection(0, 0, 0, editor.document.lineAt(0).text.length);
  const outcome = await vscode.commands.executeCommand<ExploreOutcome>('attentionExplorer.exploreSelection');
  return { outcome, weights: await panelWeights(`packaged-${engine}`) };
}

describe('the packaged extension', function () {
  this.timeout(120_000);

  it('is installed from the .vsix, not loaded from the sources', () => {
    const ext = vscode.extensions.getExtension(ID);
    assert.ok(ext, `${ID} is installed`);
    const repo = path.resolve(__dirname, '..', '..', '..');
    assert.notEqual(path.resolve(ext.extensionPath), repo, 'not the development folder');
    assert.match(ext.extensionPath, /[\\/]extensions[\\/]attention-explorer\.attention-explorer-\d+\.\d+\.\d+$/, 'an installed extension folder');
    assert.equal(ext.packageJSON.name, 'attention-explorer');
    for (const file of ['dist/extension.js', 'dist/attentionWorker.js', 'dist/ortWorker.js', 'dist/ort-wasm-simd-threaded.wasm', 'dist/webview.js']) {
      assert.ok(readFileSync(path.join(ext.extensionPath, file)).length > 0, `${file} is in the package`);
    }
  });

  it('explores 我喜欢吃苹果 with the core and with onnxruntime-web from the package, alike within 1e-5', async () => {
    const core = await exploreFirstLine('core');
    const onnx = await exploreFirstLine('onnx-wasm');
    for (const r of [core, onnx]) {
      assert.equal(r.outcome.status, 'shown');
      if (r.outcome.status === 'shown') assert.deepEqual(r.outcome.rendered?.sequences, [{ tokens: 6, heads: 4, drawnCanvases: 4 }]);
    }
    assert.equal(onnx.weights.length, core.weights.length);
    const worst = maxAbsDifference(core.weights, onnx.weights);
    assert.ok(worst < 1e-5, `largest difference ${worst}`);
  });

  it('draws a Jupyter notebook\'s saved attention output with the installed renderer', async function () {
    if (!hasTestHost()) this.skip();
    // Written by scripts/fixtures/ipynb/make_notebooks.py before the run (test/runIntegration.ts).
    const file = path.resolve(__dirname, '..', '..', '..', 'test-output', 'ipynb', 'small.ipynb');
    const want = JSON.parse(readFileSync(file.replace(/\.ipynb$/, '.expected.json'), 'utf8')) as { tokens: string[]; heads: number };
    await vscode.window.showNotebookDocument(await vscode.workspace.openNotebookDocument(vscode.Uri.file(file)));
    const selector = `.attn-output[data-tokens="${want.tokens.length}"]`;
    const drawn = await waitFor('the output drawn by the packaged renderer', () =>
      webviewEval<number | false>(`Number(document.querySelector('${selector}')?.dataset.drawn) || false`, { selector, timeoutMs: 60_000 }), 60_000);
    assert.equal(drawn, want.heads);
    await screenshot('packaged-ipynb');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
