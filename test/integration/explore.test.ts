// Attention: Explore Selection, end to end in a real VS Code: editor selections in, the webview's
// own report and pixels out.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExploreOutcome } from '../../src/host/exploreCommand';
import { hasTestHost, hoverInWebview, screenshot, waitForNotification, webviewEval, workbenchClick, workbenchText } from './support/host';
import { maxAbsDifference, panelWeights } from './support/panelWeights';
import { delay, openScratch, setColorTheme, waitFor } from './support/wait';

const COMMAND = 'attentionExplorer.exploreSelection';

function attentionTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('attentionExplorer.panel'));
}

async function openSample(name: string): Promise<vscode.TextEditor> {
  const [uri] = await vscode.workspace.findFiles(name);
  assert.ok(uri, `sample/${name} is in the workspace`);
  const doc = await vscode.workspace.openTextDocument(uri);
  return vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
}

function lineSelection(editor: vscode.TextEditor, line: number): vscode.Selection {
  return new vscode.Selection(line, 0, line, editor.document.lineAt(line).text.length);
}

async function explore(): Promise<ExploreOutcome> {
  const outcome = await vscode.commands.executeCommand<ExploreOutcome>(COMMAND);
  assert.ok(outcome, 'the command reports its outcome');
  return outcome;
}

async function setSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('attentionExplorer').update(key, value, vscode.ConfigurationTarget.Global);
}

