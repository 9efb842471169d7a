// Attention: Generate and Explore in a real VS Code: the shipped causal model continues a Chinese
// selection; the tokens the panel shows are those of a greedy decode the test does itself with
// onnxruntime-web (test/shared/greedy.ts); the slider and its buttons step through them, the text
// growing with each; light and dark screenshots; a run cancelled from its progress notification
// says so and leaves the panel as it was; an .attnb cell with "generate" keeps the generated run
// in its saved output; a model that is not causal is refused, saying why.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { loadTokenizerJson } from '../../src/core';
import type { GenerateOutcome } from '../../src/host/generateCommand';
import { ATTENTION_MIME, decodeAttention } from '../../src/shared/notebookOutput';
import { greedy } from '../shared/greedy';
import { setSetting, shot } from './explorer/support';
import { clickInWebview, hasTestHost, hoverInWebview, pressKey, screenshot, waitForNotification, webviewEval, workbenchClick, workbenchText } from './support/host';
import { openScratch, setColorTheme, waitFor } from './support/wait';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const MODELS = path.join(ROOT, 'media', 'models');
const COMMAND = 'attentionExplorer.generate';
const tokenizer = loadTokenizerJson(JSON.parse(readFileSync(path.join(MODELS, 'tokenizer.json'), 'utf8')));

/** The prompt's ids as generation continues it: [CLS] and the characters, without the [SEP] appended. */
function promptIds(text: string): number[] {
  return tokenizer.tokenize(text).filter((t, i, all) => !(t.special && i === all.length - 1)).map((t) => t.id ?? -1);
}

function attentionTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('attentionExplorer.panel'));
}

async function generateOn(text: string): Promise<GenerateOutcome> {
  const editor = await openScratch('generate.txt', `${text}\n`);
  editor.selection = new vscode.Selection(0, 0, 0, text.length);
  const outcome = await vscode.commands.executeCommand<GenerateOutcome>(COMMAND);
  assert.ok(outcome);
  return outcome;
}

interface Shown { step: string; marks: string[]; current: string; text: string; rows: number; keys: number; stop: string }

function shown(): Promise<Shown> {
  return webviewEval<Shown>(`(() => {
    const overlay = document.querySelector('.generate-rows .heatmap-overlay');
    return {
      step: document.getElementById('generate-step')?.value ?? '',
      marks: [...document.querySelectorAll('.generate-text mark.generated')].map((m) => m.textContent),
      current: document.querySelector('.generate-text mark.current')?.textContent ?? '',
      text: document.querySelector('.generate-text')?.textContent ?? '',
      rows: overlay ? (overlay.height / devicePixelRatio - Number(overlay.dataset.top)) : 0,
      keys: Number(overlay?.dataset.keys ?? 0),
      stop: document.querySelector('.generate-stop')?.textContent ?? '',
    };
  })()`);
}

