// Runs inside the extension host of the test VS Code (see runViewsBench.ts). Each case explores a
// sequence as a person would and times what they wait for: from the command to the first heatmap
// on screen (end to end, wall clock across host and webview), the engine alone (compute) in the
// same run, and the host's peak memory. Then, at 16384 tokens, hover, pan and zoom in the webview.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { ExploreOutcome } from '../../src/host/exploreCommand';
import { extractAttention } from '../../src/onnx/node/extractAttention';
import { OrtWorkerClient } from '../../src/onnx/node/ortWorkerClient';
import { webviewEval } from '../integration/support/host';
import { delay } from '../integration/support/wait';

const root = path.resolve(__dirname, '..', '..', '..');
const RESULT_FILE = path.join(root, 'test-output', 'bench-views.txt');
const JSON_FILE = path.join(root, 'test-output', 'bench-views.jsonl');
const MODEL_DIR = path.join(root, 'test-output', 'bench-model');
const CHARS = '我喜欢吃苹果今天天气很好我们去公园散步小猫在垫子上睡觉因为它累了';

/** One line of `npm run bench:views -- --json`. */
interface CaseRow {
  case: string;
  n: number;
  layers: number;
  heads: number;
  compute_ms: number;
  first_heatmap_ms: number;
  end_to_end_ms: number;
  host_rss_mb: number;
}

function text(n: number): string {
  return Array.from({ length: n }, (_, i) => CHARS[i % CHARS.length]).join('');
}

async function config(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('attentionExplorer').update(key, value, vscode.ConfigurationTarget.Global);
}

/** The extension host's largest resident size while `run` runs (worker threads included: one process). */
async function peakRss<T>(run: () => Promise<T>): Promise<{ value: T; mb: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50);
  try {
    const value = await run();
    return { value, mb: Math.round(Math.max(peak, process.memoryUsage.rss()) / 2 ** 20) };
  } finally {
    clearInterval(timer);
  }
}

/** Explores `content` and measures one case row. */
async function exploreCase(name: string, content: string): Promise<CaseRow> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  const doc = await vscode.workspace.openTextDocument({ content });
  const editor = await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
  editor.selection = new vscode.Selection(0, 0, 0, content.length);
  const started = Date.now();
  const { value: outcome, mb } = await peakRss(() => Promise.resolve(vscode.commands.executeCommand<ExploreOutcome>('attentionExplorer.exploreSelection')));
  if (outcome?.status !== 'shown' || !outcome.rendered?.timings?.firstDrawnAt) throw new Error(`${name}: no timings: ${JSON.stringify(outcome)}`);
  const seq = outcome.rendered.sequences[0];
  const t = outcome.rendered.timings;
  const layers = await webviewEval<number>(`document.querySelectorAll('#layer option').length || 1`);
  return {
    case: name, n: seq.tokens, layers, heads: seq.heads,
    compute_ms: Math.round(outcome.elapsedMs),
    first_heatmap_ms: Math.round(t.firstHeatmapMs),
    end_to_end_ms: (t.firstDrawnAt ?? 0) - started,
    host_rss_mb: mb,
  };
}

/** p95 of the time each of `count` synchronous events takes to be handled in the zoomable heatmap. */
const TIME_EVENTS = (kind: 'hover' | 'pan' | 'zoom', count: number) => `(() => {
  const c = document.querySelector('.zoom-heatmap canvas[data-q0]'); const r = c.getBoundingClientRect(); const times = [];
  for (let i = 0; i < ${count}; i++) {
    const x = r.left + 20 + ((i * 37) % (r.width - 40)), y = r.top + 20 + ((i * 53) % (r.height - 40));
    const t = performance.now();
    if (${JSON.stringify(kind)} === 'hover') c.dispatchEvent(new MouseEvent('mousemove', { clientX: x, clientY: y, bubbles: true }));
    else if (${JSON.stringify(kind)} === 'zoom') c.dispatchEvent(new WheelEvent('wheel', { clientX: x, clientY: y, deltaY: i % 2 ? 120 : -120, bubbles: true, cancelable: true }));
    else c.dispatchEvent(new KeyboardEvent('keydown', { key: ['ArrowRight', 'ArrowDown', 'ArrowLeft', 'ArrowUp'][i % 4], bubbles: true }));
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { p95: times[Math.floor(times.length * 0.95)], max: times[times.length - 1], mean: times.reduce((a, b) => a + b, 0) / times.length };
})()`;

/** From a zoom to the exact window of tokens on screen, drawn from the host's tile (ms). */
const ZOOM_TO_EXACT = `(async () => {
  const c = document.querySelector('.zoom-heatmap canvas[data-q0]');
  const t = performance.now();
  c.focus();
  for (let i = 0; i < 12; i++) c.dispatchEvent(new KeyboardEvent('keydown', { key: '+', bubbles: true }));
  while (c.dataset.exact !== 'true' && performance.now() - t < 60000) await new Promise((r) => setTimeout(r, 5));
  return { ms: performance.now() - t, exact: c.dataset.exact, window: [c.dataset.q0, c.dataset.q1, c.dataset.k0, c.dataset.k1] };
})()`;

