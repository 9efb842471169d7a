// 16384 tokens in the real panel: the layer is computed blockwise and kept in a worker, the heatmap
// shows an overview of the whole matrix, zooms to a region with its token labels, and shows the
// exact weight of the cell under the pointer. Screenshots of each, to look at.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { blockwiseAttention, weightsRows } from '../../src/core/blockwise';
import { buildLayer, layerSpec } from '../../src/core';
import type { ExploreOutcome } from '../../src/host/exploreCommand';
import { setControl, setSetting, shot } from './explorer/support';
import { hasTestHost, hoverInWebview, webviewEval } from './support/host';
import { setColorTheme, waitFor } from './support/wait';

const N = 16384;
const HEADS = 4;
const D_MODEL = 32;
const TEXT = Array.from({ length: N }, (_, i) => '我喜欢吃苹果今天天气很好我们去公园散步'[i % 19]).join('');
const CANVAS = '.zoom-heatmap canvas[data-q0]';

interface ZoomState {
  q0: number;
  q1: number;
  k0: number;
  k1: number;
  cell: number;
  exact: string;
  pending: string;
}

function zoomState(): Promise<ZoomState> {
  return webviewEval<ZoomState>(`(() => { const d = document.querySelector(${JSON.stringify(CANVAS)}).dataset;
    return { q0: +d.q0, q1: +d.q1, k0: +d.k0, k1: +d.k1, cell: +d.cell, exact: d.exact, pending: d.pending }; })()`);
}

async function settled(what: string): Promise<ZoomState> {
  return waitFor(what, async () => {
    const s = await zoomState();
    return s.pending !== 'true' && s;
  }, 60_000);
}

describe('16384 tokens: kept blockwise, explored by overview, zoom and hover', function () {
  this.timeout(300_000);

  before(async function () {
    if (!hasTestHost()) this.skip();
    await setSetting('heads', HEADS);
    await setSetting('dModel', D_MODEL);
    await setSetting('maxTokensWithoutAsking', 100_000);
  });

  after(async () => {
    for (const key of ['heads', 'dModel', 'maxTokensWithoutAsking']) await setSetting(key, undefined);
    await setColorTheme('Default Dark Modern', vscode.ColorThemeKind.Dark);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('draws the overview, zooms to labelled tokens, and shows exact weights under the pointer', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const doc = await vscode.workspace.openTextDocument({ content: TEXT });
    const editor = await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
    editor.selection = new vscode.Selection(0, 0, 0, TEXT.length);
    const outcome = await vscode.commands.executeCommand<ExploreOutcome>('attentionExplorer.exploreSelection');
    assert.equal(outcome?.status, 'shown');
    if (outcome?.status !== 'shown') return;
    assert.deepEqual(outcome.rendered?.sequences, [{ tokens: N, heads: HEADS, drawnCanvases: HEADS }]);
    assert.match(await webviewEval<string>(`document.querySelector('.run-info').textContent`), /blockwise/);

    // One head large: the whole matrix as an overview.
    await setControl('head', '0');
    await waitFor('one zoomable heatmap', () => webviewEval<boolean>(`document.querySelectorAll('.zoom-heatmap').length === 1`));
    const whole = await settled('the overview');
    assert.deepEqual([whole.q0, whole.q1, whole.k0, whole.k1], [0, N, 0, N]);
    assert.equal(whole.exact, 'false', 'an overview pools blocks of tokens');
    await setColorTheme('Default Light Modern', vscode.ColorThemeKind.Light);
    await shot('long-overview-light');
    await setColorTheme('Default Dark Modern', vscode.ColorThemeKind.Dark);
    await shot('long-overview-dark');

    // Zoomed in until tokens have labels: an exact window of a few dozen tokens.
    await webviewEval(`(() => { const c = document.querySelector(${JSON.stringify(CANVAS)}); c.focus();
      for (let i = 0; i < 14; i++) c.dispatchEvent(new KeyboardEvent('keydown', { key: '+', bubbles: true })); return true; })()`);
    const zoomed = await waitFor('an exact, labelled window', async () => {
      const s = await settled('the zoomed window');
      return s.exact === 'true' && s.cell >= 12 && s;
    }, 60_000);
    assert.ok(zoomed.q1 - zoomed.q0 < 200, JSON.stringify(zoomed));
    await shot('long-zoomed-labels');

    // The weight under the pointer is the layer's own, recomputed here by the core.
    await hoverInWebview(CANVAS);
    const tip = await waitFor('the tooltip with a weight', () =>
      webviewEval<string | false>(`(() => { const t = document.getElementById('tooltip'); return !t.hidden && /\\d\\.\\d{4}/.test(t.textContent) && t.textContent; })()`),
    );
    const m = /(\d+) “(.)” → \S+ (\d+) “(.)”.*?(\d\.\d+(?:e-\d+)?)\s*$/.exec(tip);
    assert.ok(m, tip);
    const [q, k, shown] = [Number(m[1]) - 1, Number(m[3]) - 1, Number(m[5])];
    assert.equal(m[2], TEXT[q]);
    assert.equal(m[4], TEXT[k]);
    const layer = buildLayer({ kind: 'text', text: TEXT }, layerSpec({ heads: HEADS, dModel: D_MODEL }));
    const kept = blockwiseAttention(layer.x, layer.n, layer.weights, layer.options, { rows: [q, q + 1] });
    const row = weightsRows(kept, 0, q, q + 1); // [1, N]
    assert.ok(Math.abs(row[k] - shown) <= 1e-6 * Math.max(1, row[k]) + 5e-7, `tooltip ${tip}; the core says ${row[k]}`);
    await shot('long-hover');

    // Every weight would be 4 GB: data exports say so and point to the picture.
    const written = await vscode.commands.executeCommand<{ status: string; message?: string }>('attentionExplorer.exportView', { format: 'npy', uri: vscode.Uri.file('/tmp/long.npy') });
    assert.equal(written?.status, 'failed');
    assert.match(written?.message ?? '', /16384 tokens are too many to write every weight \(4\.0 GB\).*PNG or SVG/);
  });
});
