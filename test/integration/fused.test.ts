// Models whose attention is a fused operator, in a real VS Code: Open ONNX Model on a
// com.microsoft.Attention encoder and on a GroupQueryAttention decoder (8 query heads over 2
// key/value heads, with a cache), explored on 我喜欢吃苹果, the grouped heads drawn as groups, in
// light and dark; and a model whose external data file is missing, named in the message.
import * as assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { shot, switchView } from './explorer/support';
import { hasTestHost, waitForNotification, webviewEval } from './support/host';
import { exploreFirstLine } from './support/exploreLine';
import { setColorTheme } from './support/wait';

const fused = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'onnx', 'fused');
const tokenizer = vscode.Uri.file(path.join(fused, 'tokenizer.json'));

async function open(file: string): Promise<unknown> {
  return vscode.commands.executeCommand('attentionExplorer.openModel', { model: vscode.Uri.file(file), tokenizer });
}

/** Row sums of every layer × head are 1; `causal` layers give nothing to later keys. */
function checkRows(weights: Float32Array, heads: number, n: number, causal: (layer: number) => boolean): void {
  const layers = weights.length / (heads * n * n);
  assert.ok(Number.isInteger(layers), `${weights.length} weights for ${heads} heads × ${n}²`);
  for (let m = 0; m < layers * heads; m++) {
    const layer = Math.floor(m / heads);
    for (let q = 0; q < n; q++) {
      let sum = 0;
      for (let k = 0; k < n; k++) {
        const w = weights[(m * n + q) * n + k];
        if (causal(layer) && k > q) assert.ok(Math.abs(w) < 1e-7, `layer ${layer}: weight above the diagonal ${w}`);
        sum += w;
      }
      assert.ok(Math.abs(sum - 1) < 1e-4, `layer ${layer} row ${q} sums to ${sum}`);
    }
  }
}

describe('Fused attention operators', function () {
  this.timeout(180_000);

  after(async () => {
    await vscode.commands.executeCommand('attentionExplorer.useBuiltInLayer');
  });

  it('explores a com.microsoft.Attention encoder: every layer of its fused nodes', async () => {
    assert.ok(await open(path.join(fused, 'attention_packed.onnx')), 'the model was accepted');
    const r = await exploreFirstLine('fused-attention');
    assert.equal(r.outcome.status, 'shown');
    assert.match(r.runInfo, /attention_packed\.onnx/);
    // layer1.attn is unidirectional; the other two see every key.
    checkRows(r.weights, 4, 6, (layer) => layer === 1);
    if (!hasTestHost()) return;
    const layers = await webviewEval<string[]>(`[...document.querySelectorAll('#layer option')].map((o) => o.textContent)`);
    assert.deepEqual(layers, ['Layer 1 · layer0.attn', 'Layer 2 · layer1.attn', 'Layer 3 · layer2.attn']);
  });

  it('explores a GroupQueryAttention decoder with a cache: 8 heads drawn in 2 key/value groups', async () => {
    assert.ok(await open(path.join(fused, 'gqa.onnx')), 'the model was accepted');
    const r = await exploreFirstLine('fused-gqa');
    assert.equal(r.outcome.status, 'shown');
    if (r.outcome.status === 'shown') assert.equal(r.outcome.rendered?.sequences[0].heads, 8);
    checkRows(r.weights, 8, 6, () => true);
    if (!hasTestHost()) return;
    const text = await webviewEval<string>(`document.body.innerText`);
    assert.match(text, /Head 4 · KV head 1 of 2/);
    assert.match(text, /Head 5 · KV head 2 of 2/);
    // One line between the two groups in the heads grid, one per layer in the model view.
    assert.equal(await webviewEval<number>(`document.querySelectorAll('.attn-kv-sep').length`), 1);
    await setColorTheme('Default Light Modern', vscode.ColorThemeKind.Light);
    await shot('fused-gqa-light');
    await switchView('model');
    assert.equal(await webviewEval<number>(`document.querySelectorAll('.attn-kv-sep').length`), 2);
    await shot('fused-gqa-model-light');
    await setColorTheme('Default Dark Modern', vscode.ColorThemeKind.Dark);
    await shot('fused-gqa-model-dark');
    await switchView('heatmaps');
  });

  it('names the external data file a model needs when it is not beside it, and runs once it is', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'attention-external-'));
    const model = path.join(dir, 'external.onnx');
    copyFileSync(path.join(fused, 'external.onnx'), model);
    assert.equal(await open(model), undefined);
    if (hasTestHost()) await waitForNotification(/external\.onnx cannot be explored: .*"external\.onnx_data", which is not beside it/);
    copyFileSync(path.join(fused, 'external.onnx_data'), path.join(dir, 'external.onnx_data'));
    assert.ok(await open(model), 'accepted once the data file is beside it');
    const r = await exploreFirstLine('fused-external');
    assert.equal(r.outcome.status, 'shown');
    const recorded = JSON.parse(readFileSync(path.join(fused, 'external.json'), 'utf8')) as { layers: { heads: number }[] };
    checkRows(r.weights, recorded.layers[0].heads, 6, () => false);
  });
});
