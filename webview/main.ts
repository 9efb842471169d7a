// Explorer webview: receives sequences from the host, keeps the person's choices, and hands the
// drawing to one view at a time (heatmaps, model, lines, steps, compare).
import type { Tile } from '../src/core/tiles';
import {
  checkSequenceKvHeads,
  type ExportRequestMessage, type RenderedMessage, type RenderSettings, type RunRecord, type SequencePayload, type ShowMessage,
  type StatsMessage, type StepsMessage, type StepsPayload, type TileMessage, type ToWebview, type WebviewStrings,
} from '../src/shared/protocol';
import { formatString } from '../src/shared/notebookOutput';
import { Replies } from '../src/shared/replies';
import { buildControls } from './controls';
import { renderCompare } from './compareView';
import { exportPng, exportSvg } from './exportImage';
import { renderGenerate } from './generateView';
import { renderHeatmaps } from './heatmapsView';
import { buildLegend } from './legend';
import { renderLines } from './linesView';
import { renderModel } from './modelView';
import { RunWeights } from './remoteWeights';
import { runOnnx } from './onnxRun';
import { renderSteps } from './stepsView';
import { readTheme, onThemeChange } from './theme';
import { hideTooltip } from './tooltip';
import type { HostLink, ViewContext, ViewResult } from './viewContext';
import { headStats, type HeadStats } from './viewData';
import { defaultState, fitState, type ViewKind, type ViewState } from './viewState';
import { vscode } from './vscodeApi';

const app = document.getElementById('app') as HTMLElement;

let strings: WebviewStrings | undefined;
/** The shown run, and what the views fetch of it when its weights stay in the host. */
let data: { sequences: SequencePayload[]; settings: RenderSettings; elapsedMs: number; weights: RunWeights } | undefined;
let state: ViewState = defaultState();
/** The requestId of the `show` on screen: replies are for it, and tile requests name it. */
let lastRequest = 0;
/** A request the host leaves unanswered this long shows an error instead of loading for ever. */
const REPLY_TIMEOUT_MS = 60_000;
const pendingSteps = new Replies<StepsPayload>({ name: 'steps request' });
const pendingTiles = new Replies<{ tile: Tile; peak: number }>({ name: 'tile request' });
const pendingStats = new Replies<HeadStats>({ name: 'summaries request' });
/** What the view on screen drew; its heatmaps let go of their requests when it is replaced. */
let shown: ViewResult | undefined;

const renderers: Record<ViewKind, (ctx: ViewContext) => ViewResult> = {
  heatmaps: renderHeatmaps,
  model: renderModel,
  lines: renderLines,
  steps: renderSteps,
  compare: renderCompare,
  generate: renderGenerate,
};

/** Posts a request and waits for its reply, which fails after `timeoutMs` instead of never coming. */
function ask<T>(replies: Replies<T>, timeoutMs: number, send: (requestId: number) => void): Promise<T> {
  const requestId = replies.next();
  const reply = replies.wait(requestId, { timeoutMs });
  send(requestId);
  return reply;
}

const host: HostLink = {
  requestSteps(sequence, layer, head, scale, causal) {
    return ask(pendingSteps, REPLY_TIMEOUT_MS, (requestId) => vscode.postMessage({ type: 'requestSteps', requestId, sequence, layer, head, scale, causal }));
  },
  revealTokens(sequence, tokens) {
    vscode.postMessage({ type: 'revealTokens', sequence, tokens });
  },
  requestTile(sequence, choice, filters, window, rows, cols) {
    return ask(pendingTiles, REPLY_TIMEOUT_MS, (requestId) =>
      vscode.postMessage({ type: 'requestTile', requestId, run: lastRequest, sequence, choice, filters, window, rows, cols }));
  },
  requestStats(sequence, causal) {
    // Summaries of weights recomputed block by block read every weight of every head: minutes at 16k tokens.
    return ask(pendingStats, 5 * REPLY_TIMEOUT_MS, (requestId) => vscode.postMessage({ type: 'requestStats', requestId, run: lastRequest, sequence, causal }));
  },
};

