// The explorer's views in a real VS Code: toolbar, heatmaps (hover, lock, keys), model grid, line
// view, step by step and compare, driven through the webview and looked at in screenshots.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { webviewStrings } from '../../src/host/explorer/strings';
import { chineseStrings, exploreLine, postToWebview, setControl, shot, switchView } from './explorer/support';
import { clickInWebview, hasTestHost, hoverInWebview, mouseClick, pressKey, webviewBox, webviewEval } from './support/host';
import { setColorTheme, waitFor } from './support/wait';

const THEMES = [
  ['Default Light Modern', vscode.ColorThemeKind.Light, 'light'],
  ['Default Dark Modern', vscode.ColorThemeKind.Dark, 'dark'],
] as const;

/** Three layers of four heads over eight tokens, two of them special: what an ONNX model gives. */
const SYNTHETIC = `(() => {
  const L = 3, H = 4, N = 8, w = new Float32Array(L * H * N * N);
  for (let r = 0; r < L * H * N; r++) {
    let sum = 0;
    for (let k = 0; k < N; k++) { const v = Math.exp(2 * Math.sin(r * 7 + k * (1 + (r % 5)))); w[r * N + k] = v; sum += v; }
    for (let k = 0; k < N; k++) w[r * N + k] /= sum;
  }
  return { type: 'show', requestId: 100000, elapsedMs: 1,
    settings: { heads: H, dModel: 32, seed: 1, mask: 'none', engine: 'test' },
    sequences: [{ label: 'three layers', tokens: ['[CLS]', 'the', 'cat', 'sat', 'on', 'the', 'mat', '[SEP]'],
      offsets: new Int32Array(2 * N).fill(-1), special: Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 1]),
      layers: L, heads: H, n: N, weights: w, steps: false }] };
})()`;