/** The 12 × 12 × 768 model of scripts/fixtures/onnx/make_bench_model.py, made once (needs python3-torch). */
function benchModel(content: string): { model: string; tokenizer: string } | string {
  const model = path.join(MODEL_DIR, 'model.onnx');
  const tokenizer = path.join(MODEL_DIR, 'tokenizer.json');
  if (!existsSync(model)) {
    try {
      execFileSync('/usr/bin/python3', [path.join(root, 'scripts', 'fixtures', 'onnx', 'make_bench_model.py'), MODEL_DIR, content], { stdio: 'pipe' });
    } catch (e) {
      return `model case skipped: make_bench_model.py needs Debian's python3-torch and python3-onnx (${String((e as Error).message).split('\n')[0]})`;
    }
  }
  return { model, tokenizer };
}

/**
 * onnxruntime-web alone on the same model and text: session creation + run, every attention layer,
 * on a worker that has run once already (as the extension's is by then), so its WASM start is not counted.
 */
async function ortAlone(model: string, tokenizerPath: string, content: string): Promise<number> {
  const { loadTokenizerJson } = await import('../../src/core');
  const tokenizer = loadTokenizerJson(JSON.parse(readFileSync(tokenizerPath, 'utf8')));
  const ids = tokenizer.tokenize(content).map((t) => t.id ?? 0);
  const client = new OrtWorkerClient({ workerPath: path.join(root, 'dist', 'ortWorker.js'), wasmDir: path.join(root, 'dist') });
  try {
    const bytes = new Uint8Array(readFileSync(model));
    await extractAttention(client, bytes, ids.slice(0, 2), { threads: 2, layers: [0] });
    const started = performance.now();
    await extractAttention(client, bytes, ids, { threads: 2 });
    return performance.now() - started;
  } finally {
    client.dispose();
  }
}

const row = (what: string, value: string) => `  ${what.padEnd(60)}${value}`;

export async function run(): Promise<void> {
  const rows: CaseRow[] = [];
  const lines: string[] = [];
  await config('maxTokensWithoutAsking', 100_000);
  await config('heads', 12);
  await config('dModel', 768);

  const layer2048 = await exploreCase('layer-2048', text(2048));
  rows.push(layer2048);

  const layer16k = await exploreCase('layer-16384', text(16384));
  rows.push(layer16k);
  await delay(500);
  const hover = await webviewEval<{ p95: number; max: number; mean: number }>(TIME_EVENTS('hover', 300));
  const pan = await webviewEval<{ p95: number; max: number; mean: number }>(TIME_EVENTS('pan', 200));
  const zoom = await webviewEval<{ p95: number; max: number; mean: number }>(TIME_EVENTS('zoom', 200));
  await webviewEval(`(document.querySelector('.zoom-heatmap canvas[data-q0]').dispatchEvent(new KeyboardEvent('keydown', { key: 'Home', bubbles: true })), true)`);
  const exact = await webviewEval<{ ms: number; exact: string; window: string[] }>(ZOOM_TO_EXACT, { timeoutMs: 70_000 });

  for (const key of ['heads', 'dModel']) await config(key, undefined);
  const content512 = text(512);
  const made = benchModel(content512);
  let ortMs: number | undefined;
  if (typeof made === 'string') {
    lines.push(made);
  } else {
    await vscode.commands.executeCommand('attentionExplorer.openModel', { model: vscode.Uri.file(made.model), tokenizer: vscode.Uri.file(made.tokenizer) });
    rows.push(await exploreCase('model-512', content512));
    await vscode.commands.executeCommand('attentionExplorer.useBuiltInLayer');
    ortMs = await ortAlone(made.model, made.tokenizer, content512);
  }
  await config('maxTokensWithoutAsking', undefined);

  const ratio = (r: CaseRow, base: number) => `${(r.end_to_end_ms / base).toFixed(2)}×`;
  lines.unshift(
    'Explorer, in the VS Code test host (code-server + Chromium); end to end = command → first heatmap on screen',
    ...rows.map((r) => row(`${r.case}: ${r.layers} × ${r.heads} heads, N = ${r.n}`,
      `compute ${r.compute_ms} ms · first heatmap ${r.first_heatmap_ms} ms after arrival · end to end ${r.end_to_end_ms} ms · host ${r.host_rss_mb} MB`)),
    row('layer-2048: end to end / compute (target ≤ 1.5)', ratio(layer2048, layer2048.compute_ms)),
    row('layer-16384: host memory (target < 2048 MB)', `${layer16k.host_rss_mb} MB`),
    row('layer-16384: hover, one pointer move (mean / p95 / max)', `${hover.mean.toFixed(2)} / ${hover.p95.toFixed(2)} / ${hover.max.toFixed(2)} ms`),
    row('layer-16384: pan, one arrow key (mean / p95 / max)', `${pan.mean.toFixed(2)} / ${pan.p95.toFixed(2)} / ${pan.max.toFixed(2)} ms`),
    row('layer-16384: zoom, one wheel notch (mean / p95 / max)', `${zoom.mean.toFixed(2)} / ${zoom.p95.toFixed(2)} / ${zoom.max.toFixed(2)} ms`),
    row('layer-16384: zoom in to exact weights, until drawn', `${exact.ms.toFixed(0)} ms (exact ${exact.exact}, window ${exact.window.join(',')})`),
  );
  const model = rows.find((r) => r.case === 'model-512');
  if (model && ortMs !== undefined) {
    lines.push(row('model-512: onnxruntime-web alone, session + run', `${ortMs.toFixed(0)} ms`));
    lines.push(row('model-512: end to end / onnxruntime alone (target ≤ 1.5)', ratio(model, ortMs)));
  }
  mkdirSync(path.dirname(RESULT_FILE), { recursive: true });
  writeFileSync(RESULT_FILE, `${lines.join('\n')}\n`);
  writeFileSync(JSON_FILE, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  console.log(lines.join('\n'));
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}