/** Saved with the view: where the shown text came from, so a reloaded window can run it again. */
let record: RunRecord | undefined;

function saveState(): void {
  vscode.setState({ view: state, run: record });
}

/** What ran and how long it took; or, for weights read from a file, which file and its size. */
function runInfo(st: RenderSettings, elapsedMs: number, sequences: SequencePayload[], s: WebviewStrings): HTMLElement {
  const header = document.createElement('p');
  header.className = 'run-info';
  const read = sequences[0];
  header.textContent = read?.file !== undefined
    ? formatString(s.runInfoFile, read.file, read.layers, read.heads, read.n)
    : st.model
      ? formatString(s.runInfoModel, st.engine, elapsedMs.toFixed(1))
      : formatString(s.runInfo, st.engine, st.dModel, st.heads, st.mask, st.seed, elapsedMs.toFixed(1));
  return header;
}

/** Draws the whole panel for the current state; returns what the view drew. */
function render(): ViewResult | undefined {
  if (!strings || !data) return undefined;
  hideTooltip();
  shown?.dispose?.();
  shown = undefined;
  const s = strings;
  const region = document.createElement('div');
  region.id = 'export-region';
  const legendSlot = document.createElement('div');
  legendSlot.id = 'legend';
  const view = document.createElement('div');
  view.id = 'view';
  view.dataset.view = state.view;
  region.append(legendSlot, view);
  app.replaceChildren(runInfo(data.settings, data.elapsedMs, data.sequences, s), buildControls(state, data.sequences, s, change), region);
  const sequences = data.sequences;
  const run = data.weights;
  // A view that draws whole heads of weights kept in the host waits for them first.
  const missing = run.missing(state);
  if (missing.length) {
    view.setAttribute('aria-busy', 'true');
    view.textContent = s.fetching;
    void run.fetch(missing).then(
      () => report(render()),
      (e: unknown) => {
        view.textContent = e instanceof Error ? e.message : String(e);
      },
    ).finally(() => view.removeAttribute('aria-busy'));
    return undefined;
  }
  const ctx: ViewContext = {
    root: view,
    state,
    sequences,
    settings: data.settings,
    strings: s,
    theme: readTheme(),
    change,
    host,
    stats: (i) => {
      const causal = data?.settings.mask === 'causal';
      return run.summaries(i, causal, () => headStats(sequences[i], causal), () => report(render()));
    },
    head: (i, layer, head) => run.head({ sequence: i, layer, head }),
    shownTokens: (i) => run.shownTokens(i, state.hideSpecial),
    width: Math.max(200, app.clientWidth - 16),
  };
  const result = renderers[state.view](ctx);
  shown = result;
  if (result.legend) legendSlot.append(buildLegend(result.legend, s.legendLabel, result.legend.relative, s.max));
  return result;
}

function change(patch: Partial<ViewState>): void {
  if (!data) return;
  const focused = document.activeElement?.id;
  state = fitState({ ...state, ...patch }, data);
  saveState();
  report(render());
  // The toolbar is rebuilt on every change: keep keyboard focus on the control that was used.
  if (focused) document.getElementById(focused)?.focus();
  else if (patch.view) document.querySelector<HTMLElement>(`.view-switch [data-view="${patch.view}"]`)?.focus();
}

/** Tells the host what was drawn, once deferred drawing is done. */
function report(result: ViewResult | undefined, started?: number): void {
  if (!result || !data) return;
  const sequences = data.sequences;
  const requestId = lastRequest;
  // When the first heatmap's cells were on screen: at once for weights held here, when its
  // overview landed for weights kept in the host.
  const first = (result.first ?? Promise.resolve()).then(() => ({ ms: performance.now(), at: Date.now() }));
  void Promise.all([first, result.done]).then(([f]) => {
    const message: RenderedMessage = {
      type: 'rendered',
      requestId,
      sequences: sequences.map((seq, i) => ({ tokens: seq.n, heads: seq.heads, drawnCanvases: result.drawn[i] ?? 0 })),
    };
    if (started !== undefined) message.timings = { firstHeatmapMs: f.ms - started, allMs: performance.now() - started, firstDrawnAt: f.at };
    vscode.postMessage(message);
  });
}

