// The models shipped in media/models/ in a real VS Code: Explore Selection with
// attentionExplorer.layer set to one of them runs it on 我喜欢吃苹果 (every layer × head, its own
// tokens, its label in the run line), in light and dark; step by step takes one of its heads apart
// from the model's own queries, keys and values and lands on the heatmap's weights.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import type { ExploreOutcome } from '../../src/host/exploreCommand';
import { lineSelection, openSample, setControl, setSetting, shot, switchView } from './explorer/support';
import { hasTestHost, waitForNotification, webviewEval } from './support/host';
import { panelWeights } from './support/panelWeights';
import { openScratch, setColorTheme, waitFor } from './support/wait';

const MODELS = path.resolve(__dirname, '..', '..', '..', 'media', 'models', 'models.json');

interface Described { label: string; layers: number; heads: number }

function described(name: string): Described {
  const json = JSON.parse(readFileSync(MODELS, 'utf8')) as { models: Record<string, { label: string; architecture: { layers: number; heads: number } }> };
  const { label, architecture } = json.models[name];
  return { label, layers: architecture.layers, heads: architecture.heads };
}

async function exploreFirstLine(): Promise<ExploreOutcome> {
  const editor = await openSample('sentences.txt');
  editor.selection = lineSelection(editor, 0);
  const outcome = await vscode.commands.executeCommand<ExploreOutcome>('attentionExplorer.exploreSelection');
  assert.ok(outcome);
  return outcome;
}

/** The softmax step's table as the panel shows it, two decimals. */
async function stepWeights(): Promise<string[][]> {
  await waitFor('the softmax step', () => webviewEval<boolean>(`!!document.querySelector('.step[data-step="softmax"] tbody tr td')`), 30_000);
  return webviewEval<string[][]>(`[...document.querySelectorAll('.step[data-step="softmax"] tbody tr')]
    .map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent))`);
}

describe('Learned models shipped with the extension', function () {
  this.timeout(180_000);

  after(async () => {
    await setSetting('layer', undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Explore Selection runs learned-bidirectional on 我喜欢吃苹果: every layer × head, its tokens, its label', async function () {
    await setSetting('layer', 'learned-bidirectional');
    const model = described('learned-bidirectional');
    const outcome = await exploreFirstLine();
    assert.equal(outcome.status, 'shown');
    if (outcome.status !== 'shown') return;
    const seq = outcome.rendered?.sequences[0];
    assert.equal(seq?.heads, model.heads);
    if (!hasTestHost()) return;
    const line = await webviewEval<string>(`document.querySelector('.run-info').textContent`);
    assert.ok(line.startsWith(`${model.label} · onnx-wasm`), line);
    const layers = await webviewEval<string[]>(`[...document.querySelectorAll('#layer option')].map((o) => o.textContent)`);
    assert.equal(layers.length, model.layers);
    // The tokens as Export View writes them: the model's own, one per character.
    const file = path.join(tmpdir(), `learned-tokens-${process.pid}.json`);
    const written = await vscode.commands.executeCommand<{ status: string }>('attentionExplorer.exportView', { format: 'json', uri: vscode.Uri.file(file) });
    assert.equal(written?.status, 'written');
    const tokens = (JSON.parse(readFileSync(file, 'utf8')) as { tokens: string[] }).tokens;
    assert.deepEqual(tokens.filter((t) => /[\u4e00-\u9fff]/.test(t)), [...'我喜欢吃苹果']);
    await setColorTheme('Default Light Modern', vscode.ColorThemeKind.Light);
    await shot('learned-bidirectional-light');
    await setColorTheme('Default Dark Modern', vscode.ColorThemeKind.Dark);
    await setControl('layer', '1');
    await shot('learned-bidirectional-dark');
  });

  it('step by step takes a head of layer 2 apart from the model\'s own q, k, v, equal to its heatmap', async function () {
    if (!hasTestHost()) this.skip();
    const weights = await panelWeights('learned-steps'); // [L][H][N][N]
    const model = described('learned-bidirectional');
    const n = Math.round(Math.sqrt(weights.length / (model.layers * model.heads)));
    await switchView('steps');
    await setControl('layer', '1');
    await setControl('head', '2');
    const title = await waitFor('the steps of layer 2, head 3', () =>
      webviewEval<string | false>(`(document.querySelector('#view h2')?.textContent ?? '').startsWith('Layer 2, head 3') && document.querySelector('#view h2').textContent`), 30_000);
    assert.match(title, /the model's own queries, keys and values/);
    const steps = await stepWeights();
    const base = (1 * model.heads + 2) * n * n; // layer 1, head 2
    const expected = Array.from({ length: n }, (_, q) =>
      Array.from(weights.subarray(base + q * n, base + (q + 1) * n), (w) => w.toFixed(2).replace('-', '−')));
    assert.deepEqual(steps, expected);
    await shot('learned-steps-dark');
  });

  it('says plainly when a selection is longer than the model\'s positions, and shows nothing', async function () {
    await setSetting('layer', 'learned-bidirectional');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const editor = await openScratch('long-line.txt', '我喜欢吃苹果'.repeat(30));
    editor.selection = new vscode.Selection(0, 0, 0, editor.document.lineAt(0).text.length);
    const outcome = await vscode.commands.executeCommand<ExploreOutcome>('attentionExplorer.exploreSelection');
    assert.equal(outcome?.status, 'failed');
    if (hasTestHost()) await waitForNotification(/reads at most 128 tokens \(its learned positions\); this text has 182; use a shorter text/);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('learned-causal opens step by step causal, and its heads hide every later key', async function () {
    await setSetting('layer', 'learned-causal');
    const outcome = await exploreFirstLine();
    assert.equal(outcome.status, 'shown');
    if (!hasTestHost()) return;
    const weights = await panelWeights('learned-causal');
    const model = described('learned-causal');
    const n = Math.round(Math.sqrt(weights.length / (model.layers * model.heads)));
    for (let m = 0; m < model.layers * model.heads; m++) {
      for (let q = 0; q < n; q++) for (let k = q + 1; k < n; k++) assert.equal(weights[(m * n + q) * n + k], 0);
    }
    await switchView('steps');
    await setControl('layer', '0');
    await setControl('head', '0');
    const pressed = await waitFor('the causal toggle', () =>
      webviewEval<string | false>(`document.getElementById('steps-causal')?.getAttribute('aria-pressed') ?? false`));
    assert.equal(pressed, 'true', 'the steps start from the model\'s own mask');
    const steps = await stepWeights();
    const expected = Array.from({ length: n }, (_, q) => Array.from(weights.subarray(q * n, (q + 1) * n), (w) => w.toFixed(2).replace('-', '−')));
    assert.deepEqual(steps, expected, 'layer 1, head 1 step by step equals its heatmap');
  });
});
