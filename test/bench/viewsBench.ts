// Runs inside the extension host of the test VS Code (see runViewsBench.ts). Explores 2048 tokens
// with 12 heads, then asks the webview how long each step took: the times are measured in the
// webview with performance.now(), from the moment the data arrived.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { ExploreOutcome } from '../../src/host/exploreCommand';
import { webviewEval } from '../integration/support/host';

const RESULT_FILE = path.resolve(__dirname, '..', '..', '..', 'test-output', 'bench-views.txt');
const N = 2048;
const HEADS = 12;

/** N tokens of Chinese text: one token per character. */
function longText(): string {
  const chars = '我喜欢吃苹果今天天气很好我们去公园散步小猫在垫子上睡觉因为它累了';
  return Array.from({ length: N }, (_, i) => chars[i % chars.length]).join('');
}

async function config(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('attentionExplorer').update(key, value, vscode.ConfigurationTarget.Global);
}

/** Times `count` pointer moves over the first heatmap, each handled synchronously. */
const HOVER = `(() => {
  const o = document.querySelector('.heatmap-overlay'), r = o.getBoundingClientRect(), times = [];
  for (let i = 0; i < 300; i++) {
    const x = r.left + 5 + ((i * 37) % (r.width - 10)), y = r.top + 5 + ((i * 53) % (r.height - 10));
    const t = performance.now();
    o.dispatchEvent(new MouseEvent('mousemove', { clientX: x, clientY: y, bubbles: true }));
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { mean: times.reduce((a, b) => a + b, 0) / times.length, p95: times[Math.floor(times.length * 0.95)], max: times[times.length - 1] };
})()`;

/** Sets a toolbar control and times the synchronous redraw it causes. */
const timeControl = (id: string, value: string) => `(() => {
  const el = document.getElementById(${JSON.stringify(id)}); el.value = ${JSON.stringify(value)};
  const t = performance.now(); el.dispatchEvent(new Event('change')); return performance.now() - t;
})()`;

const timeClick = (selector: string) => `(() => {
  const t = performance.now(); document.querySelector(${JSON.stringify(selector)}).click(); return performance.now() - t;
})()`;

export async function run(): Promise<void> {
  await config('heads', HEADS);
  await config('dModel', HEADS * 8);
  await config('maxTokensWithoutAsking', 100_000);
  const doc = await vscode.workspace.openTextDocument({ content: longText() });
  const editor = await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
  editor.selection = new vscode.Selection(0, 0, 0, N);
  const started = Date.now();
  const outcome = await vscode.commands.executeCommand<ExploreOutcome>('attentionExplorer.exploreSelection');
  const commandMs = Date.now() - started;
  if (outcome?.status !== 'shown' || !outcome.rendered?.timings) throw new Error(`no timings: ${JSON.stringify(outcome)}`);
  const seq = outcome.rendered.sequences[0];
  const t = outcome.rendered.timings;
  const hover = await webviewEval<{ mean: number; p95: number; max: number }>(HOVER);
  const oneHead = await webviewEval<number>(timeControl('head', '5'));
  const otherHead = await webviewEval<number>(timeControl('head', '7'));
  const model = await webviewEval<number>(timeClick('.view-switch [data-view="model"]'));
  const row = (what: string, value: string) => `  ${what.padEnd(52)}${value}`;
  const lines = [
    `Explorer views at N = ${seq.tokens} tokens, ${seq.heads} heads (weights ${((seq.heads * N * N * 4) / 2 ** 20).toFixed(0)} MB), in the VS Code test host`,
    row('command: compute + transfer + draw (host clock)', `${commandMs} ms`),
    row('first heatmap drawn after the data arrived', `${t.firstHeatmapMs.toFixed(1)} ms`),
    row(`all ${seq.drawnCanvases} heatmaps drawn (in slices, panel responsive)`, `${t.allMs.toFixed(1)} ms`),
    row('hover, one pointer move (mean / p95 / max)', `${hover.mean.toFixed(3)} / ${hover.p95.toFixed(3)} / ${hover.max.toFixed(3)} ms`),
    row('switch to head 6, drawn large', `${oneHead.toFixed(1)} ms`),
    row('switch to head 8', `${otherHead.toFixed(1)} ms`),
    row(`model view, ${seq.heads} thumbnails`, `${model.toFixed(1)} ms`),
  ];
  mkdirSync(path.dirname(RESULT_FILE), { recursive: true });
  writeFileSync(RESULT_FILE, `${lines.join('\n')}\n`);
  console.log(lines.join('\n'));
  for (const key of ['heads', 'dModel', 'maxTokensWithoutAsking']) await config(key, undefined);
}