function show(message: ShowMessage, arrived: number): void {
  for (const s of message.sequences) checkSequenceKvHeads(s);
  data = { sequences: message.sequences, settings: message.settings, elapsedMs: message.elapsedMs, weights: new RunWeights(host, message.sequences) };
  record = message.record;
  const saved = (vscode.getState() as { view?: unknown } | undefined)?.view ?? state;
  state = fitState(saved, data);
  // Step by step starts from the run's own mask, so its softmax is the heatmap's.
  const causal = data.sequences[state.sequence]?.causal;
  if (causal !== undefined) state = { ...state, stepsCausal: causal };
  // Generated text opens on its own view, at the last token generated: the whole text.
  const generated = data.sequences[state.sequence]?.generated;
  if (generated !== undefined) state = { ...state, view: 'generate', step: Math.max(0, generated - 1) };
  saveState();
  lastRequest = message.requestId;
  report(render(), arrived);
}

function answerTile(message: TileMessage): void {
  if (message.tile) pendingTiles.answer(message.requestId, { tile: message.tile, peak: message.peak ?? 0 });
  else pendingTiles.fail(message.requestId, new Error(message.error ?? 'no tile'));
}

function answerStats(message: StatsMessage): void {
  const { entropy, sparsity, max } = message;
  if (entropy && sparsity && max) pendingStats.answer(message.requestId, { entropy, sparsity, max });
  else pendingStats.fail(message.requestId, new Error(message.error ?? 'no summaries'));
}

function answerSteps(message: StepsMessage): void {
  if (message.steps) pendingSteps.answer(message.requestId, message.steps);
  else pendingSteps.fail(message.requestId, new Error(message.error ?? 'no steps'));
}

function answerExport(message: ExportRequestMessage): void {
  const region = document.getElementById('export-region');
  const base = { type: 'exportReply' as const, requestId: message.requestId, sequence: state.sequence };
  try {
    if (message.format === 'state') {
      const theme = { variables: document.documentElement.getAttribute('style') ?? '', bodyClass: document.body.className };
      vscode.postMessage({ ...base, data: JSON.stringify(state), theme });
      return;
    }
    if (!region) throw new Error('nothing is shown');
    const image = message.format === 'png' ? exportPng(region, readTheme()) : exportSvg(region, readTheme());
    vscode.postMessage({ ...base, data: image });
  } catch (e) {
    vscode.postMessage({ ...base, error: e instanceof Error ? e.message : String(e) });
  }
}

function receive(message: ToWebview, arrived: number): void {
  switch (message.type) {
    case 'init':
      strings = message.strings;
      if (!data) app.textContent = strings.noData;
      else report(render());
      break;
    case 'computing':
      // Only where nothing is shown yet: a shown run stays until the next one replaces it. The
      // host sends it after the strings (it waits for `ready`, which it answers with `init`).
      if (!data && strings) app.textContent = strings.computing;
      break;
    case 'show':
      try {
        show(message, arrived);
      } catch (e) {
        vscode.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) });
      }
      break;
    case 'steps':
      answerSteps(message);
      break;
    case 'tile':
      answerTile(message);
      break;
    case 'stats':
      answerStats(message);
      break;
    case 'exportRequest':
      answerExport(message);
      break;
    case 'runOnnx':
      // The weights go back transferred, not copied.
      void runOnnx(message).then((reply) => vscode.postMessage(reply, reply.weights ? [reply.weights.buffer] : []));
      break;
  }
}

window.addEventListener('message', (e: MessageEvent<ToWebview>) => receive(e.data, performance.now()));
onThemeChange(() => render());
let resizeTimer: number | undefined;
let lastWidth = app.clientWidth;
window.addEventListener('resize', () => {
  window.clearTimeout(resizeTimer);
  resizeTimer = window.setTimeout(() => {
    // Height-only changes (a panel opening below) need no redraw.
    if (app.clientWidth === lastWidth) return;
    lastWidth = app.clientWidth;
    render();
  }, 100);
});
vscode.postMessage({ type: 'ready' });