describe('Explorer views', function () {
  this.timeout(120_000);

  before(async function () {
    if (!hasTestHost()) this.skip();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  beforeEach(async () => {
    // A fresh panel each time: the view state a test leaves behind would carry over otherwise.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await exploreLine(0);
  });

  after(async () => {
    await setColorTheme('Default Dark Modern', vscode.ColorThemeKind.Dark);
  });

  it('labels every control and reaches them all by keyboard', async () => {
    const controls = await webviewEval<{ id: string; label: string; tab: number }[]>(`[...document.querySelectorAll('.controls button, .controls select, .controls input')]
      .map((e) => ({ id: e.id, tab: e.tabIndex, label: (e.labels?.[0]?.textContent ?? '') || e.getAttribute('aria-label') || e.textContent }))`);
    assert.ok(controls.length >= 9, JSON.stringify(controls));
    for (const c of controls) {
      assert.ok(c.label.trim().length > 0, `a control without a name: ${JSON.stringify(c)}`);
      assert.ok(c.tab >= 0, `not reachable by Tab: ${JSON.stringify(c)}`);
    }
    // Tab from the first view button moves through the toolbar.
    await webviewEval(`(document.querySelector('.view-switch button').focus(), true)`);
    await pressKey('Tab');
    const next = await webviewEval<string>(`document.activeElement?.dataset.view ?? document.activeElement?.id`);
    assert.equal(next, 'model');
  });

  it('hovers, locks and unlocks a cell, and moves it with the keys', async () => {
    await setControl('head', '0');
    await waitFor('one large heatmap', () => webviewEval<boolean>(`document.querySelectorAll('.heatmap-overlay').length === 1`));
    await hoverInWebview('.heatmap-overlay');
    const hovered = await waitFor('the tooltip', () => webviewEval<string | false>(`!document.getElementById('tooltip').hidden && document.getElementById('tooltip').textContent`));
    assert.match(hovered, /Head 1 · Query \d “[我喜欢吃苹果]” → Key \d “[我喜欢吃苹果]” · Weight 0\.\d+/);
    await clickInWebview('.heatmap-overlay');
    assert.equal(await webviewEval(`document.querySelector('.heatmap-overlay').dataset.locked`), 'true');
    // Locked: moving the pointer away does not move the focus.
    const box = await webviewBox();
    const { x, y } = await webviewEval<{ x: number; y: number }>(`(() => { const r = document.querySelector('.heatmap-overlay').getBoundingClientRect(); return { x: r.right - 10, y: r.bottom - 10 }; })()`);
    await hoverInWebview('.run-info');
    assert.equal(await webviewEval(`document.getElementById('tooltip').textContent`), hovered);
    await mouseClick(box.x + x, box.y + y);
    assert.equal(await webviewEval(`document.querySelector('.heatmap-overlay').dataset.locked`), 'false');
    await webviewEval(`(document.querySelector('.heatmap-overlay').focus(), true)`);
    await pressKey('Home');
    const first = await webviewEval<string>(`document.getElementById('tooltip').textContent`);
    await pressKey('ArrowRight');
    const second = await webviewEval<string>(`document.getElementById('tooltip').textContent`);
    assert.match(first, /Key 1 “我”/);
    assert.match(second, /Key 2 “喜”/);
    await pressKey('Enter');
    assert.equal(await webviewEval(`document.querySelector('.heatmap-overlay').dataset.locked`), 'true');
    await pressKey('Escape');
  });

  it('aggregates heads, filters weights and keeps switching heads cheap', async () => {
    await setControl('aggregate', 'mean');
    await waitFor('the mean heatmap', () => webviewEval<boolean>(`document.querySelectorAll('.heatmap-overlay').length === 1 && /mean/.test(document.querySelector('.heatmap figcaption').textContent)`));
    await setControl('aggregate', 'none');
    await setControl('topk', '1');
    // Top 1 per query: each row keeps one weight, so the image has at most 6 bright cells per head.
    const ok = await waitFor('filtered heatmaps', () => webviewEval<boolean>(`document.getElementById('topk').value === '1' && document.querySelectorAll('.heatmap-overlay').length === 4`));
    assert.ok(ok);
    await setControl('topk', '0');
  });

  it('shows the model grid, sorts heads by entropy and opens one large', async () => {
    await switchView('model');
    assert.equal(await webviewEval(`document.querySelectorAll('.thumb').length`), 4);
    await setControl('sort', 'entropy');
    const values = await waitFor('sorted thumbnails', () =>
      webviewEval<number[] | false>(`(() => { const t = [...document.querySelectorAll('.thumb')];
        const v = t.map((b) => Number(/entropy ([0-9.]+)/.exec(b.getAttribute('aria-label'))?.[1]));
        return v.every(Number.isFinite) && v; })()`));
    assert.deepEqual(values, [...values].sort((a, b) => b - a), 'largest entropy first');
    const head = await webviewEval<string>(`document.querySelectorAll('.thumb')[2].dataset.head`);
    await clickInWebview(`.thumb[data-head="${head}"]`);
    await waitFor('the head opened large', () => webviewEval<boolean>(`document.getElementById('view').dataset.view === 'heatmaps' && document.querySelectorAll('.heatmap-overlay').length === 1 && document.querySelector('.heatmap-overlay').dataset.head === ${JSON.stringify(head)}`));
    await setControl('head', '-1');
  });

  it('shows layers × heads, rollout and hidden special tokens for a model with several layers', async () => {
    await postToWebview(SYNTHETIC);
    await switchView('model');
    assert.equal(await webviewEval(`document.querySelectorAll('.thumb').length`), 12);
    assert.equal(await webviewEval(`document.querySelectorAll('.model-row').length`), 3);
    await shot('explorer-model-layers');
    await switchView('heatmaps');
    assert.equal(await webviewEval(`document.getElementById('rollout').disabled`), false);
    await setControl('rollout', true);
    await waitFor('the rollout heatmap', () => webviewEval<boolean>(`document.querySelectorAll('.heatmap-overlay').length === 1`));
    await setControl('hide-special', true);
    await waitFor('special tokens hidden', () => webviewEval<boolean>(`document.querySelector('.heatmap-overlay')?.dataset.n === '6'`));
    await shot('explorer-rollout');
    await setControl('hide-special', false);
    await setControl('rollout', false);
  });

  it('draws lines for every head, toggles heads with chips and shows one token’s lines on hover', async () => {
    await switchView('lines');
    const chips = await webviewEval<string[]>(`[...document.querySelectorAll('.head-chip')].map((b) => b.getAttribute('aria-pressed'))`);
    assert.deepEqual(chips, ['true', 'true', 'true', 'true']);
    await clickInWebview('.head-chip[data-head="1"]');
    await waitFor('head 2 off', () => webviewEval<boolean>(`document.querySelector('.head-chip[data-head="1"]')?.getAttribute('aria-pressed') === 'false'`));
    await clickInWebview('.head-chip[data-head="1"]');
    await waitFor('head 2 on', () => webviewEval<boolean>(`document.querySelector('.head-chip[data-head="1"]')?.getAttribute('aria-pressed') === 'true'`));
    // The third query token (欢), in the left column.
    const box = await webviewBox();
    const at = await webviewEval<{ x: number; y: number }>(`(() => { const r = document.querySelector('.lines-canvas').getBoundingClientRect(); return { x: r.left + 60, y: r.top + 8 + 2.5 * 20 }; })()`);
    const { mouseMove } = await import('./support/host');
    await mouseMove(box.x + at.x, box.y + at.y);
    await waitFor('only the lines of 吃', () => webviewEval<boolean>(`document.querySelector('.lines-canvas').dataset.focus === 'query:2'`));
    await shot('explorer-lines-hover');
  });

  it('goes through one head step by step, and shows the effect of scaling and the causal mask at once', async () => {
    await switchView('steps');
    await waitFor('seven steps with numbers', () => webviewEval<boolean>(`document.querySelectorAll('.step').length === 7 && document.querySelectorAll('.step td').length > 100`));
    const cell = `document.querySelector('.step[data-step="scaled"] tbody tr td').textContent`;
    const scaled = await webviewEval<string>(cell);
    await clickInWebview('#steps-scale');
    await waitFor('unscaled scores', () => webviewEval<boolean>(`document.querySelector('.steps').dataset.scale === 'false'`));
    const unscaled = await webviewEval<string>(cell);
    assert.notEqual(unscaled, scaled);
    // Unscaled equals the raw scores.
    assert.equal(unscaled, await webviewEval<string>(`document.querySelector('.step[data-step="scores"] tbody tr td').textContent`));
    await clickInWebview('#steps-scale');
    await clickInWebview('#steps-causal');
    await waitFor('causal mask', () => webviewEval<boolean>(`document.querySelector('.steps').dataset.causal === 'true'`));
    const masked = await webviewEval<string[]>(`[...document.querySelectorAll('.step[data-step="masked"] tbody tr:first-child td')].map((t) => t.textContent)`);
    assert.equal(masked[1], '−∞', 'the first token cannot see the second');
    const weights = await webviewEval<string[]>(`[...document.querySelectorAll('.step[data-step="softmax"] tbody tr:first-child td')].map((t) => t.textContent)`);
    assert.equal(weights[0], '1.00');
    await webviewEval(`(document.querySelector('.step[data-step="masked"]').scrollIntoView(), true)`);
    await shot('explorer-steps-causal');
    await clickInWebview('#steps-causal');
  });

  it('compares two heads and draws their difference in a diverging map', async () => {
    await switchView('compare');
    assert.equal(await webviewEval(`document.querySelectorAll('.heatmap').length`), 3);
    assert.equal(await webviewEval(`document.querySelectorAll('.heatmap.difference').length`), 1);
    await setControl('compare-b-head', '3');
    await waitFor('B is head 4', () => webviewEval<boolean>(`/Head 4/.test(document.querySelectorAll('.heatmap figcaption')[1].textContent)`));
    await shot('explorer-compare');
  });

  for (const [theme, kind, name] of THEMES) {
    it(`looks right in the ${name} theme, in English and in Chinese`, async () => {
      await setColorTheme(theme, kind);
      await exploreLine(0);
      await shot(`explorer-heatmaps-${name}`);
      await switchView('model');
      await shot(`explorer-model-${name}`);
      await switchView('lines');
      await shot(`explorer-lines-${name}`);
      await switchView('steps');
      await waitFor('the steps', () => webviewEval<boolean>(`document.querySelectorAll('.step').length === 7`));
      await shot(`explorer-steps-${name}`);
      await postToWebview(`({ type: 'init', strings: ${JSON.stringify(chineseStrings())} })`);
      await waitFor('Chinese strings', () => webviewEval<boolean>(`document.querySelector('.view-switch [data-view="steps"]').textContent === '逐步'`));
      await waitFor('the steps', () => webviewEval<boolean>(`document.querySelectorAll('.step').length === 7`));
      await shot(`explorer-steps-${name}-zh`);
      await switchView('heatmaps');
      // Captions and legend say 最大, not "max".
      const words = await webviewEval<string[]>(
        `[document.querySelector('.heatmap figcaption').textContent, document.querySelector('.legend-ticks').textContent,
          document.querySelector('.run-info').textContent]`,
      );
      assert.match(words[0], /^头 1 · 最大 0\.\d{3}$/);
      assert.equal(words[1], '0½ 最大最大');
      assert.match(words[2], /^引擎 core · d_model 64 · 头数 4 · 掩码 none · 种子 42 · \d+\.\d ms$/);
      await shot(`explorer-heatmaps-${name}-zh`);
      // Back to the host's own strings: the panel outlives this test.
      await postToWebview(`({ type: 'init', strings: ${JSON.stringify(webviewStrings())} })`);
    });
  }

  it('uses the high-contrast colours for borders and focus', async () => {
    await setColorTheme('Default High Contrast', vscode.ColorThemeKind.HighContrast);
    await exploreLine(0);
    const outline = await webviewEval<string>(`getComputedStyle(document.querySelector('.heatmap-canvas')).outlineStyle`);
    assert.equal(outline, 'solid');
    await webviewEval(`(document.querySelector('.view-switch button').focus(), true)`);
    await shot('explorer-high-contrast');
  });
});
