// Attention notebooks in a real VS Code: the tour, running cells, outputs drawn by the renderer,
// saving and reopening, byte-identical no-op saves, corrupt files, and cell settings.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import type { SendOutcome } from '../../src/host/notebook/commands';
import { ATTENTION_MIME, decodeAttention } from '../../src/shared/notebookOutput';
import { PAYLOAD_MIME } from '../../src/shared/payload';
import { hasTestHost, pressKey, screenshot, webviewEval } from './support/host';
import { delay, setColorTheme, waitFor } from './support/wait';

const NOTEBOOK_TYPE = 'attention-notebook';
const OUTPUT = { selector: '.attn-output', timeoutMs: 30_000 };
const dir = mkdtempSync(path.join(tmpdir(), 'attnb-'));

function codeCells(doc: vscode.NotebookDocument): vscode.NotebookCell[] {
  return doc.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Code);
}

function attentionOf(cell: vscode.NotebookCell): ReturnType<typeof decodeAttention> {
  const item = cell.outputs[0]?.items.find((i) => i.mime === ATTENTION_MIME);
  assert.ok(item, `cell ${cell.index} has an attention output`);
  return decodeAttention(JSON.parse(new TextDecoder().decode(item.data)));
}

/** Runs every cell of the notebook shown in `editor` and waits until each has finished. */
async function runAll(editor: vscode.NotebookEditor): Promise<void> {
  await vscode.window.showNotebookDocument(editor.notebook, { viewColumn: editor.viewColumn });
  await vscode.commands.executeCommand('notebook.execute');
  await waitFor(
    'every attention cell to finish',
    () => codeCells(editor.notebook).every((c) => c.executionSummary?.success !== undefined && c.outputs.length === 1),
    60_000,
  );
}

/** Counts the outputs the renderer drew, and how many canvas pixels in them are painted. */
function drawnOutputs(): Promise<{ outputs: number; drawn: number; painted: number }> {
  return webviewEval(
    `(() => {
      const outs = [...document.querySelectorAll('.attn-output')];
      let painted = 0;
      for (const c of document.querySelectorAll('.attn-output .heatmap-canvas')) {
        if (!c.width || !c.height) continue;
        const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        for (let i = 3; i < px.length; i += 4) if (px[i] > 0) painted++;
      }
      return { outputs: outs.length, drawn: outs.filter((o) => Number(o.dataset.drawn) > 0).length, painted };
    })()`,
    OUTPUT,
  );
}

async function closeAll(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}


