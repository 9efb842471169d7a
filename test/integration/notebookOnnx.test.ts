// Attention notebooks running ONNX in a real VS Code: cells with engine "onnx" (the built-in layer
// in onnxruntime-web), cells that name a model of their own (every layer, a layer choice in the
// output), and the error outputs for a model without its tokenizer or a corrupt model file.
import * as assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { ATTENTION_MIME, decodeAttention } from '../../src/shared/notebookOutput';
import { hasTestHost, pressKey, screenshot, webviewEval } from './support/host';
import { delay, setColorTheme, waitFor } from './support/wait';

const ERROR_MIME = 'application/vnd.code.notebook.error';
const root = path.resolve(__dirname, '..', '..', '..');
const fixtures = path.join(root, 'test', 'fixtures');
const scratch = mkdtempSync(path.join(tmpdir(), 'attnb-onnx-'));
const SENTENCE = 'The cat sat on the mat because it was warm.';

type Settings = { [key: string]: string | number | boolean };

function cellData(text: string, settings: Settings): vscode.NotebookCellData {
  const cell = new vscode.NotebookCellData(vscode.NotebookCellKind.Code, text, 'plaintext');
  cell.metadata = { settings };
  return cell;
}

/** A folder holding gpt_tiny.onnx and, unless told otherwise, its tokenizer.json beside it. */
function modelFolder(name: string, withTokenizer = true): string {
  const folder = path.join(scratch, name);
  mkdirSync(folder, { recursive: true });
  copyFileSync(path.join(fixtures, 'onnx', 'gpt_tiny.onnx'), path.join(folder, 'gpt_tiny.onnx'));
  if (withTokenizer) copyFileSync(path.join(fixtures, 'core', 'tokenizers', 'wordpiece.json'), path.join(folder, 'tokenizer.json'));
  return folder;
}

/** Opens a notebook of these cells saved as `file` (so relative model paths have a folder), runs them all. */
async function runNotebook(file: string, cells: vscode.NotebookCellData[]): Promise<vscode.NotebookDocument> {
  writeFileSync(file, '');
  const doc = await vscode.workspace.openNotebookDocument(vscode.Uri.file(file));
  const edit = new vscode.WorkspaceEdit();
  edit.set(doc.uri, [vscode.NotebookEdit.insertCells(0, cells)]);
  assert.ok(await vscode.workspace.applyEdit(edit));
  await vscode.window.showNotebookDocument(doc);
  await vscode.commands.executeCommand('notebook.execute');
  await waitFor(
    'every cell to finish',
    () => doc.getCells().every((c) => c.executionSummary?.success !== undefined && c.outputs.length === 1),
    90_000,
  );
  return doc;
}

function attentionOf(cell: vscode.NotebookCell): ReturnType<typeof decodeAttention> {
  const item = cell.outputs[0]?.items.find((i) => i.mime === ATTENTION_MIME);
  assert.ok(item, `cell ${cell.index} has an attention output: ${errorOf(cell)?.message ?? 'none'}`);
  return decodeAttention(JSON.parse(new TextDecoder().decode(item.data)));
}

function markdownOf(cell: vscode.NotebookCell): string {
  const item = cell.outputs[0]?.items.find((i) => i.mime === 'text/markdown');
  assert.ok(item);
  return new TextDecoder().decode(item.data);
}

function errorOf(cell: vscode.NotebookCell): { name: string; message: string } | undefined {
  const item = cell.outputs[0]?.items.find((i) => i.mime === ERROR_MIME);
  return item && JSON.parse(new TextDecoder().decode(item.data));
}

