// Attention: Export View, end to end: every format written without a dialog ({ format, uri }),
// and each file read back: NPY header and floats equal to the core's weights, CSV rows, JSON
// shape, PNG signature and size, SVG content, and a standalone HTML page that a browser opens
// offline with the same interactive view.
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import * as vscode from 'vscode';
import { layerSpec, runLayer } from '../../src/core';
import type { ExportOutcome } from '../../src/host/explorer/exportView';
import { launchBrowser } from '../host/browser';
import { exploreLine, switchView } from './explorer/support';
import { hasTestHost, webviewEval } from './support/host';

const dir = mkdtempSync(path.join(os.tmpdir(), 'attention-export-'));
/** What the panel shows for 我喜欢吃苹果 with the default settings, from the core itself. */
const expected = runLayer({ kind: 'text', text: '我喜欢吃苹果' }, layerSpec({ heads: 4, dModel: 64, seed: 42 })).result.weights; // [4][6][6]

async function exportAs(format: string): Promise<Buffer> {
  const uri = vscode.Uri.file(path.join(dir, `attention.${format}`));
  const outcome = await vscode.commands.executeCommand<ExportOutcome>('attentionExplorer.exportView', { format, uri });
  assert.equal(outcome?.status, 'written', JSON.stringify(outcome));
  const bytes = readFileSync(uri.fsPath);
  if (outcome?.status === 'written') assert.equal(outcome.bytes, bytes.length);
  return bytes;
}

