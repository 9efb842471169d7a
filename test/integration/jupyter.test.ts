// Jupyter notebooks in a real VS Code: .ipynb files whose saved outputs the Python helper wrote
// open with VS Code's own ipynb support (no Jupyter extension, no kernel) and our renderer draws
// them: heads, layers, the heads' mean and maximum, the model view, hover with the exact weight,
// light and dark, Chinese tokens, a broken payload's message, and a 12 × 12 × 512² output.
// The notebooks come from scripts/fixtures/ipynb/make_notebooks.py, which the runner calls.
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { float32ToBase64 } from '../../src/shared/notebookOutput';
import { PAYLOAD_MIME } from '../../src/shared/payload';
import { hasTestHost, screenshot, webviewEval } from './support/host';
import { delay, setColorTheme, waitFor } from './support/wait';

/** Where the runner has the fixture script write the notebooks (test-output/ipynb). */
export const IPYNB_DIR = path.resolve(__dirname, '..', '..', '..', 'test-output', 'ipynb');

interface Expected {
  tokens: string[];
  layers: number;
  heads: number;
  probe: { layer: number; head: number; query: number; key: number; weight: number }[];
}

function expected(name: string): Expected {
  return JSON.parse(readFileSync(path.join(IPYNB_DIR, `${name}.expected.json`), 'utf8')) as Expected;
}

async function openIpynb(name: string): Promise<vscode.NotebookEditor> {
  const file = path.join(IPYNB_DIR, `${name}.ipynb`);
  assert.ok(existsSync(file), `${file} exists (the runner writes it with scripts/fixtures/ipynb/make_notebooks.py)`);
  const doc = await vscode.workspace.openNotebookDocument(vscode.Uri.file(file));
  return vscode.window.showNotebookDocument(doc);
}

/** A selector for the output of `tokens` tokens, so each test reads its own notebook's output. */
function outputOf(tokens: number): { selector: string; timeoutMs: number } {
  return { selector: `.attn-output[data-tokens="${tokens}"]`, timeoutMs: 60_000 };
}

/** Evaluates `body` with `o` bound to the output's root element. */
function inOutput<T>(tokens: number, body: string): Promise<T> {
  const where = outputOf(tokens);
  return webviewEval<T>(`(async () => { const o = document.querySelector(${JSON.stringify(where.selector)}); ${body} })()`, where);
}

/** Sets one of the output's choices (layer or show) as a person would, and waits for the redraw. */
function choose(tokens: number, which: 'layer' | 'show', value: string): Promise<void> {
  return inOutput(tokens, `const s = o.querySelector('select.attn-${which}-select'); s.value = ${JSON.stringify(value)};
    s.dispatchEvent(new Event('change', { bubbles: true })); await new Promise((r) => requestAnimationFrame(() => r()));`);
}

/** Moves the pointer over one cell of one drawn heatmap and returns the status line. */
function hoverCell(tokens: number, head: number, query: number, key: number): Promise<string> {
  return inOutput<string>(tokens, `
    const overlay = o.querySelector('.heatmap-overlay[data-head="${head}"]');
    const r = overlay.getBoundingClientRect(); const d = overlay.dataset;
    const x = r.left + Number(d.left) + (${key} + 0.5) * Number(d.cell), y = r.top + Number(d.top) + (${query} + 0.5) * Number(d.cell);
    overlay.dispatchEvent(new MouseEvent('mousemove', { clientX: x, clientY: y, bubbles: true }));
    return document.querySelector(${JSON.stringify(outputOf(tokens).selector)} + ' .attn-status').textContent;`);
}

/** Moves the keyboard focus of a freshly drawn heatmap to a cell (Home, then arrows) and returns the status line. */
function keyToCell(tokens: number, head: number, query: number, key: number): Promise<string> {
  return inOutput<string>(tokens, `
    const overlay = o.querySelector('.heatmap-overlay[data-head="${head}"]'); overlay.focus();
    const press = (key) => overlay.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
    press('Home');
    for (let i = 0; i < ${query}; i++) press('ArrowDown');
    for (let i = 0; i < ${key}; i++) press('ArrowRight');
    return o.querySelector('.attn-status').textContent;`);
}