describe('Attention: Explore Selection', function () {
  this.timeout(120_000);

  before(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  afterEach(async () => {
    for (const key of ['heads', 'dModel', 'maxTokensWithoutAsking', 'weights']) await setSetting(key, undefined);
  });

  it('is contributed with its category and runs from the palette', async () => {
    const ext = vscode.extensions.all.find((e) => e.packageJSON?.name === 'attention-explorer');
    assert.ok(ext, 'the extension is loaded');
    const cmd = ext.packageJSON.contributes.commands.find((c: { command: string }) => c.command === COMMAND);
    assert.equal(cmd.category, 'Attention');
    const editor = await openSample('sentences.txt');
    editor.selection = lineSelection(editor, 0);
    assert.equal((await explore()).status, 'shown');
    assert.ok((await vscode.commands.getCommands(true)).includes(COMMAND));
    assert.equal(ext.isActive, true);
  });

  it('gives a message and no panel for an empty line', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const doc = await vscode.workspace.openTextDocument({ content: 'first\n\nthird' });
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(1, 0, 1, 0);
    const outcome = await explore();
    assert.equal(outcome.status, 'empty');
    await delay(300);
    assert.equal(attentionTabs().length, 0, 'no panel was opened');
    assert.equal(doc.getText(), 'first\n\nthird', 'the document is untouched');
    if (hasTestHost()) {
      const toasts = await waitFor('the message', async () => {
        const texts = await workbenchText('.notification-toast');
        return texts.some((t) => t.includes('Nothing to explore')) && texts;
      });
      assert.ok(toasts.length > 0);
    }
  });

  it('can be cancelled half-way: no panel, a message, and the next run works', async function () {
    if (!hasTestHost()) this.skip();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('notifications.clearAll');
    // Five 1500-token sequences at d_model 1024 take seconds: long enough to press Cancel.
    const line = Array.from({ length: 1500 }, (_, i) => `w${i}`).join(' ');
    const editor = await openScratch('five-long-lines.txt', Array(5).fill(line).join('\n'));
    editor.selections = [0, 1, 2, 3, 4].map((l) => lineSelection(editor, l));
    await setSetting('dModel', 1024);
    const pending = vscode.commands.executeCommand<ExploreOutcome>(COMMAND);
    await workbenchClick('.notification-toast .monaco-button', 'Cancel', 20_000);
    const outcome = await pending;
    assert.equal(outcome?.status, 'cancelled');
    assert.equal(attentionTabs().length, 0, 'nothing was shown');
    await waitFor('the cancel message', async () =>
      (await workbenchText('.notification-toast')).some((t) => t.includes('cancelled')),
    );
    // The worker was ended; the next run starts a fresh one.
    await setSetting('dModel', undefined);
    const again = await openSample('sentences.txt');
    again.selection = lineSelection(again, 0);
    assert.equal((await explore()).status, 'shown');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('shows 我喜欢吃苹果 as 6 tokens × 4 heads, reported back by the webview', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const editor = await openSample('sentences.txt');
    editor.selection = lineSelection(editor, 0);
    assert.equal(editor.document.getText(editor.selection), '我喜欢吃苹果');
    const outcome = await explore();
    assert.equal(outcome.status, 'shown');
    if (outcome.status !== 'shown') return;
    assert.equal(outcome.panelCreated, true);
    assert.deepEqual(outcome.rendered?.sequences, [{ tokens: 6, heads: 4, drawnCanvases: 4 }]);
    assert.equal(attentionTabs().length, 1);

    // Read the webview's DOM itself: labels are the characters, one heatmap per head.
    const dom = await webviewEval<{ heads: number; title: string }>(
      `({ heads: document.querySelectorAll('.heatmap-overlay').length, title: document.querySelector('.sequence h2')?.textContent ?? '' })`,
    );
    assert.equal(dom.heads, 4);
    assert.match(dom.title, /6/);
  });

  it('uses the current line when nothing is selected', async () => {
    const editor = await openSample('sentences.txt');
    editor.selection = new vscode.Selection(1, 4, 1, 4);
    const outcome = await explore();
    assert.equal(outcome.status, 'shown');
    if (outcome.status !== 'shown') return;
    // "The cat sat on the mat because it was tired." → 10 words + 1 full stop.
    assert.deepEqual(outcome.rendered?.sequences.map((s) => s.tokens), [11]);
  });

  it('gives one sequence per selection, in document order', async () => {
    const editor = await openSample('sentences.txt');
    editor.selections = [lineSelection(editor, 2), lineSelection(editor, 0)];
    const outcome = await explore();
    assert.equal(outcome.status, 'shown');
    if (outcome.status !== 'shown') return;
    const seqs = outcome.rendered?.sequences ?? [];
    assert.equal(seqs.length, 2);
    assert.equal(seqs[0].tokens, 6, '我喜欢吃苹果 comes first');
    assert.equal(seqs[1].tokens, [...'今天天气很好，我们去公园散步吧。'].length);
    assert.ok(seqs.every((s) => s.heads === 4 && s.drawnCanvases === 4));
    const sections = await webviewEval<number>(`document.querySelectorAll('section.sequence').length`);
    assert.equal(sections, 2);
  });

  it('reuses the open panel on a second run', async () => {
    const editor = await openSample('sentences.txt');
    editor.selection = lineSelection(editor, 0);
    await explore();
    editor.selection = lineSelection(editor, 3);
    const second = await explore();
    assert.equal(second.status, 'shown');
    if (second.status !== 'shown') return;
    assert.equal(second.panelCreated, false);
    assert.equal(attentionTabs().length, 1);
  });

  it('follows the heads setting, and says so when d_model does not divide', async () => {
    const editor = await openSample('sentences.txt');
    editor.selection = lineSelection(editor, 0);
    await setSetting('heads', 8);
    const eight = await explore();
    assert.equal(eight.status, 'shown');
    if (eight.status === 'shown') assert.equal(eight.rendered?.sequences[0].heads, 8);
    await setSetting('heads', 5);
    const bad = await explore();
    assert.equal(bad.status, 'failed');
  });

  it('takes a selection of numbers as the embeddings, and identity weights give pure similarity', async () => {
    const editor = await openSample('embeddings.txt');
    const doc = editor.document;
    editor.selection = new vscode.Selection(0, 0, doc.lineCount - 1, doc.lineAt(doc.lineCount - 1).text.length);
    await setSetting('weights', 'identity');
    await setSetting('heads', 2);
    const outcome = await explore();
    assert.equal(outcome.status, 'shown');
    if (outcome.status !== 'shown') return;
    assert.deepEqual(outcome.rendered?.sequences, [{ tokens: 4, heads: 2, drawnCanvases: 2 }]);
    // With Wq = Wk = I, head h's scores are the rows' dot products over its 4 columns, / sqrt(4).
    const rows = doc.getText(editor.selection).trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number));
    const expected: number[] = [];
    for (let h = 0; h < 2; h++) {
      for (const q of rows) {
        const scores = rows.map((k) => q.slice(h * 4, h * 4 + 4).reduce((sum, v, i) => sum + v * k[h * 4 + i], 0) / 2);
        const max = Math.max(...scores);
        const e = scores.map((v) => Math.exp(v - max));
        const total = e.reduce((a, b) => a + b, 0);
        expected.push(...e.map((v) => v / total));
      }
    }
    const shown = await panelWeights('embeddings-identity');
    assert.ok(maxAbsDifference(shown, expected) < 1e-6);
  });

  it('names the row of a ragged matrix and changes nothing', async () => {
    await vscode.commands.executeCommand('notifications.clearAll');
    const doc = await vscode.workspace.openTextDocument({ content: '1 2 3\n4 5' });
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(0, 0, 1, 3);
    const outcome = await explore();
    assert.equal(outcome.status, 'failed');
    assert.equal(doc.getText(), '1 2 3\n4 5');
    if (hasTestHost()) await waitForNotification(/row 2 has 2 values but row 1 has 3 values/);
  });

  it('names the selection and the query whose scores overflow float32, and shows nothing', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('notifications.clearAll');
    const doc = await vscode.workspace.openTextDocument({ content: '我喜欢吃苹果\n1 0 0 0\n1e30 1e30 1e30 1e30\n0 1 0 0' });
    const editor = await vscode.window.showTextDocument(doc);
    editor.selections = [new vscode.Selection(0, 0, 0, 6), new vscode.Selection(1, 0, 3, 7)];
    const outcome = await explore();
    assert.equal(outcome.status, 'failed');
    assert.equal(attentionTabs().length, 0, 'nothing was shown');
    if (hasTestHost()) await waitForNotification(/sequence 2, query 2 \(head \d\): its score for key \d overflows float32/);
  });

  it('refuses a run that would need more memory than the limit, saying how much and which setting allows more', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('notifications.clearAll');
    await setSetting('maxMemoryMegabytes', 1);
    const text = Array.from({ length: 300 }, (_, i) => '我喜欢吃苹果'[i % 6]).join('');
    const doc = await vscode.workspace.openTextDocument({ content: text });
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(0, 0, 0, text.length);
    const outcome = await explore();
    await setSetting('maxMemoryMegabytes', undefined);
    assert.equal(outcome.status, 'failed');
    if (hasTestHost()) await waitForNotification(/300 tokens × 4 heads × 1 layer, d_model 64 need about [\d.]+ MB, more than the limit of 1\.0 MB; the setting attentionExplorer\.maxMemoryMegabytes allows more/);
  });

  it('asks before a run longer than the limit, and runs nothing without a yes', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await setSetting('maxTokensWithoutAsking', 5);
    const editor = await openSample('sentences.txt');
    editor.selection = lineSelection(editor, 0);
    // A test workbench refuses modal dialogs and says what it refused: that is the question
    // the person would have seen, asked before anything ran.
    const result = await vscode.commands.executeCommand<ExploreOutcome>(COMMAND).then(
      (outcome) => ({ outcome, error: undefined }),
      (error: unknown) => ({ outcome: undefined, error: error instanceof Error ? error.message : String(error) }),
    );
    if (result.error !== undefined) {
      assert.match(result.error, /refused to show dialog/);
      assert.match(result.error, /This selection has 6 tokens\. .* about 1 MB of weights for 4 heads\. Run it anyway\?/);
    } else {
      assert.equal(result.outcome?.status, 'declined');
    }
    await delay(300);
    assert.equal(attentionTabs().length, 0, 'nothing ran');
  });

  it('keeps tens of megabytes of weights in the host and draws every head from tiles, with exact weights on hover', async function () {
    if (!hasTestHost()) this.skip();
    // 8 heads × 1100² × 4 bytes ≈ 37 MB: more than the panel is sent at once. The weights stay in
    // the extension host and each heatmap asks for the tile it draws.
    const text = Array.from({ length: 1100 }, (_, i) => '我喜欢吃苹果今天天气很好'[i % 12]).join('');
    const doc = await vscode.workspace.openTextDocument({ content: text });
    const editor = await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
    editor.selection = new vscode.Selection(0, 0, 0, text.length);
    await setSetting('heads', 8);
    const outcome = await vscode.commands.executeCommand<ExploreOutcome>(COMMAND);
    assert.equal(outcome?.status, 'shown');
    if (outcome?.status === 'shown') assert.deepEqual(outcome.rendered?.sequences, [{ tokens: 1100, heads: 8, drawnCanvases: 8 }]);
    // Nothing says megabytes are on their way: none are.
    assert.ok(!(await workbenchText('.statusbar-item')).some((t) => /Sending \d+ MB/.test(t)));
    assert.equal(await webviewEval<number>(`document.querySelectorAll('.zoom-heatmap').length`), 8);
    // Zoomed far in on head 1, the tile on screen is exact and equals the exported weights.
    const weights = await panelWeights('kept-host'); // [1][8][1100][1100]
    assert.equal(weights.length, 8 * 1100 * 1100);
    const shown = await webviewEval<{ exact: string; window: string[] } | null>(`(async () => {
      const c = document.querySelector('.zoom-heatmap canvas[data-q0]');
      c.focus();
      for (let i = 0; i < 12; i++) c.dispatchEvent(new KeyboardEvent('keydown', { key: '+', bubbles: true }));
      const t = performance.now();
      while ((c.dataset.exact !== 'true' || c.dataset.pending === 'true') && performance.now() - t < 20000) await new Promise((r) => setTimeout(r, 20));
      return { exact: c.dataset.exact, window: [c.dataset.q0, c.dataset.q1, c.dataset.k0, c.dataset.k1] };
    })()`, { timeoutMs: 25_000 });
    assert.equal(shown?.exact, 'true', JSON.stringify(shown));
    await hoverInWebview('.zoom-heatmap canvas[data-q0]');
    const tip = await waitFor('the tooltip with a weight', () =>
      webviewEval<string | false>(`(() => { const t = document.getElementById('tooltip'); return !t.hidden && /\\d\\.\\d{4}/.test(t.textContent) && t.textContent; })()`),
    );
    const m = /query (\d+).*key (\d+).*?(\d\.\d+)\s*$/i.exec(tip);
    assert.ok(m, tip);
    const [q, k, w] = [Number(m[1]) - 1, Number(m[2]) - 1, Number(m[3])];
    assert.ok(Math.abs(weights[q * 1100 + k] - w) < 1e-5, `tooltip ${tip}; exported ${weights[q * 1100 + k]}`);
    await screenshot('explore-kept-zoomed');
    await setSetting('heads', undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  for (const [theme, kind, name] of [
    ['Default Light Modern', vscode.ColorThemeKind.Light, 'light'],
    ['Default Dark Modern', vscode.ColorThemeKind.Dark, 'dark'],
  ] as const) {
    it(`draws heatmaps with real pixels in the ${name} theme`, async function () {
      if (!hasTestHost()) this.skip();
      await setColorTheme(theme, kind);
      const editor = await openSample('sentences.txt');
      editor.selection = lineSelection(editor, 0);
      const outcome = await explore();
      assert.equal(outcome.status, 'shown');
      // Messages from earlier tests would cover part of the panel.
      await vscode.commands.executeCommand('notifications.clearAll');
      const shot = await waitFor('the panel in the screenshot', async () => {
        const s = await screenshot(`explore-${name}`);
        return s.webviewStats && s;
      });
      const stats = shot.webviewStats;
      assert.ok(stats, 'the webview was captured');
      // Four 6×6 heatmaps in viridis: many colours and a good share of the panel that is not background.
      assert.ok(stats.distinctColours > 40, JSON.stringify(stats));
      assert.ok(stats.nonBackgroundFraction > 0.08, JSON.stringify(stats));
    });
  }

  it('shows the exact weight of the cell under the pointer', async function () {
    if (!hasTestHost()) this.skip();
    const editor = await openSample('sentences.txt');
    editor.selection = lineSelection(editor, 0);
    await explore();
    await vscode.commands.executeCommand('notifications.clearAll');
    await hoverInWebview('.heatmap-overlay[data-head="0"]');
    const text = await waitFor('the tooltip', () =>
      webviewEval<string | false>(`(() => { const t = document.getElementById('tooltip'); return !t.hidden && t.textContent; })()`),
    );
    assert.match(text, /[我喜欢吃苹果].*→.*[我喜欢吃苹果].*0\.\d{3,}/);
    await screenshot('explore-hover');
  });
});