function largestDifference(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

async function closeAll(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

describe('Attention notebooks with ONNX', function () {
  this.timeout(180_000);

  before(closeAll);
  after(closeAll);

  it('runs engine "onnx" cells in onnxruntime-web and agrees with core cells within 1e-5', async () => {
    const base = { heads: 4, dModel: 64, seed: 42, mask: 'none' };
    const doc = await runNotebook(path.join(scratch, 'engines.attnb'), [
      cellData(SENTENCE, { ...base, engine: 'core' }),
      cellData(SENTENCE, { ...base, engine: 'onnx' }),
      cellData(SENTENCE, { ...base, engine: 'core', mask: 'causal', scale: false }),
      cellData(SENTENCE, { ...base, engine: 'onnx', mask: 'causal', scale: false }),
      cellData('1 0 0 1\n0 1 1 0\n1 1 0 0', { ...base, engine: 'onnx' }),
    ]);
    const [core, onnx, coreUnscaled, onnxUnscaled, matrix] = doc.getCells();
    for (const cell of [core, onnx, coreUnscaled, onnxUnscaled]) assert.equal(cell.executionSummary?.success, true, errorOf(cell)?.message);
    const a = attentionOf(core);
    const b = attentionOf(onnx);
    assert.deepEqual(b.tokens, a.tokens);
    assert.equal(b.layers, 1);
    assert.ok(largestDifference(a.weights, b.weights) < 1e-5, `largest difference ${largestDifference(a.weights, b.weights)}`);
    // Unscaled and causal: the exported graph honours both settings.
    assert.ok(largestDifference(attentionOf(coreUnscaled).weights, attentionOf(onnxUnscaled).weights) < 1e-5);
    assert.ok(largestDifference(a.weights, attentionOf(coreUnscaled).weights) > 1e-3, 'the settings changed something');
    // The output says what ran; core outputs stay as they were.
    assert.match(String(b.settings.backend), /^onnx-wasm · \d+ threads?$/);
    assert.equal(b.settings.engine, 'onnx');
    assert.equal(a.settings.backend, undefined);
    assert.match(markdownOf(onnx), /onnx-wasm/);
    assert.doesNotMatch(markdownOf(core), /onnx/);
    // A matrix is embeddings, which the exported layer does not take: an error naming the setting.
    assert.equal(matrix.executionSummary?.success, false);
    const err = errorOf(matrix);
    assert.ok(err);
    assert.equal(err.name, 'Cell setting');
    assert.match(err.message, /Engine "onnx" runs on text.*engine "core"/);
    await closeAll();
  });

  it('runs the model a cell names, shows every layer and offers a layer choice', async () => {
    const folder = modelFolder('model');
    const doc = await runNotebook(path.join(folder, 'model.attnb'), [
      // Relative to the notebook's folder, and absolute.
      cellData(SENTENCE, { engine: 'onnx', model: 'gpt_tiny.onnx' }),
      cellData(SENTENCE, { model: vscode.Uri.file(path.join(folder, 'gpt_tiny.onnx')).toString(), view: 'mean' }),
    ]);
    const [relative, uri] = doc.getCells();
    assert.equal(relative.executionSummary?.success, true, errorOf(relative)?.message);
    assert.equal(uri.executionSummary?.success, true, errorOf(uri)?.message);
    const out = attentionOf(relative);
    assert.equal(out.layers, 2);
    assert.equal(out.heads, 2);
    const { n } = out;
    assert.ok(n >= 6, `${n} tokens`);
    assert.equal(out.weights.length, 2 * 2 * n * n);
    // GPT-style: causal, nothing above the diagonal, rows sum to one, in every layer and head.
    for (let m = 0; m < out.layers * out.heads; m++) {
      for (let q = 0; q < n; q++) {
        let sum = 0;
        for (let k = 0; k < n; k++) {
          const w = out.weights[(m * n + q) * n + k];
          if (k > q) assert.ok(Math.abs(w) < 1e-6, `layer ${Math.floor(m / 2) + 1} head ${(m % 2) + 1}: ${w} above the diagonal`);
          sum += w;
        }
        assert.ok(Math.abs(sum - 1) < 1e-4, `row sum ${sum}`);
      }
    }
    assert.ok(largestDifference(out.weights.subarray(0, 2 * n * n), out.weights.subarray(2 * n * n)) > 1e-3, 'the layers differ');
    assert.deepEqual(attentionOf(uri).weights, out.weights, 'a file URI runs the same model');
    assert.equal(out.settings.model, 'gpt_tiny.onnx');
    assert.match(String(out.settings.backend), /gpt_tiny\.onnx · onnx-wasm/);
    const table = markdownOf(relative);
    assert.match(table, /2 layers · 2 heads · gpt_tiny\.onnx · onnx-wasm/);
    assert.match(table, /\| Layer \| Head \| #1 \| #2 \| #3 \|/);
    assert.match(table, /\n\| 2 \| 2 \| .+ \|\n/);

    if (!hasTestHost()) return;
    await setColorTheme('Default Dark Modern', vscode.ColorThemeKind.Dark);
    await vscode.commands.executeCommand('notifications.clearAll');
    const editor = vscode.window.activeNotebookEditor;
    assert.ok(editor);
    editor.revealRange(new vscode.NotebookRange(0, 1), vscode.NotebookEditorRevealType.AtTop);
    const selector = { selector: '.attn-output[data-layers="2"]', timeoutMs: 30_000 };
    const choice = await waitFor('the layer choice drawn', () =>
      webviewEval<{ label: string; options: string[]; heatmaps: number; drawn: number } | false>(
        `(() => { const o = document.querySelector('.attn-output[data-layers="2"]'); const s = o?.querySelector('select.attn-layer-select');
          if (!s || !(Number(o.dataset.drawn) > 0)) return false;
          return { label: s.closest('label').textContent.trim(), options: [...s.options].map((x) => x.textContent),
            heatmaps: o.querySelectorAll('.heatmap-overlay').length, drawn: Number(o.dataset.drawn) }; })()`,
        selector,
      ),
    30_000);
    assert.match(choice.label, /^Layer/);
    assert.deepEqual(choice.options, ['1 / 2', '2 / 2']);
    assert.equal(choice.heatmaps, 2, 'one heatmap per head of the chosen layer');
    // Choosing layer 2 draws that layer's heads.
    const switched = await webviewEval<{ layer: string; heatmaps: number; drawn: string }>(
      `(async () => { const o = document.querySelector('.attn-output[data-layers="2"]'); const s = o.querySelector('select.attn-layer-select');
        s.value = '1'; s.dispatchEvent(new Event('change', { bubbles: true }));
        await new Promise((r) => requestAnimationFrame(() => r()));
        const now = document.querySelector('.attn-output[data-layers="2"]');
        return { layer: now.dataset.layer, heatmaps: now.querySelectorAll('.heatmap-overlay').length, drawn: now.dataset.drawn }; })()`,
      selector,
    );
    assert.deepEqual(switched, { layer: '1', heatmaps: 2, drawn: '2' });
    await delay(500);
    const shot = await screenshot('notebook-model');
    assert.ok(shot.workbenchStats.distinctColours > 60, JSON.stringify(shot.workbenchStats));
    await closeAll();
  });

  it('goes back to the built-in layer from the status bar quick pick, and offers core and onnx engines', async function () {
    if (!hasTestHost()) this.skip();
    const folder = modelFolder('pick');
    const file = path.join(folder, 'pick.attnb');
    writeFileSync(file, '');
    const doc = await vscode.workspace.openNotebookDocument(vscode.Uri.file(file));
    const edit = new vscode.WorkspaceEdit();
    edit.set(doc.uri, [vscode.NotebookEdit.insertCells(0, [cellData(SENTENCE, { engine: 'onnx', model: 'gpt_tiny.onnx' })])]);
    assert.ok(await vscode.workspace.applyEdit(edit));
    await vscode.window.showNotebookDocument(doc);
    const settings = () => doc.cellAt(0).metadata.settings as Settings;
    const pick = async (first: string, second: string) => {
      const done = vscode.commands.executeCommand('attentionExplorer.editCellSettings', doc.cellAt(0));
      await delay(800);
      for (const key of [...first, 'Enter']) await pressKey(key);
      await delay(800);
      for (const key of [...second, 'Enter']) await pressKey(key);
      await done;
    };
    await pick('ONNX model', 'none');
    await waitFor('the model setting removed', () => settings().model === undefined);
    assert.equal(settings().engine, 'onnx');
    await pick('Engine', 'core');
    await waitFor('the engine set to core', () => settings().engine === 'core');
    await closeAll();
  });

  it('gives error outputs naming the problem: no tokenizer.json beside the model, a corrupt model, a missing file', async () => {
    const lonely = modelFolder('lonely', false);
    const corrupt = modelFolder('corrupt');
    writeFileSync(path.join(corrupt, 'broken.onnx'), 'this is not a protobuf model');
    const doc = await runNotebook(path.join(scratch, 'errors.attnb'), [
      cellData(SENTENCE, { engine: 'onnx', model: path.join(lonely, 'gpt_tiny.onnx') }),
      cellData(SENTENCE, { engine: 'onnx', model: path.join(corrupt, 'broken.onnx') }),
      cellData(SENTENCE, { engine: 'onnx', model: 'nowhere/missing.onnx' }),
    ]);
    const [noTokenizer, broken, missing] = doc.getCells();
    for (const cell of doc.getCells()) assert.equal(cell.executionSummary?.success, false);
    const e1 = errorOf(noTokenizer);
    assert.ok(e1);
    assert.equal(e1.name, 'Cell setting');
    assert.ok(e1.message.includes(path.join(lonely, 'tokenizer.json')), e1.message);
    assert.match(e1.message, /No tokenizer\.json beside the model/);
    const e2 = errorOf(broken);
    assert.ok(e2);
    assert.equal(e2.name, 'ONNX model');
    assert.ok(e2.message.includes(path.join(corrupt, 'broken.onnx')), e2.message);
    assert.match(e2.message, /cannot be explored: not an ONNX model/);
    const e3 = errorOf(missing);
    assert.ok(e3);
    assert.match(e3.message, /The model file .*missing\.onnx does not exist/);
    await closeAll();
  });
});
