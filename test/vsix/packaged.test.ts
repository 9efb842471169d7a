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

  it('keeps the shipped models within 8 MB of the package, and they run from it', async () => {
    const vsix = readFileSync(path.resolve(__dirname, '..', '..', '..', 'attention-explorer.vsix'));
    const models = zipEntries(vsix).filter((e) => e.name.startsWith('extension/media/models/'));
    const names = models.map((e) => e.name.slice('extension/media/models/'.length)).sort();
    for (const file of ['learned-bidirectional.onnx', 'learned-causal.onnx', 'models.json', 'tokenizer.json']) assert.ok(names.includes(file), `${file} is packaged`);
    const packed = models.reduce((sum, e) => sum + e.compressed, 0);
    console.log(`media/models in the .vsix: ${models.length} files, ${(packed / 2 ** 20).toFixed(2)} MB compressed, ${(models.reduce((s2, e) => s2 + e.size, 0) / 2 ** 20).toFixed(2)} MB unpacked`);
    assert.ok(packed <= 8 * 2 ** 20, `${packed} bytes`);
    await vscode.workspace.getConfiguration('attentionExplorer').update('engine', undefined, vscode.ConfigurationTarget.Global);
    await vscode.workspace.getConfiguration('attentionExplorer').update('layer', 'learned-bidirectional', vscode.ConfigurationTarget.Global);
    try {
      const [uri] = await vscode.workspace.findFiles('sentences.txt');
      const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), vscode.ViewColumn.One);
      editor.selection = new vscode.Selection(0, 0, 0, editor.document.lineAt(0).text.length);
      const outcome = await vscode.commands.executeCommand<ExploreOutcome>('attentionExplorer.exploreSelection');
      assert.equal(outcome?.status, 'shown');
    } finally {
      await vscode.workspace.getConfiguration('attentionExplorer').update('layer', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});

/** The entries of a zip file (a .vsix) from its central directory: name, size and packed size. */
function zipEntries(zip: Buffer): { name: string; size: number; compressed: number }[] {
  // The end-of-central-directory record is in the last 64 KB + 22 bytes, found by its signature.
  let end = zip.length - 22;
  while (end >= 0 && zip.readUInt32LE(end) !== 0x06054b50) end--;
  assert.ok(end >= 0, 'a zip file');
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries: { name: string; size: number; compressed: number }[] = [];
  for (let i = 0; i < count; i++) {
    assert.equal(zip.readUInt32LE(at), 0x02014b50, 'a central directory entry');
    const compressed = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extra = zip.readUInt16LE(at + 30);
    const comment = zip.readUInt16LE(at + 32);
    entries.push({ name: zip.toString('utf8', at + 46, at + 46 + nameLength), size, compressed });
    at += 46 + nameLength + extra + comment;
  }
  return entries;
}
