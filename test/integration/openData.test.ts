// Attention: Open Attention Data, end to end: files of each kind written here, opened through the
// command as the palette or the Explorer's context menu gives them, and read back from the real
// panel (its own report, its toolbar and tooltip, and its weights through Export View). A file
// that cannot be shown is an error notification, and the panel keeps what it showed.
import * as assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { jsonOfSequence } from '../../src/host/explorer/formats';
import type { OpenDataOutcome } from '../../src/host/explorer/openData';
import { float32ToBase64 } from '../../src/shared/notebookOutput';
import { npyBytes } from '../../src/shared/npy';
import { shot, switchView } from './explorer/support';
import { hasTestHost, hoverInWebview, waitForNotification, webviewEval } from './support/host';
import { panelWeights } from './support/panelWeights';
import { waitFor } from './support/wait';

const COMMAND = 'attentionExplorer.openData';
const dir = mkdtempSync(path.join(os.tmpdir(), 'attention-open-data-'));

function write(name: string, bytes: Uint8Array | string): vscode.Uri {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return vscode.Uri.file(file);
}

/** Rows that sum to 1, different in every layer, head and query: [L][H][N][N]. */
function rowWeights(layers: number, heads: number, n: number): Float32Array {
  const w = new Float32Array(layers * heads * n * n);
  for (let row = 0; row < layers * heads * n; row++) {
    let sum = 0;
    for (let k = 0; k < n; k++) sum += w[row * n + k] = 1 + ((row * 7 + k * 13) % 11);
    for (let k = 0; k < n; k++) w[row * n + k] /= sum;
  }
  return w;
}

async function open(arg: unknown): Promise<OpenDataOutcome> {
  const outcome = await vscode.commands.executeCommand<OpenDataOutcome>(COMMAND, arg);
  assert.ok(outcome, 'the command reports its outcome');
  return outcome;
}

function attentionTabs(): number {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('attentionExplorer.panel')).length;
}

const runInfo = () => webviewEval<string>(`document.querySelector('.run-info')?.textContent ?? ''`);
const layerOptions = () => webviewEval<number>(`document.querySelectorAll('#layer option').length`);

/** The panel shows `tokens` over `layers` × `heads` and holds exactly `weights`; the tooltip of head 1 names tokens of the file. */
async function expectShown(outcome: OpenDataOutcome, file: string, tokens: string[], layers: number, heads: number, weights: Float32Array): Promise<void> {
  assert.equal(outcome.status, 'shown', JSON.stringify(outcome));
  if (outcome.status !== 'shown') return;
  assert.deepEqual([outcome.layers, outcome.heads, outcome.n], [layers, heads, tokens.length]);
  assert.deepEqual(outcome.rendered?.sequences, [{ tokens: tokens.length, heads, drawnCanvases: heads }]);
  assert.equal(await runInfo(), `read from ${file} · ${layers} layers · ${heads} heads · ${tokens.length} tokens`);
  assert.equal(await layerOptions(), layers);
  const shown = await panelWeights(`open-data-${file}`);
  assert.equal(shown.length, weights.length);
  assert.ok(shown.every((v, i) => v === weights[i]), 'the panel holds the file’s weights, bit for bit');
  if (!hasTestHost() || tokens.length > 64) return;
  await hoverInWebview('.heatmap-overlay[data-head="0"]');
  const tip = await waitFor('the tooltip', () =>
    webviewEval<string | false>(`(() => { const t = document.getElementById('tooltip'); return !t.hidden && t.textContent; })()`));
  const m = /Query (\d+) “(.*)” → Key (\d+) “(.*)” · Weight (\d\.\d+)/.exec(tip);
  assert.ok(m, tip);
  const [q, k] = [Number(m[1]) - 1, Number(m[3]) - 1];
  assert.deepEqual([m[2], m[4]], [tokens[q], tokens[k]], tip);
  assert.ok(Math.abs(Number(m[5]) - weights[q * tokens.length + k]) < 1e-3, tip);
}