describe('Attention: Export View', function () {
  this.timeout(120_000);

  before(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await exploreLine(0);
  });

  it('is contributed with its category and only offered while the panel is active', () => {
    const ext = vscode.extensions.all.find((e) => e.packageJSON?.name === 'attention-explorer');
    const cmd = ext?.packageJSON.contributes.commands.find((c: { command: string }) => c.command === 'attentionExplorer.exportView');
    assert.equal(cmd?.category, 'Attention');
    const palette = ext?.packageJSON.contributes.menus.commandPalette.find((c: { command: string }) => c.command === 'attentionExplorer.exportView');
    assert.match(palette?.when ?? '', /activeWebviewPanelId == 'attentionExplorer.panel'/);
  });

  it('writes NPY with a valid header and the exact float32 weights', async () => {
    const npy = await exportAs('npy');
    assert.deepEqual([...npy.subarray(0, 8)], [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    const headerLength = npy.readUInt16LE(8);
    assert.equal((10 + headerLength) % 64, 0, 'data starts on a 64-byte boundary');
    const header = npy.subarray(10, 10 + headerLength).toString('latin1');
    assert.match(header, /^\{'descr': '<f4', 'fortran_order': False, 'shape': \(1, 4, 6, 6\), \} *\n$/);
    const data = npy.subarray(10 + headerLength);
    assert.equal(data.length, 4 * 1 * 4 * 6 * 6);
    for (let i = 0; i < expected.length; i++) assert.equal(data.readFloatLE(i * 4), expected[i], `weight ${i}`);
  });

  it('never replaces a folder, and a write that fails leaves what was there and no temporary file', async () => {
    const before = await exportAs('npy');
    const target = path.join(dir, 'attention.npy');
    // A folder where the file should go is never replaced (a rename with overwrite would).
    const folder = path.join(dir, 'taken.npy');
    mkdirSync(folder);
    writeFileSync(path.join(folder, 'kept.txt'), 'kept');
    const failed = await vscode.commands.executeCommand<ExportOutcome>('attentionExplorer.exportView', { format: 'npy', uri: vscode.Uri.file(folder) });
    assert.equal(failed?.status, 'failed');
    assert.ok(statSync(folder).isDirectory(), 'the folder is untouched');
    assert.equal(readFileSync(path.join(folder, 'kept.txt'), 'utf8'), 'kept');
    assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no temporary file is left');
    assert.deepEqual(readFileSync(target), before, 'the earlier export is as it was');
  });

  it('writes CSV with one row per layer, head and query', async () => {
    const lines = (await exportAs('csv')).toString('utf8').trimEnd().split('\n');
    assert.equal(lines.length, 1 + 1 * 4 * 6);
    assert.equal(lines[0], 'layer,head,query,token,1:我,2:喜,3:欢,4:吃,5:苹,6:果');
    const row = lines[1 + 2 * 6 + 3].split(','); // head 3, query 4 (吃)
    assert.deepEqual(row.slice(0, 4), ['1', '3', '4', '吃']);
    row.slice(4).forEach((v, k) => assert.equal(Math.fround(Number(v)), expected[(2 * 6 + 3) * 6 + k]));
  });

  it('writes JSON with the tokens, their offsets and the weights [L][H][N][N]', async () => {
    const json = JSON.parse((await exportAs('json')).toString('utf8'));
    assert.deepEqual(json.shape, [1, 4, 6, 6]);
    assert.deepEqual(json.tokens, [...'我喜欢吃苹果']);
    assert.deepEqual(json.offsets[2], [2, 3]);
    assert.equal(Math.fround(json.weights[0][1][2][3]), expected[(1 * 6 + 2) * 6 + 3]);
  });

  it('writes a PNG of the view at the device pixel ratio', async () => {
    const png = await exportAs('png');
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const image = PNG.sync.read(png);
    const expectedSize = await webviewEval<{ w: number; h: number }>(`(() => { const r = document.getElementById('export-region');
      return { w: Math.round(r.scrollWidth * devicePixelRatio), h: Math.round(r.scrollHeight * devicePixelRatio) }; })()`);
    assert.equal(image.width, expectedSize.w);
    assert.equal(image.height, expectedSize.h);
    const colours = new Set<number>();
    for (let i = 0; i < image.data.length; i += 4) colours.add(image.data.readUInt32BE(i));
    assert.ok(colours.size > 40, `${colours.size} colours: the heatmaps are in the picture`);
  });

  it('writes an SVG of the current view with its text as text', async () => {
    await switchView('model');
    const svg = (await exportAs('svg')).toString('utf8');
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.equal((svg.match(/<image /g) ?? []).length, 4 + 1, 'four thumbnails and the legend');
    assert.match(svg, />Head 1</);
    await switchView('heatmaps');
  });

  it('writes a standalone HTML page that opens offline with the same interactive view', async function () {
    if (!hasTestHost()) this.skip();
    const html = (await exportAs('html')).toString('utf8');
    assert.match(html, /<script type="application\/json" id="attention-data">/);
    assert.doesNotMatch(html, /<script[^>]+src=/i, 'every script is inline');
    assert.doesNotMatch(html, /(src|href)\s*=\s*["']?(https?:)?\/\//i, 'nothing is loaded from elsewhere');
    assert.doesNotMatch(html, /url\(\s*["']?(https?:)?\/\//i);
    const browser = await launchBrowser();
    try {
      const page = await (await browser.newContext({ viewport: { width: 900, height: 800 } })).newPage();
      const requests: string[] = [];
      const errors: string[] = [];
      // Offline: anything but the file itself is refused and remembered.
      await page.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
        requests.push(url);
        return route.abort();
      });
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(vscode.Uri.file(path.join(dir, 'attention.html')).toString());
      await page.waitForFunction(() => document.querySelectorAll('.heatmap-overlay').length === 4, undefined, { timeout: 15_000 });
      const box = await page.locator('.heatmap-overlay[data-head="0"]').boundingBox();
      assert.ok(box);
      await page.mouse.move(box.x + box.width - 20, box.y + box.height - 20);
      const tip = await page.locator('#tooltip').textContent();
      assert.match(tip ?? '', /Head 1 · Query 6 “果” → Key 6 “果” · Weight 0\.\d+/);
      await page.locator('.view-switch [data-view="model"]').click();
      assert.equal(await page.locator('.thumb').count(), 4);
      await page.screenshot({ path: path.join(__dirname, '..', '..', '..', 'test-output', 'screenshots', 'explorer-standalone-html.png') });
      assert.deepEqual(requests, []);
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
    }
  });
});
