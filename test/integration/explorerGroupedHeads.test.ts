// Grouped-query attention in the explorer panel: a run --model payload whose 8 query heads share
// 2 key/value heads per layer, opened with Open Attention Data, read back from the real webview
// (a line between the two groups of four in the heads grid and in every row of the model grid,
// "KV head j of 2" in captions, labels and tooltips), looked at in light and dark themes, in
// English and Chinese, and carried into an exported picture and standalone page.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import type { ExportOutcome } from '../../src/host/explorer/exportView';
import type { OpenDataOutcome } from '../../src/host/explorer/openData';
import { webviewStrings } from '../../src/host/explorer/strings';
import { float32ToBase64 } from '../../src/shared/notebookOutput';
import { launchBrowser } from '../host/browser';
import { chineseStrings, postToWebview, setControl, shot, switchView } from './explorer/support';
import { hasTestHost, hoverInWebview, webviewEval } from './support/host';
import { setColorTheme, waitFor } from './support/wait';

const THEMES = [
  ['Default Light Modern', vscode.ColorThemeKind.Light, 'light'],
  ['Default Dark Modern', vscode.ColorThemeKind.Dark, 'dark'],
] as const;

const TOKENS = ['我', '喜', '欢', '吃', '苹', '果'];
const LAYERS = 2;
const HEADS = 8;
const KV_HEADS = 2;
const dir = mkdtempSync(path.join(os.tmpdir(), 'attention-grouped-'));

/** One layer's [H][N][N]: rows that sum to 1, each head its own pattern. */
function layerWeights(layer: number): Float32Array {
  const n = TOKENS.length;
  const w = new Float32Array(HEADS * n * n);
  for (let row = 0; row < HEADS * n; row++) {
    let sum = 0;
    for (let k = 0; k < n; k++) sum += w[row * n + k] = Math.exp(2 * Math.sin(row * 5 + k * (1 + ((row + layer) % 4))));
    for (let k = 0; k < n; k++) w[row * n + k] /= sum;
  }
  return w;
}

/** The payload `run --model` writes for a model with grouped heads, as a file. */
function groupedPayload(): vscode.Uri {
  const file = path.join(dir, 'grouped.json');
  const layers = Array.from({ length: LAYERS }, (_, l) => ({
    node: `/model/layers.${l}/self_attn/Softmax`, heads: HEADS, kv_heads: KV_HEADS, weights_b64: float32ToBase64(layerWeights(l)),
  }));
  writeFileSync(file, JSON.stringify({ tokens: TOKENS, layers }));
  return vscode.Uri.file(file);
}

/** What the heads grid shows: its children in order (a heatmap's caption, or "|" for a separator). */
const headsGrid = () => webviewEval<string[]>(`[...document.querySelector('#view .heads').children].map((c) =>
  c.classList.contains('attn-kv-sep') ? '|' + c.getAttribute('role') : c.querySelector('figcaption').textContent.replace(/ · (max|最大) [0-9.]+$/, ''))`);

/** Each model row's children: "|" for a separator, else the thumbnail's head and tooltip. */
const modelRows = () => webviewEval<string[][]>(`[...document.querySelectorAll('#view .model-row')].map((row) =>
  [...row.children].filter((c) => !c.classList.contains('model-layer')).map((c) =>
    c.classList.contains('attn-kv-sep') ? '|' : c.dataset.head + ':' + c.title + ':' + c.getAttribute('aria-label')))`);

function expectedGrid(layerWord: string, headWord: string, kv: (g: number) => string): string[] {
  const out: string[] = [];
  for (let h = 0; h < HEADS; h++) {
    if (h === HEADS / KV_HEADS) out.push('|separator');
    out.push(`${layerWord} 1 · ${headWord} ${h + 1} · ${kv(h < 4 ? 1 : 2)}`);
  }
  return out;
}

