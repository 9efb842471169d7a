// ONNX in the real extension host: our layer through onnxruntime-web's WASM backend (loaded
// from dist/, as in the .vsix), exporting the graph, and exploring a model of one's own.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import type { ExploreOutcome } from '../../src/host/exploreCommand';
import { hasTestHost, waitForNotification } from './support/host';
import { exploreFirstLine, selectFirstLine, setEngine } from './support/exploreLine';
import { maxAbsDifference } from './support/panelWeights';

const root = path.resolve(__dirname, '..', '..', '..');
const fixtures = path.join(root, 'test', 'fixtures');
const scratch = mkdtempSync(path.join(tmpdir(), 'attention-onnx-'));

describe('ONNX engines and models', function () {
  this.timeout(120_000);

  afterEach(async () => {
    await setEngine(undefined);
    await vscode.commands.executeCommand('attentionExplorer.useBuiltInLayer');
  });

  it('runs the built-in layer in onnxruntime-web (WASM) and agrees with the core within 1e-5', async () => {
    await setEngine('core');
    const core = await exploreFirstLine('core');
    await setEngine('onnx-wasm');
    const onnx = await exploreFirstLine('onnx');
    assert.equal(onnx.outcome.status, 'shown');
    if (onnx.outcome.status === 'shown') assert.deepEqual(onnx.outcome.rendered?.sequences, [{ tokens: 6, heads: 4, drawnCanvases: 4 }]);
    assert.match(core.runInfo, /engine core/);
    assert.match(onnx.runInfo, /onnx-wasm/, 'the panel says which backend ran');
    assert.equal(onnx.weights.length, 4 * 6 * 6);
    const worst = maxAbsDifference(core.weights, onnx.weights);
    assert.ok(worst < 1e-5, `largest difference ${worst}`);
  });

  it('runs WebGPU in the panel when asked for, and says which backend ran', async () => {
    await setEngine('onnx-webgpu');
    const r = await exploreFirstLine('webgpu');
    assert.equal(r.outcome.status, 'shown');
    // WebGPU where the browser has an adapter (the test host's SwiftShader), else WASM and why.
    assert.match(r.runInfo, /engine (onnx-webgpu|onnx-wasm .*\(WebGPU .*\))/);
  });

  it('exports the attention graph as an ONNX file', async () => {
    const target = vscode.Uri.file(path.join(scratch, 'layer.onnx'));
    const written = await vscode.commands.executeCommand<vscode.Uri>('attentionExplorer.exportOnnx', { uri: target });
    assert.equal(written?.fsPath, target.fsPath);
    const bytes = readFileSync(target.fsPath);
    assert.ok(bytes.length > 64 * 64 * 4 * 4, 'holds the four d_model × d_model weight matrices');
    assert.ok(bytes.includes(Buffer.from('attention_weights')), 'names its attention output');
    // Our graph takes embeddings, not token ids: opening it as a model explains why it cannot run on text.
    const opened = await vscode.commands.executeCommand('attentionExplorer.openModel', {
      model: target,
      tokenizer: vscode.Uri.file(path.join(fixtures, 'core', 'tokenizers', 'wordpiece.json')),
    });
    assert.equal(opened, undefined);
  });

  it('refuses a corrupt model with a clear message and keeps the built-in layer', async function () {
    const bad = path.join(scratch, 'broken.onnx');
    writeFileSync(bad, 'this is not a protobuf model');
    const opened = await vscode.commands.executeCommand('attentionExplorer.openModel', { model: vscode.Uri.file(bad) });
    assert.equal(opened, undefined);
    if (hasTestHost()) await waitForNotification(/broken\.onnx cannot be explored: not an ONNX model/);
    await setEngine('core');
    const r = await exploreFirstLine('after-broken');
    assert.match(r.runInfo, /engine core/);
  });

  it("explores a GPT-style model of one's own: every attention layer, in graph order", async () => {
    const opened = await vscode.commands.executeCommand<{ model: string } | undefined>('attentionExplorer.openModel', {
      model: vscode.Uri.file(path.join(fixtures, 'onnx', 'gpt_tiny.onnx')),
      tokenizer: vscode.Uri.file(path.join(fixtures, 'core', 'tokenizers', 'wordpiece.json')),
    });
    assert.ok(opened, 'the model was accepted');
    const r = await exploreFirstLine('gpt');
    assert.equal(r.outcome.status, 'shown');
    assert.match(r.runInfo, /gpt_tiny\.onnx/);
    if (r.outcome.status !== 'shown') return;
    const seq = r.outcome.rendered?.sequences[0];
    assert.ok(seq && seq.tokens >= 6 && seq.heads >= 1, JSON.stringify(seq));
    const n = seq.tokens;
    const layers = r.weights.length / (seq.heads * n * n);
    assert.ok(Number.isInteger(layers) && layers >= 2, `layers: ${layers}`);
    // A causal model: nothing above the diagonal, and every row sums to one.
    for (let m = 0; m < layers * seq.heads; m++) {
      for (let q = 0; q < n; q++) {
        let sum = 0;
        for (let k = 0; k < n; k++) {
          const w = r.weights[(m * n + q) * n + k];
          if (k > q) assert.ok(Math.abs(w) < 1e-6, `weight above the diagonal: ${w}`);
          sum += w;
        }
        assert.ok(Math.abs(sum - 1) < 1e-4, `row sum ${sum}`);
      }
    }
  });

  it('asks before fetching more attention than the limit', async () => {
    await vscode.workspace.getConfiguration('attentionExplorer').update('maxModelMegabytesWithoutAsking', 0, vscode.ConfigurationTarget.Global);
    try {
      await vscode.commands.executeCommand('attentionExplorer.openModel', {
        model: vscode.Uri.file(path.join(fixtures, 'onnx', 'gpt_tiny.onnx')),
        tokenizer: vscode.Uri.file(path.join(fixtures, 'core', 'tokenizers', 'wordpiece.json')),
      });
      await selectFirstLine();
      // A test workbench refuses modal dialogs and says what it refused: the question itself,
      // which the command then reports as the reason the run did not happen.
      const outcome = await vscode.commands.executeCommand<ExploreOutcome>('attentionExplorer.exploreSelection');
      assert.equal(outcome?.status, 'failed');
      if (hasTestHost()) await waitForNotification(/The attention of 2 layers × 2 heads × 8² tokens takes about 1 MB\. Fetch which layers\?/);
    } finally {
      await vscode.workspace.getConfiguration('attentionExplorer').update('maxModelMegabytesWithoutAsking', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