async function closeAll(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

describe('Jupyter notebooks', function () {
  this.timeout(240_000);

  before(async () => {
    await closeAll();
  });

  it('opens a saved .ipynb with VS Code\'s own notebook support and finds our output in it', async () => {
    const editor = await openIpynb('small');
    assert.equal(editor.notebook.notebookType, 'jupyter-notebook');
    const items = editor.notebook.getCells().flatMap((c) => c.outputs.flatMap((o) => o.items.map((i) => i.mime)));
    assert.ok(items.includes(PAYLOAD_MIME), `the outputs carry ${PAYLOAD_MIME}: ${items.join(', ')}`);
  });

  it('draws every head of the chosen layer, with the exact weight under the pointer, in light', async function () {
    if (!hasTestHost()) this.skip();
    await setColorTheme('Default Light Modern', vscode.ColorThemeKind.Light);
    const want = expected('small');
    const n = want.tokens.length;
    const drawn = await waitFor('the small output drawn', () =>
      inOutput<{ drawn: number; heads: number; layers: string } | false>(n, `
        if (!o || !(Number(o.dataset.drawn) > 0)) return false;
        return { drawn: Number(o.dataset.drawn), heads: o.querySelectorAll('.heatmap-overlay').length, layers: o.dataset.layers };`), 60_000);
    assert.deepEqual(drawn, { drawn: want.heads, heads: want.heads, layers: String(want.layers) });
    for (const p of want.probe) {
      await choose(n, 'layer', String(p.layer));
      const status = await hoverCell(n, p.head, p.query, p.key);
      const prefix = want.layers > 1 ? `Layer ${p.layer + 1} · ` : '';
      assert.equal(
        status,
        `${prefix}Head ${p.head + 1} · Query ${p.query + 1} “${want.tokens[p.query]}” → Key ${p.key + 1} “${want.tokens[p.key]}” · Weight ${p.weight.toPrecision(6)}`,
      );
    }
    await choose(n, 'layer', '0');
    await delay(300);
    const shot = await screenshot('ipynb-small-light');
    assert.ok(shot.workbenchStats.distinctColours > 60, JSON.stringify(shot.workbenchStats));
  });

  it('shows one head, the heads\' mean and maximum, and every layer × head in the model view', async function () {
    if (!hasTestHost()) this.skip();
    const want = expected('small');
    const n = want.tokens.length;
    const count = (): Promise<{ maps: number; drawn: number; thumbs: number }> => inOutput(n, `return {
      maps: o.querySelectorAll('.heatmap-overlay').length, drawn: Number(o.dataset.drawn), thumbs: o.querySelectorAll('.attn-thumb').length };`);
    await choose(n, 'show', 'head2');
    assert.deepEqual(await count(), { maps: 1, drawn: 1, thumbs: 0 });
    assert.match(await hoverCell(n, 2, 0, 0), /^Layer 1 · Head 3 · Query 1/);
    await choose(n, 'show', 'max');
    assert.deepEqual(await count(), { maps: 1, drawn: 1, thumbs: 0 });
    const max = await hoverCell(n, 0, 1, 1);
    assert.match(max, new RegExp(`^Layer 1 · Maximum of ${want.heads} heads · Query 2`));
    await choose(n, 'show', 'mean');
    assert.match(await hoverCell(n, 0, 1, 1), new RegExp(`^Layer 1 · Mean of ${want.heads} heads · Query 2`));
    await choose(n, 'show', 'model');
    const model = await waitFor('the model view drawn', async () => {
      const c = await count();
      return c.thumbs === want.layers * want.heads && c.drawn === c.thumbs && c;
    }, 15_000);
    assert.equal(model.maps, 0);
    // A thumbnail opens its head large.
    const opened = await inOutput<{ show: string; layer: string }>(n, `o.querySelectorAll('.attn-thumb')[${want.heads + 1}].click();
      await new Promise((r) => requestAnimationFrame(() => r()));
      const now = document.querySelector(${JSON.stringify(outputOf(n).selector)}); return { show: now.dataset.show, layer: now.dataset.layer };`);
    assert.deepEqual(opened, { show: 'head1', layer: '1' });
    await choose(n, 'show', 'all');
    await closeAll();
  });

  it('marks which query heads share a key/value head, in high contrast', async function () {
    if (!hasTestHost()) this.skip();
    await setColorTheme('Default High Contrast', vscode.ColorThemeKind.HighContrast);
    // A payload of 8 query heads over 2 key/value heads, as a grouped-query model's export gives.
    const n = 5;
    const heads = 8;
    const weights = new Float32Array(heads * n * n).map((_, i) => ((i * 7919) % 97) / 97 + 0.01); // [H][N][N]
    const payload = {
      title: 'Grouped-query heads',
      tokens: ['a', 'b', 'c', 'd', 'e'],
      layers: [{ node: 'attn', heads, kv_heads: 2, weights_b64: float32ToBase64(weights) }],
    };
    // Written as a saved .ipynb, the way a notebook holding such an output reaches VS Code.
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'ipynb-')), 'grouped.ipynb');
    writeFileSync(file, JSON.stringify({
      nbformat: 4, nbformat_minor: 5, metadata: {},
      cells: [{ cell_type: 'code', id: 'grouped', metadata: {}, execution_count: 1, source: ['show(attn)'],
        outputs: [{ output_type: 'display_data', metadata: {}, data: { [PAYLOAD_MIME]: payload } }] }],
    }));
    await vscode.window.showNotebookDocument(await vscode.workspace.openNotebookDocument(vscode.Uri.file(file)));
    const drawn = await waitFor('the grouped heads drawn', () => inOutput<{ separators: number; captions: string[] } | false>(n, `
      if (!o || Number(o.dataset.drawn) !== ${heads}) return false;
      return { separators: o.querySelectorAll('.attn-heads > .attn-kv-sep').length,
        captions: [...o.querySelectorAll('.heatmap figcaption')].map((c) => c.textContent.split(' · max')[0]) };`), 60_000);
    assert.equal(drawn.separators, 1, 'one line between the two groups of four');
    assert.deepEqual(drawn.captions, Array.from({ length: heads }, (_, h) => `Head ${h + 1} · KV head ${h < 4 ? 1 : 2} of 2`));
    assert.match(await hoverCell(n, 5, 0, 1), /^Head 6 · KV head 2 of 2 · Query 1 “a” → Key 2 “b” · Weight /);
    await delay(300);
    const shot = await screenshot('ipynb-grouped-heads-hc');
    assert.equal(shot.workbenchStats.dominantColour, '#000000', 'the high-contrast background');
    await closeAll();
  });

  it('draws Chinese tokens in the dark theme', async function () {
    if (!hasTestHost()) this.skip();
    await setColorTheme('Default Dark Modern', vscode.ColorThemeKind.Dark);
    await openIpynb('chinese');
    const want = expected('chinese');
    const n = want.tokens.length;
    await waitFor('the Chinese output drawn', () => inOutput<boolean>(n, `return Boolean(o) && Number(o.dataset.drawn) === ${want.heads};`), 60_000);
    const p = want.probe[0];
    const status = await hoverCell(n, p.head, p.query, p.key);
    assert.equal(status, `Head ${p.head + 1} · Query ${p.query + 1} “${want.tokens[p.query]}” → Key ${p.key + 1} “${want.tokens[p.key]}” · Weight ${p.weight.toPrecision(6)}`);
    await delay(300);
    const shot = await screenshot('ipynb-chinese-dark');
    assert.ok(shot.workbenchStats.distinctColours > 60, JSON.stringify(shot.workbenchStats));
    await closeAll();
  });

  it('says what is wrong with a broken payload in the output\'s place', async function () {
    if (!hasTestHost()) this.skip();
    await openIpynb('bad');
    const message = await waitFor('the message drawn', () =>
      webviewEval<string | false>(`document.querySelector('.attn-error')?.textContent || false`, { selector: '.attn-error', timeoutMs: 60_000 }), 60_000);
    assert.match(message, /^This attention output cannot be shown: layer 1 .*"weights_b64" holds \d+ float32 values; \d+ heads × \d+ × \d+ tokens need \d+$/);
    await screenshot('ipynb-bad');
    await closeAll();
  });

  it('opens a 12 × 12 × 512² output and draws its first head without waiting for the others', async function () {
    if (!hasTestHost()) this.skip();
    const started = Date.now();
    await openIpynb('large');
    const opened = Date.now() - started;
    const { first, eager, busy } = await waitFor('the first heatmap of the large output', () =>
      inOutput<{ first: number; eager: number; busy: number } | false>(512, `return Boolean(o) && Number(o.dataset.drawn) > 0 &&
        { first: Number(o.dataset.drawn), eager: Number(o.dataset.eager), busy: Number(o.dataset.renderMs) };`), 120_000, 50);
    const shown = Date.now() - started;
    console.log(`large .ipynb (12 × 12 × 512²): opening the notebook ${opened} ms, first heatmap on screen ${shown} ms; ` +
      `the renderer held the notebook's page ${busy} ms (parse, layer 1, first heatmap); ${first} of 12 heatmaps drawn at first`);
    // One head of 512² fills the renderer's budget for drawing before the output shows; the
    // others are drawn by the observer as they come into sight (how many are in sight depends on the window).
    assert.equal(eager, 1, 'one heatmap drawn before the output was shown');
    // Other layers are decoded when chosen; the keyboard reaches any cell and the status names its exact weight.
    const want = expected('large');
    for (const p of want.probe) {
      await choose(512, 'layer', String(p.layer));
      await choose(512, 'show', `head${p.head}`);
      const status = await keyToCell(512, p.head, p.query, p.key);
      assert.equal(status, `Layer ${p.layer + 1} · Head ${p.head + 1} · Query ${p.query + 1} “${want.tokens[p.query]}” → Key ${p.key + 1} “${want.tokens[p.key]}” · Weight ${p.weight.toPrecision(6)}`);
    }
    await screenshot('ipynb-large');
    await closeAll();
  });
});
