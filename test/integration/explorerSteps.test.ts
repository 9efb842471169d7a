// Step by step reads the same layer as the heatmaps: with identity weights, and for a selection of
// numbers (the embeddings themselves), the steps' softmax equals the head the panel shows.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExploreOutcome } from '../../src/host/exploreCommand';
import { lineSelection, openSample, setSetting, switchView } from './explorer/support';
import { hasTestHost, webviewEval } from './support/host';
import { panelWeights } from './support/panelWeights';
import { waitFor } from './support/wait';

/** The softmax step's table as the panel shows it: [N][N] numbers with two decimals. */
async function stepWeights(): Promise<string[][]> {
  await switchView('steps');
  await waitFor('the softmax step', () => webviewEval<boolean>(`!!document.querySelector('.step[data-step="softmax"] tbody tr td')`));
  return webviewEval<string[][]>(`[...document.querySelectorAll('.step[data-step="softmax"] tbody tr')]
    .map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent))`);
}

/** Head 0 of the exported weights, with the steps' two decimals (and their minus sign). */
function headText(weights: Float32Array, n: number): string[][] {
  return Array.from({ length: n }, (_, q) => Array.from(weights.subarray(q * n, (q + 1) * n), (w) => w.toFixed(2).replace('-', '−')));
}

async function explore(editor: vscode.TextEditor, selection: vscode.Selection): Promise<void> {
  editor.selection = selection;
  const outcome = await vscode.commands.executeCommand<ExploreOutcome>('attentionExplorer.exploreSelection');
  assert.equal(outcome?.status, 'shown');
}

describe('Step by step and the heatmaps read one layer', function () {
  this.timeout(120_000);

  before(function () {
    if (!hasTestHost()) this.skip();
  });

  afterEach(async () => {
    await setSetting('weights', undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('with identity weights, the steps of head 1 equal the heatmap of head 1', async () => {
    await setSetting('weights', 'identity');
    const editor = await openSample('sentences.txt');
    await explore(editor, lineSelection(editor, 0));
    const weights = await panelWeights('steps-identity'); // [1][4][6][6]
    const steps = await stepWeights();
    assert.equal(steps.length, 6);
    assert.deepEqual(steps, headText(weights, 6));
    // Identity weights make every token attend to itself most: not what random weights give.
    for (let q = 0; q < 6; q++) assert.equal(Math.max(...steps[q].map(Number)), Number(steps[q][q]), `row ${q}: ${steps[q].join(' ')}`);
  });

  it('a selection of numbers keeps its rows as the tokens of the steps', async () => {
    const editor = await openSample('embeddings.txt');
    const lines = editor.document.lineCount;
    const last = editor.document.lineAt(lines - 1).text.length ? lines - 1 : lines - 2;
    await explore(editor, new vscode.Selection(0, 0, last, editor.document.lineAt(last).text.length));
    const weights = await panelWeights('steps-matrix'); // [1][4][4][4]
    assert.equal(weights.length, 4 * 4 * 4, 'four rows are four tokens');
    const steps = await stepWeights();
    assert.equal(steps.length, 4, 'the steps have the four rows, not the digits read as text');
    assert.deepEqual(steps, headText(weights, 4));
    const labels = await webviewEval<string[]>(`[...document.querySelectorAll('.step[data-step="softmax"] tbody th')].map((th) => th.textContent)`);
    assert.deepEqual(labels, ['#1', '#2', '#3', '#4']);
  });
});