describe('Generate and Explore', function () {
  this.timeout(240_000);

  after(async () => {
    await setSetting('generateTokens', undefined);
    await vscode.commands.executeCommand('attentionExplorer.useBuiltInLayer');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('continues 我喜欢 with the greedy tokens, and steps through them', async function () {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await setSetting('generateTokens', 6);
    const outcome = await generateOn('我喜欢');
    assert.equal(outcome.status, 'shown');
    if (outcome.status !== 'shown') return;
    const prompt = promptIds('我喜欢');
    const expected = await greedy(ROOT, prompt, 6, 128);
    assert.equal(expected.length, 6, 'the test decode went on for 6 tokens');
    assert.deepEqual(outcome.ids, [...prompt, ...expected]);
    assert.equal(outcome.generated, 6);
    assert.equal(outcome.stop, 'count');
    const texts = expected.map((id) => tokenizer.decode([id]));
    assert.deepEqual(outcome.tokens.slice(-6), texts);
    assert.equal(outcome.text, `我喜欢${texts.join('')}`);
    assert.equal(outcome.rendered?.sequences[0]?.drawnCanvases, 1, 'the rows were drawn');
    assert.equal(attentionTabs().length, 1);
    if (!hasTestHost()) return;

    // It opens at the last token: the whole text, every generated token marked.
    await waitFor('the generation view', () => webviewEval<boolean>(`document.getElementById('view')?.dataset.view === 'generate'`));
    let now = await shown();
    assert.equal(now.step, '6');
    assert.deepEqual(now.marks, texts);
    assert.equal(now.current, texts[5]);
    assert.equal(now.text, outcome.text);
    assert.equal(now.keys, prompt.length + 6, 'the last token\'s row covers every token up to itself');
    assert.match(now.stop, /Generated 6 tokens/);
    await setColorTheme('Default Light Modern', vscode.ColorThemeKind.Light);
    await shot('generate-light');

    // Previous (a real click), then the keyboard on the slider: the text shrinks and grows again.
    await clickInWebview('#generate-previous');
    await waitFor('token 5', async () => (await shown()).step === '5');
    now = await shown();
    assert.deepEqual(now.marks, texts.slice(0, 5));
    assert.equal(now.text, `我喜欢${texts.slice(0, 5).join('')}`);
    assert.equal(now.keys, prompt.length + 5);
    const focused = await webviewEval<string>('document.activeElement?.id ?? ""');
    assert.equal(focused, 'generate-previous', 'focus stays on the button');
    await webviewEval(`(document.getElementById('generate-step').focus(), true)`);
    await pressKey('Home');
    await waitFor('token 1', async () => (await shown()).step === '1');
    now = await shown();
    assert.deepEqual(now.marks, texts.slice(0, 1));
    assert.equal(now.keys, prompt.length + 1);
    await pressKey('ArrowRight');
    await waitFor('token 2', async () => (await shown()).step === '2');
    assert.equal(await webviewEval<string>('document.activeElement?.id ?? ""'), 'generate-step', 'focus stays on the slider');
    await pressKey('ArrowRight');
    await waitFor('token 3', async () => (await shown()).step === '3');
    assert.deepEqual((await shown()).marks, texts.slice(0, 3));
    await clickInWebview('#generate-next');
    await waitFor('token 4', async () => (await shown()).step === '4');
    // The pointer over a cell gives its exact weight, with its layer, head, query and key.
    await hoverInWebview('.generate-rows .heatmap-overlay');
    const tip = await waitFor('the tooltip', () => webviewEval<string | false>(`!document.getElementById('tooltip').hidden && document.getElementById('tooltip').textContent`));
    assert.match(tip, /^Layer \d · Head \d · Query \d+ “.+” → Key \d+ “.*” · Weight \d/);
    await setColorTheme('Default Dark Modern', vscode.ColorThemeKind.Dark);
    await shot('generate-dark');
  });

  it('is cancelled from its progress notification: it says so, and the panel keeps what it showed', async function () {
    if (!hasTestHost()) this.skip();
    const before = await shown();
    assert.equal(before.step, '4', 'the panel shows the previous run');
    await vscode.commands.executeCommand('notifications.clearAll');
    await setSetting('generateTokens', 100);
    // The text opens in the first group, beside the panel, as a person's editor is.
    await vscode.commands.executeCommand('workbench.action.focusFirstEditorGroup');
    const text = '无法打开文件';
    const editor = await openScratch('generate-long.txt', `${text}\n`);
    editor.selection = new vscode.Selection(0, 0, 0, text.length);
    const pending = vscode.commands.executeCommand<GenerateOutcome>(COMMAND);
    const progress = await waitFor('the progress of a few tokens', async () =>
      (await workbenchText('.notification-toast')).find((t) => /token (\d+) of 100/.test(t) && Number(/token (\d+) of 100/.exec(t)?.[1]) >= 3), 60_000);
    assert.match(progress, /Generating with learned-causal\.onnx/);
    await workbenchClick('.notification-toast .monaco-button', 'Cancel', 20_000);
    const outcome = await pending;
    assert.equal(outcome?.status, 'cancelled');
    await waitForNotification(/Generation cancelled\. Nothing was changed\./);
    assert.equal(attentionTabs().length, 1, 'the panel stays open');
    const after = await shown();
    assert.deepEqual(after, before, 'it shows what it showed before');
  });

  it('an .attnb cell with "generate" shows the attention over prompt + generated, marked, and saves it', async function () {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const dir = mkdtempSync(path.join(tmpdir(), 'attnb-generate-'));
    const file = vscode.Uri.file(path.join(dir, 'generate.attnb'));
    writeFileSync(file.fsPath, '');
    const doc = await vscode.workspace.openNotebookDocument(file);
    const cell = new vscode.NotebookCellData(vscode.NotebookCellKind.Code, '我喜欢', 'plaintext');
    cell.metadata = { settings: { model: 'learned-causal', generate: 5 } };
    const edit = new vscode.WorkspaceEdit();
    edit.set(file, [vscode.NotebookEdit.insertCells(0, [cell])]);
    assert.ok(await vscode.workspace.applyEdit(edit));
    await vscode.window.showNotebookDocument(doc);
    await vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: 0, end: 1 }], document: doc.uri });
    await waitFor('the cell to finish', () => doc.cellAt(0).executionSummary?.success !== undefined && doc.cellAt(0).outputs.length === 1, 60_000);
    assert.equal(doc.cellAt(0).executionSummary?.success, true, JSON.stringify(doc.cellAt(0).outputs[0]?.items.map((i) => new TextDecoder().decode(i.data))));
    const prompt = promptIds('我喜欢');
    const expected = await greedy(ROOT, prompt, 5, 128);
    const texts = expected.map((id) => tokenizer.decode([id]));
    const read = (c: vscode.NotebookCell) => {
      const item = c.outputs[0]?.items.find((i) => i.mime === ATTENTION_MIME);
      assert.ok(item, 'an attention output');
      return decodeAttention(JSON.parse(new TextDecoder().decode(item.data)));
    };
    const out = read(doc.cellAt(0));
    assert.equal(out.generated, 5);
    assert.equal(out.n, prompt.length + 5);
    assert.deepEqual(out.tokens.slice(-5), texts);
    assert.equal(out.layers, 4);
    const markdown = new TextDecoder().decode(doc.cellAt(0).outputs[0].items.find((i) => i.mime === 'text/markdown')?.data);
    assert.match(markdown, /The model generated the last 5 of these \d+ tokens \(marked\):/);
    if (hasTestHost()) {
      const marks = await waitFor('the marked tokens', () => webviewEval<string[] | false>(
        `(() => { const m = [...document.querySelectorAll('.attn-generated mark')].map((e) => e.textContent); return m.length > 0 && m; })()`,
        { selector: '.attn-output', timeoutMs: 30_000 }));
      assert.deepEqual(marks, texts);
      await screenshot('generate-notebook');
    }
    // Saved with the file, and read back the same.
    assert.ok(await doc.save(), 'saved');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const copy = vscode.Uri.file(path.join(dir, 'generate-reopened.attnb'));
    writeFileSync(copy.fsPath, readFileSync(file.fsPath));
    const reopened = await vscode.workspace.openNotebookDocument(copy);
    assert.deepEqual(reopened.cellAt(0).metadata.settings, { model: 'learned-causal', generate: 5 });
    const again = read(reopened.cellAt(0));
    assert.equal(again.generated, 5);
    assert.deepEqual(again.tokens, out.tokens);
    assert.deepEqual(again.weights, out.weights);
  });

  it('refuses a model that is not causal, saying why', async function () {
    await vscode.commands.executeCommand('attentionExplorer.openModel', {
      model: vscode.Uri.file(path.join(MODELS, 'learned-bidirectional.onnx')),
      tokenizer: vscode.Uri.file(path.join(MODELS, 'tokenizer.json')),
    });
    await setSetting('generateTokens', 3);
    const outcome = await generateOn('我喜欢');
    assert.equal(outcome.status, 'failed');
    if (hasTestHost()) {
      await waitForNotification(/Could not generate: learned-bidirectional\.onnx is not a causal language model: its attention is not causal \(layer \d+, head \d+: token \d+ attends to the later token \d+\)/);
    }
    await vscode.commands.executeCommand('attentionExplorer.useBuiltInLayer');
  });
});