describe('Explorer grouped heads', function () {
  this.timeout(180_000);

  before(async function () {
    if (!hasTestHost()) this.skip();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  after(async () => {
    await setColorTheme('Default Dark Modern', vscode.ColorThemeKind.Dark);
  });

  for (const [theme, kind, name] of THEMES) {
    it(`draws a line between the groups of heads that share a key/value head, with captions, in the ${name} theme`, async () => {
      await setColorTheme(theme, kind);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      const outcome = await vscode.commands.executeCommand<OpenDataOutcome>('attentionExplorer.openData', groupedPayload());
      assert.equal(outcome?.status, 'shown', JSON.stringify(outcome));
      assert.deepEqual(outcome.status === 'shown' && outcome.rendered?.sequences, [{ tokens: 6, heads: HEADS, drawnCanvases: HEADS }]);
      await vscode.commands.executeCommand('notifications.clearAll');

      // The heads grid: four heads, a line, four heads; each caption names its key/value head.
      assert.deepEqual(await headsGrid(), expectedGrid('Layer', 'Head', (g) => `KV head ${g} of 2`));
      const aria = await webviewEval<string[]>(`[...document.querySelectorAll('#view .heatmap-overlay')].map((o) => o.getAttribute('aria-label'))`);
      assert.equal(aria[5], 'Attention weights of head 6: queries down, keys across · KV head 2 of 2');
      await webviewEval(`(document.querySelector('.heatmap-overlay[data-head="5"]').scrollIntoView({ block: 'center' }), true)`);
      await hoverInWebview('.heatmap-overlay[data-head="5"]');
      const tip = await waitFor('the tooltip', () =>
        webviewEval<string | false>(`(() => { const t = document.getElementById('tooltip'); return !t.hidden && t.textContent; })()`));
      assert.match(tip, /^Head 6 · KV head 2 of 2 · Query \d “.” → Key \d “.” · Weight 0\.\d+$/);
      // The line is drawn: a thin coloured rule across the grid, the first group above it, the second below.
      const line = await webviewEval<{ w: number; h: number; grid: number; colour: string; above: number; below: number }>(`(() => {
        const el = document.querySelector('#view .heads > .attn-kv-sep'); const r = el.getBoundingClientRect();
        const maps = [...document.querySelectorAll('#view .heads > .heatmap')].map((m) => m.getBoundingClientRect());
        return { w: r.width, h: r.height, grid: document.querySelector('#view .heads').clientWidth, colour: getComputedStyle(el).backgroundColor,
          above: Math.max(...maps.slice(0, 4).map((m) => m.bottom)) - r.top, below: r.bottom - Math.min(...maps.slice(4).map((m) => m.top)) }; })()`);
      assert.equal(line.h, 2, JSON.stringify(line));
      assert.equal(line.w, line.grid, 'across the whole grid');
      assert.ok(line.above <= 0 && line.below <= 0, `heads 1–4 above the line, 5–8 below: ${JSON.stringify(line)}`);
      assert.doesNotMatch(line.colour, /rgba\(0, 0, 0, 0\)|transparent/);
      await webviewEval(`(document.querySelector('#view .heads > .attn-kv-sep').scrollIntoView({ block: 'center' }), true)`);
      await shot(`explorer-grouped-heads-${name}`);
      await webviewEval(`(window.scrollTo(0, 0), true)`);

      // The model grid: the same line in each layer's row, the key/value head in each thumbnail's tooltip and label.
      await switchView('model');
      const rows = await modelRows();
      assert.equal(rows.length, LAYERS);
      // Each layer's heads and line fit one row, the line upright between heads 4 and 5.
      const places = await webviewEval<{ tops: number[]; lineX: number; left: number; right: number }[]>(`[...document.querySelectorAll('#view .model-row')].map((row) => {
        const thumbs = [...row.querySelectorAll('.thumb')].map((t) => t.getBoundingClientRect());
        const line = row.querySelector('.attn-kv-sep').getBoundingClientRect();
        return { tops: thumbs.map((t) => Math.round(t.top)), lineX: line.left, left: thumbs[3].right, right: thumbs[4].left };
      })`);
      for (const p of places) {
        assert.equal(new Set(p.tops).size, 1, `one row: ${JSON.stringify(p)}`);
        assert.ok(p.left <= p.lineX && p.lineX <= p.right, JSON.stringify(p));
      }
      for (const [l, row] of rows.entries()) {
        assert.equal(row.length, HEADS + 1);
        assert.equal(row[4], '|', `layer ${l + 1}: the line comes after head 4`);
        // Short sequences show each head's summaries too; they follow the key/value head.
        assert.match(row[0], new RegExp(`^0:KV head 1 of 2 · entropy [^:]+:Layer ${l + 1}, head 1: open large · KV head 1 of 2 · entropy `));
        assert.match(row[8], new RegExp(`^7:KV head 2 of 2 · entropy [^:]+:Layer ${l + 1}, head 8: open large · KV head 2 of 2 · entropy `));
      }
      await shot(`explorer-grouped-model-${name}`);

      // In Chinese.
      await postToWebview(`({ type: 'init', strings: ${JSON.stringify(chineseStrings())} })`);
      await waitFor('Chinese strings', () => webviewEval<boolean>(`document.querySelector('.view-switch [data-view="model"]').textContent === '模型'`));
      const zhRows = await modelRows();
      assert.match(zhRows[1][5], /^4:键值头 2\/2 · [^:]+:[^:]+ · 键值头 2\/2 · /);
      await shot(`explorer-grouped-model-${name}-zh`);
      await switchView('heatmaps');
      assert.deepEqual(await headsGrid(), expectedGrid('层', '头', (g) => `键值头 ${g}/2`));
      await shot(`explorer-grouped-heads-${name}-zh`);
      await postToWebview(`({ type: 'init', strings: ${JSON.stringify(webviewStrings())} })`);
      await waitFor('English strings', () => webviewEval<boolean>(`document.querySelector('.view-switch [data-view="model"]').textContent === 'Model'`));
    });
  }

  it('shows one head large without a line, the heads\' mean without key/value captions, and sorted thumbnails without lines', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand<OpenDataOutcome>('attentionExplorer.openData', groupedPayload());
    await setControl('head', '4');
    await waitFor('one head', () => webviewEval<boolean>(`document.querySelectorAll('#view .heatmap').length === 1`));
    assert.deepEqual(await headsGrid(), ['Layer 1 · Head 5 · KV head 2 of 2']);
    await setControl('layer', '1');
    await waitFor('layer 2', () => webviewEval<boolean>(`/^Layer 2/.test(document.querySelector('#view figcaption').textContent)`));
    await setControl('head', '-1');
    await waitFor('all heads', () => webviewEval<boolean>(`document.querySelectorAll('#view .heatmap').length === 8`));
    assert.deepEqual((await headsGrid()).slice(3, 6), ['Layer 2 · Head 4 · KV head 1 of 2', '|separator', 'Layer 2 · Head 5 · KV head 2 of 2']);
    await setControl('aggregate', 'mean');
    await waitFor('the mean', () => webviewEval<boolean>(`/mean of the heads/.test(document.querySelector('#view figcaption').textContent)`));
    assert.deepEqual(await headsGrid(), ['Layer 2 · mean of the heads']);
    // Heads sorted by a summary are no longer in their groups: no lines, but each still names its key/value head.
    await switchView('model');
    await setControl('sort', 'entropy');
    await waitFor('sorted heads', () => webviewEval<boolean>(`[...document.querySelectorAll('#view .model-row')[0].querySelectorAll('.thumb')].some((t, i) => t.dataset.head !== String(i))`));
    assert.equal(await webviewEval<number>(`document.querySelectorAll('#view .attn-kv-sep').length`), 0);
    for (const row of await modelRows()) {
      for (const t of row) assert.match(t, new RegExp(`^\\d:KV head ${Number(t[0]) < 4 ? 1 : 2} of 2 · entropy `), t);
    }
  });

  it('keeps the lines in exported pictures and in the standalone page', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand<OpenDataOutcome>('attentionExplorer.openData', groupedPayload());
    const exportAs = async (format: string): Promise<string> => {
      // Not grouped.json: that is the payload the panel was opened from.
      const uri = vscode.Uri.file(path.join(dir, `grouped.${format === 'json' ? 'json.json' : format}`));
      const outcome = await vscode.commands.executeCommand<ExportOutcome>('attentionExplorer.exportView', { format, uri });
      assert.equal(outcome?.status, 'written', JSON.stringify(outcome));
      return readFileSync(uri.fsPath, 'utf8');
    };
    // The SVG draws the line as a filled box where it sits, and writes the captions as text.
    const box = await webviewEval<{ x: number; y: number; w: number }>(`(() => {
      const o = document.getElementById('export-region').getBoundingClientRect();
      const r = document.querySelector('#view .heads > .attn-kv-sep').getBoundingClientRect();
      return { x: r.left - o.left, y: r.top - o.top, w: r.width }; })()`);
    const svg = await exportAs('svg');
    const rect = `<rect x="${box.x.toFixed(1)}" y="${box.y.toFixed(1)}" width="${box.w.toFixed(1)}" height="2.0"`;
    assert.ok(svg.includes(rect), `the line is in the SVG: ${rect}`);
    assert.match(svg, />Layer 1 · Head 5 · KV head 2 of 2 · max 0\.\d+</);

    // The JSON export keeps kv_heads, and opening it again draws the same groups.
    const json = JSON.parse(await exportAs('json')) as { kv_heads?: number[] };
    assert.deepEqual(json.kv_heads, [KV_HEADS, KV_HEADS]);
    const reopened = await vscode.commands.executeCommand<OpenDataOutcome>('attentionExplorer.openData', vscode.Uri.file(path.join(dir, 'grouped.json.json')));
    assert.equal(reopened?.status, 'shown', JSON.stringify(reopened));
    assert.deepEqual(await headsGrid(), expectedGrid('Layer', 'Head', (g) => `KV head ${g} of 2`));

    const html = await exportAs('html');
    assert.match(html, /"kvHeads":\[2,2\]/);
    const browser = await launchBrowser();
    try {
      const page = await (await browser.newContext({ viewport: { width: 1100, height: 800 } })).newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(vscode.Uri.file(path.join(dir, 'grouped.html')).toString());
      await page.waitForFunction(() => document.querySelectorAll('.heatmap-overlay').length === 8, undefined, { timeout: 15_000 });
      assert.equal(await page.locator('.heads > .attn-kv-sep').count(), 1);
      assert.match(await page.locator('.heatmap figcaption').nth(4).textContent() ?? '', /^Layer 1 · Head 5 · KV head 2 of 2 · max/);
      await page.locator('.view-switch [data-view="model"]').click();
      assert.equal(await page.locator('.model-row > .attn-kv-sep').count(), LAYERS);
      await page.screenshot({ path: path.join(__dirname, '..', '..', '..', 'test-output', 'screenshots', 'explorer-grouped-standalone.png') });
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
    }
  });
});