describe('Open Attention Data', function () {
  this.timeout(180_000);

  before(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('is contributed to the palette and to the Explorer’s menu for .npy and .json files', () => {
    const ext = vscode.extensions.all.find((e) => e.packageJSON?.name === 'attention-explorer');
    const cmd = ext?.packageJSON.contributes.commands.find((c: { command: string }) => c.command === COMMAND);
    assert.equal(cmd?.category, 'Attention');
    const menu = ext?.packageJSON.contributes.menus['explorer/context'].find((c: { command: string }) => c.command === COMMAND);
    assert.equal(menu?.when, 'resourceExtname == .npy || resourceExtname == .json');
  });

  it('opens the explorer’s own JSON export, given as the Explorer gives it (a Uri)', async () => {
    const weights = rowWeights(2, 3, 5);
    const tokens = ['the', 'cat', 'sat', 'on', 'mats'];
    const seq = { label: 'Line 1', tokens, offsets: new Int32Array(10), special: new Uint8Array(5), layers: 2, heads: 3, n: 5, weights };
    const outcome = await open(write('export.json', jsonOfSequence(seq)));
    if (outcome.status === 'shown') assert.equal(outcome.kind, 'export');
    await expectShown(outcome, 'export.json', tokens, 2, 3, weights);
    assert.equal(attentionTabs(), 1);
  });

  it('opens a run --model payload with weights_b64 ({ uri }) and with nested weights (a path)', async () => {
    const weights = rowWeights(2, 2, 4);
    const tokens = ['我', '喜欢', '苹果', '。'];
    const layer = (l: number) => weights.subarray(l * 2 * 16, (l + 1) * 2 * 16); // [H][N][N]
    const b64 = {
      title: 'gpt_tiny.onnx',
      tokens: tokens.map((text, i) => ({ text, start: i, end: i + 1, id: i })),
      layers: [0, 1].map((l) => ({ node: `/h.${l}/attn/Softmax`, heads: 2, weights_b64: float32ToBase64(layer(l)) })),
    };
    const shown = await open({ uri: write('model-b64.json', JSON.stringify(b64)) });
    await expectShown(shown, 'model-b64.json', tokens, 2, 2, weights);
    assert.equal(await webviewEval<string>(`document.querySelector('.sequence h2')?.textContent ?? ''`).then((t) => t.includes('gpt_tiny.onnx')), true);
    const nested = {
      tokens,
      layers: [0, 1].map((l) => ({
        node: `/h.${l}/attn/Softmax`,
        heads: 2,
        weights: [0, 1].map((h) => [0, 1, 2, 3].map((q) => Array.from(layer(l).subarray((h * 4 + q) * 4, (h * 4 + q + 1) * 4)))),
      })),
    };
    await expectShown(await open(write('model-nested.json', JSON.stringify(nested)).fsPath), 'model-nested.json', tokens, 2, 2, weights);
  });

  it('opens an .npy with numbered tokens, and with its tokens file; step by step says why it is not there', async () => {
    const weights = rowWeights(2, 4, 8);
    write('bare.npy', npyBytes(weights, [2, 4, 8, 8]));
    const numbered = Array.from({ length: 8 }, (_, i) => String(i + 1));
    await expectShown(await open(vscode.Uri.file(path.join(dir, 'bare.npy')).toString()), 'bare.npy', numbered, 2, 4, weights);

    const tokens = ['<s>', 'Attention', 'is', 'all', 'you', 'need', '.', '</s>'];
    write('run.npy', npyBytes(weights, [2, 4, 8, 8]));
    write('run.tokens.json', JSON.stringify(tokens.map((text) => ({ text, start: 0, end: 0, id: 1 }))));
    await expectShown(await open(vscode.Uri.file(path.join(dir, 'run.npy'))), 'run.npy', tokens, 2, 4, weights);
    if (hasTestHost()) {
      await shot('open-data-npy');
      await switchView('steps');
      const note = await waitFor('the steps note', () => webviewEval<string | false>(`document.querySelector('#view .hint')?.textContent || false`));
      assert.equal(note, 'Step by step recomputes the built-in layer; this data was read from run.npy.');
      await switchView('heatmaps');
    }
  });

  it('opens a 12 × 12 × 512² .npy (151 MB) kept in the host, the panel asking for tiles', async () => {
    const [layers, heads, n] = [12, 12, 512];
    const weights = new Float32Array(layers * heads * n * n);
    for (let i = 0; i < weights.length; i++) weights[i] = ((Math.imul(i, 2654435761) >>> 0) % 1000) / 1000;
    write('large.npy', npyBytes(weights, [layers, heads, n, n]));
    const outcome = await open(vscode.Uri.file(path.join(dir, 'large.npy')));
    const numbered = Array.from({ length: n }, (_, i) => String(i + 1));
    await expectShown(outcome, 'large.npy', numbered, layers, heads, weights);
    assert.equal(await webviewEval<number>(`document.querySelectorAll('.zoom-heatmap').length`), heads);
  });

  it('names a file it cannot show, and the panel keeps what it showed', async () => {
    const weights = rowWeights(1, 2, 3);
    const uri = write('kept.npy', npyBytes(weights, [2, 3, 3]));
    assert.equal((await open(uri)).status, 'shown');
    const before = await runInfo();
    await vscode.commands.executeCommand('notifications.clearAll');
    const broken: [string, Uint8Array | string, RegExp][] = [
      ['broken.json', '{"tokens": ["a", "b"], "layers": [', /Could not open broken\.json: it is not valid JSON: line 1, column 35/],
      ['other.json', '{"name": "package", "version": "1.0.0"}', /Could not open other\.json: it is JSON but not attention data/],
      ['truncated.npy', npyBytes(weights, [2, 3, 3]).subarray(0, 140), /Could not open truncated\.npy: .*needs 72 bytes of data, but the file holds 12/],
      ['nan.npy', npyBytes(Float32Array.from(weights, (v, i) => (i === 4 ? NaN : v)), [2, 3, 3]), /Could not open nan\.npy: the weight of layer 1, head 1, query 2, key 2 is NaN/],
      ['empty.json', '', /Could not open empty\.json: the file is empty/],
    ];
    for (const [name, bytes, message] of broken) {
      const outcome = await open(write(name, bytes));
      assert.equal(outcome.status, 'failed', name);
      if (hasTestHost()) await waitForNotification(message);
      assert.equal(await runInfo(), before, `${name} left the panel as it was`);
    }
    assert.equal(attentionTabs(), 1);
    const shown = await panelWeights('open-data-kept');
    assert.ok(shown.every((v, i) => v === weights[i]));
    await vscode.commands.executeCommand('notifications.clearAll');
  });
});