describe('Attention notebooks', function () {
  this.timeout(180_000);
  let tour: vscode.NotebookDocument;
  let tourEditor: vscode.NotebookEditor;

  before(async () => {
    await closeAll();
  });

  it('contributes the notebook type, the renderer, the commands and the walkthrough', () => {
    const ext = vscode.extensions.getExtension('attention-explorer.attention-explorer');
    assert.ok(ext);
    const c = ext.packageJSON.contributes;
    assert.equal(c.notebooks[0].type, NOTEBOOK_TYPE);
    assert.deepEqual(c.notebooks[0].selector, [{ filenamePattern: '*.attnb' }]);
    assert.deepEqual(c.notebookRenderer[0].mimeTypes, [ATTENTION_MIME, PAYLOAD_MIME]);
    for (const id of ['attentionExplorer.newNotebook', 'attentionExplorer.sendSelectionToNotebook']) {
      assert.equal(c.commands.find((x: { command: string }) => x.command === id)?.category, 'Attention', id);
    }
    const steps = c.walkthroughs[0].steps as { completionEvents: string[] }[];
    assert.deepEqual(steps.map((s) => s.completionEvents[0]), [
      'onCommand:attentionExplorer.exploreSelection',
      'onSettingChanged:attentionExplorer.layer',
      'onCommand:attentionExplorer.newNotebook',
      'onCommand:attentionExplorer.openModel',
    ]);
  });

  it('New Attention Notebook opens the tour', async () => {
    const uri = await vscode.commands.executeCommand<vscode.Uri>('attentionExplorer.newNotebook');
    const found = vscode.workspace.notebookDocuments.find((d) => d.uri.toString() === uri.toString());
    assert.ok(found, 'the command returns the new notebook');
    tour = found;
    assert.equal(tour.notebookType, NOTEBOOK_TYPE);
    assert.equal(tour.isUntitled, true);
    const editor = vscode.window.activeNotebookEditor;
    assert.ok(editor && editor.notebook === tour, 'the tour is the active editor');
    tourEditor = editor;
    const text = tour.getCells().map((c) => c.document.getText()).join('\n');
    for (const must of ['Wq', '√d_k', 'softmax', 'O(N²)', 'causal', 'unscaled']) assert.ok(text.includes(must), must);
    const cells = codeCells(tour);
    assert.deepEqual(cells.map((c) => c.document.getText()), [
      '我喜欢吃苹果',
      'The cat sat on the mat because the mat was warm.',
      '我喜欢吃苹果',
      '我喜欢吃苹果',
      '我喜欢吃苹果',
      '我喜欢吃苹果',
      'The cat sat on the mat because the mat was warm.',
      '我喜欢吃苹果',
    ]);
    assert.deepEqual(cells.map((c) => (c.metadata.settings as { mask: string }).mask), ['none', 'none', 'causal', 'none', 'none', 'none', 'none', 'causal']);
    // The mechanism is explained on the seeded layer; what heads learn, on the shipped models.
    assert.deepEqual(cells.map((c) => (c.metadata.settings as { model?: string }).model), [
      undefined, undefined, undefined, undefined, undefined, 'learned-bidirectional', 'learned-bidirectional', 'learned-causal',
    ]);
  });

  it('runs every cell: weights, a markdown table, execution order', async () => {
    await runAll(tourEditor);
    const cells = codeCells(tour);
    assert.ok(cells.every((c) => c.executionSummary?.success === true), 'every cell succeeded');
    const orders = cells.map((c) => c.executionSummary?.executionOrder ?? 0);
    assert.deepEqual(orders, [...orders].sort((a, b) => a - b), 'cells ran in order');
    assert.equal(new Set(orders).size, orders.length);
    for (const cell of cells) {
      assert.deepEqual(cell.outputs[0].items.map((i) => i.mime), [ATTENTION_MIME, 'text/markdown']);
    }
    const first = attentionOf(cells[0]);
    assert.deepEqual(first.tokens, [...'我喜欢吃苹果']);
    assert.equal(first.heads, 4);
    const table = new TextDecoder().decode(cells[0].outputs[0].items[1].data);
    assert.match(table, /\| 1 \| [我喜欢吃苹果] 0\.\d{3} \|/);

    // Causal: nothing above the diagonal.
    const causal = attentionOf(cells[2]);
    for (let h = 0; h < causal.heads; h++) {
      for (let q = 0; q < 6; q++) for (let k = q + 1; k < 6; k++) assert.equal(causal.weights[h * 36 + q * 6 + k], 0);
    }
    // Unscaled scores are sharper than scaled ones on the same layer.
    const rowMax = (d: ReturnType<typeof decodeAttention>) => {
      let sum = 0;
      for (let r = 0; r < d.heads * d.n; r++) sum += Math.max(...d.weights.subarray(r * d.n, (r + 1) * d.n));
      return sum / (d.heads * d.n);
    };
    assert.ok(rowMax(attentionOf(cells[3])) > rowMax(attentionOf(cells[4])) + 0.2);

    // The learned cells run the shipped models: every layer, the model's own tokens.
    const learned = attentionOf(cells[5]);
    assert.equal(learned.layers, 4);
    assert.equal(learned.heads, 4);
    assert.ok([...'我喜欢吃苹果'].every((c) => learned.tokens.includes(c)), learned.tokens.join(' '));
    const causalModel = attentionOf(cells[7]);
    for (let h = 0; h < causalModel.layers * causalModel.heads; h++) {
      const n = causalModel.n;
      for (let q = 0; q < n; q++) for (let k = q + 1; k < n; k++) assert.equal(causalModel.weights[(h * n + q) * n + k], 0, 'the causal model hides later keys');
    }
  });

  it('draws the outputs with the heatmap component', async function () {
    if (!hasTestHost()) this.skip();
    await setColorTheme('Default Dark Modern', vscode.ColorThemeKind.Dark);
    await vscode.commands.executeCommand('notifications.clearAll');
    const first = codeCells(tour)[0];
    tourEditor.revealRange(new vscode.NotebookRange(first.index, first.index + 1), vscode.NotebookEditorRevealType.AtTop);
    const drawn = await waitFor('an output drawn by the renderer', async () => {
      const d = await drawnOutputs();
      return d.drawn > 0 && d.painted > 1000 && d;
    }, 30_000);
    assert.ok(drawn.drawn >= 1, JSON.stringify(drawn));
    const heads = await webviewEval<number>(`document.querySelector('.attn-output').querySelectorAll('.heatmap-overlay').length`, OUTPUT);
    assert.equal(heads, 4);
    await delay(300);
    const shot = await screenshot('notebook-tour-dark');
    assert.ok(shot.workbenchStats.distinctColours > 60, JSON.stringify(shot.workbenchStats));
  });

  it('names the tokens and the exact weight of the cell under the pointer or the keyboard focus', async function () {
    if (!hasTestHost()) this.skip();
    await closeAll();
    // A notebook of one cell, so the output is on screen without scrolling the notebook's webview.
    const doc = await vscode.workspace.openNotebookDocument(NOTEBOOK_TYPE, new vscode.NotebookData([
      Object.assign(new vscode.NotebookCellData(vscode.NotebookCellKind.Code, '我喜欢吃苹果', 'plaintext'), { metadata: { settings: { view: 'mean' } } }),
    ]));
    await runAll(await vscode.window.showNotebookDocument(doc));
    await waitFor('the output drawn', async () => (await drawnOutputs()).drawn > 0, 30_000);
    // The notebook's webview sits thousands of pixels above the page with its outputs pushed
    // down to match (VS Code scrolls it that way), so the page coordinates the pointer helpers
    // work out miss it. The events go to the heatmap in the frame itself instead.
    await webviewEval(
      `(() => { const o = document.querySelector('.attn-output .heatmap-overlay'); const r = o.getBoundingClientRect();
        o.dispatchEvent(new MouseEvent('mousemove', { clientX: r.right - 20, clientY: r.bottom - 20, bubbles: true })); })()`,
      OUTPUT,
    );
    const status = await waitFor('the focused cell described', () =>
      webviewEval<string>(`document.querySelector('.attn-output .attn-status')?.textContent || false`, OUTPUT),
    );
    assert.match(status, /^Mean of 4 heads · Query 6 “果” → Key 6 “果” · Weight 0\.\d+/);
    // And from the keyboard: focus the heatmap, move one key to the left.
    const moved = await webviewEval<string>(
      `(() => { const o = document.querySelector('.attn-output .heatmap-overlay'); o.focus();
        o.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowLeft', bubbles: true }));
        return document.querySelector('.attn-output .attn-status').textContent; })()`,
      OUTPUT,
    );
    assert.match(moved, /Query 6 “果” → Key 5 “苹”/);
    await screenshot('notebook-hover-mean');
    await closeAll();
  });

  it('keeps its cells when the notebook metadata holds keys named like the file\'s own fields', async () => {
    const file = vscode.Uri.file(path.join(dir, 'metadata.attnb'));
    writeFileSync(file.fsPath, '');
    const doc = await vscode.workspace.openNotebookDocument(file);
    const cells = [
      new vscode.NotebookCellData(vscode.NotebookCellKind.Markup, '# Keys that collide', 'markdown'),
      new vscode.NotebookCellData(vscode.NotebookCellKind.Code, '我喜欢吃苹果', 'attention'),
    ];
    cells[1].metadata = { source: 'not the text', kind: 'markdown' };
    const edit = new vscode.WorkspaceEdit();
    edit.set(file, [
      vscode.NotebookEdit.insertCells(0, cells),
      vscode.NotebookEdit.updateNotebookMetadata({ version: 2, cells: [], format: 'something else', note: 'kept' }),
    ]);
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.ok(await doc.save(), 'saved');
    await closeAll();
    // Reopened from its bytes, as a later session would.
    const copy = vscode.Uri.file(path.join(dir, 'metadata-reopened.attnb'));
    writeFileSync(copy.fsPath, readFileSync(file.fsPath));
    const reopened = await vscode.workspace.openNotebookDocument(copy);
    assert.equal(reopened.cellCount, 2, 'every cell came back');
    assert.equal(reopened.cellAt(1).kind, vscode.NotebookCellKind.Code);
    assert.equal(reopened.cellAt(1).document.getText(), '我喜欢吃苹果');
    assert.equal(reopened.cellAt(1).metadata.source, 'not the text');
    assert.equal(reopened.cellAt(1).metadata.kind, 'markdown');
    for (const [key, value] of Object.entries({ version: 2, cells: [], format: 'something else', note: 'kept' })) {
      assert.deepEqual(reopened.metadata[key], value, `notebook metadata ${key}`);
    }
    await closeAll();
  });

  it('saves to an .attnb file and reopens with the outputs drawn, without running again', async function () {
    const file = vscode.Uri.file(path.join(dir, 'tour.attnb'));
    writeFileSync(file.fsPath, '');
    const doc = await vscode.workspace.openNotebookDocument(file);
    const cells = tour.getCells().map((c) => {
      const data = new vscode.NotebookCellData(c.kind, c.document.getText(), c.document.languageId);
      data.metadata = c.metadata;
      data.outputs = [...c.outputs];
      data.executionSummary = c.executionSummary;
      return data;
    });
    const edit = new vscode.WorkspaceEdit();
    edit.set(file, [vscode.NotebookEdit.insertCells(0, cells)]);
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.ok(await doc.save(), 'saved');
    const saved = readFileSync(file.fsPath, 'utf8');
    const json = JSON.parse(saved);
    assert.equal(json.format, 'attention-notebook');
    assert.equal(json.cells.length, tour.cellCount);
    const withOutputs = json.cells.filter((c: { outputs?: unknown[] }) => c.outputs?.length);
    assert.equal(withOutputs.length, 8, 'every attention cell of the tour, the learned ones included');
    assert.equal(withOutputs[0].outputs[0].items[0].json.weights.layout, 'dense');

    await closeAll();
    // VS Code keeps a closed notebook's model for minutes; the saved bytes under a new name are
    // read by the serializer afresh, which is what reopening the file later does.
    const copy = vscode.Uri.file(path.join(dir, 'reopened.attnb'));
    writeFileSync(copy.fsPath, readFileSync(file.fsPath));
    const reopened = await vscode.workspace.openNotebookDocument(copy);
    assert.notEqual(reopened, doc);
    const cellsAgain = codeCells(reopened);
    assert.equal(cellsAgain.length, 8);
    assert.deepEqual(attentionOf(cellsAgain[0]).weights, attentionOf(codeCells(tour)[0]).weights, 'weights are exact after the round trip');
    assert.equal(cellsAgain[0].executionSummary?.success, true);
    if (!hasTestHost()) return;
    const editor = await vscode.window.showNotebookDocument(reopened);
    editor.revealRange(new vscode.NotebookRange(cellsAgain[0].index, cellsAgain[0].index + 1), vscode.NotebookEditorRevealType.AtTop);
    const drawn = await waitFor('the saved output drawn again', async () => {
      const d = await drawnOutputs();
      return d.drawn > 0 && d.painted > 1000 && d;
    }, 30_000);
    assert.ok(drawn.drawn >= 1);
    assert.equal(reopened.isDirty, false, 'nothing ran or changed');
    await setColorTheme('Default Light Modern', vscode.ColorThemeKind.Light);
    await delay(500);
    await screenshot('notebook-reopened-light');
  });

  it('a save with nothing changed writes the very same bytes', async () => {
    const canonical = path.join(dir, 'tour.attnb');
    // A file laid out by hand: other indentation, key order, CRLF, a field this version does not know.
    const hand = path.join(dir, 'hand.attnb');
    writeFileSync(
      hand,
      '{"version":1,"format":"attention-notebook",\r\n\t"cells":[\r\n\t{"source":"我喜欢吃苹果","kind":"attention","settings":{"seed":7}},\r\n\t{"kind":"markdown","source":"# Note","reviewedBy":"ana"}],\r\n\t"generator":"by hand"}\r\n',
    );
    for (const fsPath of [canonical, hand]) {
      const before = readFileSync(fsPath);
      const doc = await vscode.workspace.openNotebookDocument(vscode.Uri.file(fsPath));
      // Change a cell's metadata and change it back: dirty, yet the same content, so save really serializes.
      const meta = doc.cellAt(0).metadata;
      const edit = new vscode.WorkspaceEdit();
      edit.set(doc.uri, [vscode.NotebookEdit.updateCellMetadata(0, { ...meta, probe: true })]);
      await vscode.workspace.applyEdit(edit);
      const undo = new vscode.WorkspaceEdit();
      undo.set(doc.uri, [vscode.NotebookEdit.updateCellMetadata(0, meta)]);
      await vscode.workspace.applyEdit(undo);
      assert.equal(doc.isDirty, true, 'the save is a real one');
      assert.ok(await doc.save());
      assert.deepEqual(readFileSync(fsPath), before, `${path.basename(fsPath)} is byte-identical after the save`);
      await closeAll();
    }
  });

  it('refuses a corrupt file with a message naming the problem, and leaves it untouched', async () => {
    const bad = path.join(dir, 'bad.attnb');
    const text = '{\n  "format": "attention-notebook",\n  "version": 1,\n  "cells": [\n    {"kind": "attention", "source": "hi",}\n  ]\n}\n';
    writeFileSync(bad, text);
    await assert.rejects(
      () => Promise.resolve(vscode.workspace.openNotebookDocument(vscode.Uri.file(bad))),
      (e: Error) => /not a valid attention notebook/.test(e.message) && /line 5, column \d+/.test(e.message) && /trailing comma/.test(e.message),
    );
    const wrongField = path.join(dir, 'wrong.attnb');
    writeFileSync(wrongField, '{"format":"attention-notebook","version":1,"cells":[{"kind":"attention","source":"x","settings":{"heads":"four"}}]}');
    await assert.rejects(
      () => Promise.resolve(vscode.workspace.openNotebookDocument(vscode.Uri.file(wrongField))),
      /cells\[0\]\.settings\.heads: expected a whole number, found "four"/,
    );
    // Opened the way a person would, from the explorer: an error in place of the editor and a
    // notification saying what is wrong; nothing is written.
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(bad));
    await delay(1500);
    if (hasTestHost()) await screenshot('notebook-corrupt');
    await closeAll();
    await delay(500);
    assert.equal(readFileSync(bad, 'utf8'), text, 'the corrupt file is untouched');
  });

  it('Send Selection to Notebook appends a cell to the open notebook and runs it', async () => {
    await closeAll();
    const notebook = await vscode.workspace.openNotebookDocument(vscode.Uri.file(path.join(dir, 'tour.attnb')));
    await vscode.window.showNotebookDocument(notebook, { viewColumn: vscode.ViewColumn.Two });
    const count = notebook.cellCount;
    const [uri] = await vscode.workspace.findFiles('sentences.txt');
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), vscode.ViewColumn.One);
    editor.selection = new vscode.Selection(0, 0, 0, editor.document.lineAt(0).text.length);
    const outcome = await vscode.commands.executeCommand<SendOutcome>('attentionExplorer.sendSelectionToNotebook');
    assert.equal(outcome.status, 'sent');
    if (outcome.status === 'sent') assert.equal(outcome.notebook.toString(), notebook.uri.toString());
    assert.equal(notebook.cellCount, count + 1);
    const added = notebook.cellAt(count);
    assert.equal(added.document.getText(), '我喜欢吃苹果');
    await waitFor('the sent cell to run', () => added.executionSummary?.success === true, 30_000);
    assert.deepEqual(attentionOf(added).tokens, [...'我喜欢吃苹果']);
  });

  it('reports a bad cell setting as an error output of that cell', async () => {
    const doc = await vscode.workspace.openNotebookDocument(NOTEBOOK_TYPE, new vscode.NotebookData([
      Object.assign(new vscode.NotebookCellData(vscode.NotebookCellKind.Code, '我喜欢吃苹果', 'plaintext'), { metadata: { settings: { heads: 5, dModel: 64 } } }),
    ]));
    const editor = await vscode.window.showNotebookDocument(doc);
    await runAll(editor);
    const cell = doc.cellAt(0);
    assert.equal(cell.executionSummary?.success, false);
    const item = cell.outputs[0].items[0];
    assert.equal(item.mime, 'application/vnd.code.notebook.error');
    assert.match(new TextDecoder().decode(item.data), /divisible|heads/);
  });

  it('reports a query whose scores overflow float32 as an error output naming it', async () => {
    const doc = await vscode.workspace.openNotebookDocument(NOTEBOOK_TYPE, new vscode.NotebookData([
      new vscode.NotebookCellData(vscode.NotebookCellKind.Code, '1 0 0 0\n1e30 1e30 1e30 1e30\n0 1 0 0', 'plaintext'),
    ]));
    await runAll(await vscode.window.showNotebookDocument(doc));
    const cell = doc.cellAt(0);
    assert.equal(cell.executionSummary?.success, false);
    const item = cell.outputs[0].items[0];
    assert.equal(item.mime, 'application/vnd.code.notebook.error');
    assert.match(new TextDecoder().decode(item.data), /sequence 1, query 2 \(head \d\): its score for key \d overflows float32/);
  });

  it('keeps only the top weights of each row above the size limit, and the view says so', async () => {
    // 4 heads × 800² float32 = 10 MB, above the 8 MB limit.
    await closeAll();
    const words = Array.from({ length: 800 }, (_, i) => `w${i % 97}`).join(' ');
    const doc = await vscode.workspace.openNotebookDocument(NOTEBOOK_TYPE, new vscode.NotebookData([
      new vscode.NotebookCellData(vscode.NotebookCellKind.Code, words, 'plaintext'),
    ]));
    await runAll(await vscode.window.showNotebookDocument(doc));
    const cell = doc.cellAt(0);
    assert.equal(cell.executionSummary?.success, true);
    const out = attentionOf(cell);
    assert.equal(out.n, 800);
    assert.equal(out.topK, Math.floor((8 * 2 ** 20) / (4 * 800 * 8)));
    const bytes = cell.outputs[0].items[0].data.length;
    assert.ok(bytes < 8 * 2 ** 20 * 1.4, `${bytes} bytes of JSON`);
    if (!hasTestHost()) return;
    const note = await waitFor('the note about kept weights', () =>
      webviewEval<string>(`document.querySelector('.attn-output[data-tokens="800"] .attn-note')?.textContent || false`, {
        selector: '.attn-output[data-tokens="800"]',
        timeoutMs: 30_000,
      }),
    30_000);
    assert.match(note, /only the 327 largest of each row were kept/);
    await closeAll();
  });

  it('stops a long run when cancelled, and runs again afterwards', async () => {
    // 3000 tokens at d_model 512: billions of multiply-adds, far longer than the wait below.
    const words = Array.from({ length: 3000 }, (_, i) => `t${i}`).join(' ');
    const cellData = new vscode.NotebookCellData(vscode.NotebookCellKind.Code, words, 'plaintext');
    cellData.metadata = { settings: { heads: 4, dModel: 512 } };
    const doc = await vscode.workspace.openNotebookDocument(NOTEBOOK_TYPE, new vscode.NotebookData([cellData]));
    await vscode.window.showNotebookDocument(doc);
    const started = Date.now();
    const run = vscode.commands.executeCommand('notebook.execute');
    await delay(1000);
    await vscode.commands.executeCommand('notebook.cancelExecution');
    await run;
    await waitFor('the cancelled run to end', () => doc.cellAt(0).executionSummary?.timing !== undefined, 15_000);
    const cell = doc.cellAt(0);
    assert.equal(cell.executionSummary?.success, undefined, 'neither success nor failure');
    assert.equal(cell.outputs.length, 0, 'no output');
    assert.ok(Date.now() - started < 10_000, 'the worker stopped at once');
    // The worker is started again for the next run.
    const edit = new vscode.WorkspaceEdit();
    edit.set(doc.uri, [vscode.NotebookEdit.replaceCells(new vscode.NotebookRange(0, 1), [new vscode.NotebookCellData(vscode.NotebookCellKind.Code, '我喜欢吃苹果', 'plaintext')])]);
    await vscode.workspace.applyEdit(edit);
    await runAll(vscode.window.activeNotebookEditor as vscode.NotebookEditor);
    assert.equal(doc.cellAt(0).executionSummary?.success, true);
    await closeAll();
  });

  it('changes a cell setting from quick picks, without editing JSON', async function () {
    if (!hasTestHost()) this.skip();
    const doc = await vscode.workspace.openNotebookDocument(NOTEBOOK_TYPE, new vscode.NotebookData([
      new vscode.NotebookCellData(vscode.NotebookCellKind.Code, '我喜欢吃苹果', 'plaintext'),
    ]));
    await vscode.window.showNotebookDocument(doc);
    const done = vscode.commands.executeCommand('attentionExplorer.editCellSettings', doc.cellAt(0));
    await delay(800);
    for (const key of [...'Mask', 'Enter']) await pressKey(key);
    await delay(800);
    for (const key of [...'causal', 'Enter']) await pressKey(key);
    await done;
    await waitFor('the mask setting', () => (doc.cellAt(0).metadata.settings as { mask?: string } | undefined)?.mask === 'causal');
    assert.equal(doc.isDirty, true);
  });

  it('opens the Getting Started walkthrough with its pictures', async function () {
    if (!hasTestHost()) this.skip();
    await closeAll();
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', 'attention-explorer.attention-explorer#attentionExplorer.gettingStarted', false);
    await delay(2000);
    const shot = await screenshot('notebook-walkthrough-light');
    assert.ok(shot.workbenchStats.distinctColours > 40, JSON.stringify(shot.workbenchStats));
    await closeAll();
  });
});
