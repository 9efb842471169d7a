// Explorer webview: receives sequences from the host, keeps the person's choices, and hands the
// drawing to one view at a time (heatmaps, model, lines, steps, compare).
import type {
  ExportRequestMessage, RenderedMessage, RenderSettings, RunRecord, SequencePayload, ShowMessage, StepsMessage, StepsPayload,
  ToWebview, WebviewStrings,
} from '../src/shared/protocol';
import { formatString } from '../src/shared/notebookOutput';
import { Replies } from '../src/shared/replies';
import { buildControls } from './controls';
import { renderCompare } from './compareView';
import { exportPng, exportSvg } from './exportImage';
import { renderHeatmaps } from './heatmapsView';
import { buildLegend } from './legend';
import { renderLines } from './linesView';
import { renderModel } from './modelView';
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
let data: { sequences: SequencePayload[]; settings: RenderSettings; elapsedMs: number } | undefined;
let state: ViewState = defaultState();
let stats = new Map<number, HeadStats>();
/** A steps request the host leaves unanswered this long shows an error instead of loading for ever. */
const STEPS_TIMEOUT_MS = 60_000;
const pendingSteps = new Replies<StepsPayload>({ name: 'steps request' });

const renderers: Record<ViewKind, (ctx: ViewContext) => ViewResult> = {
  heatmaps: renderHeatmaps,
  model: renderModel,
  lines: renderLines,
  steps: renderSteps,
  compare: renderCompare,
};

const host: HostLink = {
  requestSteps(sequence, head, scale, causal) {
    const requestId = pendingSteps.next();
    const reply = pendingSteps.wait(requestId, { timeoutMs: STEPS_TIMEOUT_MS });
    vscode.postMessage({ type: 'requestSteps', requestId, sequence, head, scale, causal });
    return reply;
  },
  revealTokens(sequence, tokens) {
    vscode.postMessage({ type: 'revealTokens', sequence, tokens });
  },
};

/** Saved with the view: where the shown text came from, so a reloaded window can run it again. */
let record: RunRecord | undefined;

function saveState(): void {
  vscode.setState({ view: state, run: record });
}

function runInfo(st: RenderSettings, elapsedMs: number, template: string): HTMLElement {
  const header = document.createElement('p');
  header.className = 'run-info';
  header.textContent = formatString(template, st.engine, st.dModel, st.heads, st.mask, st.seed, elapsedMs.toFixed(1));
  return header;
}

/** Draws the whole panel for the current state; returns what the view drew. */
function render(): ViewResult | undefined {
  if (!strings || !data) return undefined;
  hideTooltip();
  const s = strings;
  const region = document.createElement('div');
  region.id = 'export-region';
  const legendSlot = document.createElement('div');
  legendSlot.id = 'legend';
  const view = document.createElement('div');
  view.id = 'view';
  view.dataset.view = state.view;
  region.append(legendSlot, view);
  app.replaceChildren(runInfo(data.settings, data.elapsedMs, s.runInfo), buildControls(state, data.sequences, s, change), region);
  const sequences = data.sequences;
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
      let st = stats.get(i);
      if (!st) {
        st = headStats(sequences[i], data?.settings.mask === 'causal');
        stats.set(i, st);
      }
      return st;
    },
    width: Math.max(200, app.clientWidth - 16),
  };
  const result = renderers[state.view](ctx);
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

let lastRequest = 0;
/** Tells the host what was drawn, once deferred drawing is done. */
function report(result: ViewResult | undefined, started?: number, firstMs?: number): void {
  if (!result || !data) return;
  const sequences = data.sequences;
  const requestId = lastRequest;
  void result.done.then(() => {
    const message: RenderedMessage = {
      type: 'rendered',
      requestId,
      sequences: sequences.map((seq, i) => ({ tokens: seq.n, heads: seq.heads, drawnCanvases: result.drawn[i] ?? 0 })),
    };
    if (started !== undefined && firstMs !== undefined) message.timings = { firstHeatmapMs: firstMs, allMs: performance.now() - started };
    vscode.postMessage(message);
  });
}

function show(message: ShowMessage, arrived: number): void {
  data = { sequences: message.sequences, settings: message.settings, elapsedMs: message.elapsedMs };
  stats = new Map();
  record = message.record;
  const saved = (vscode.getState() as { view?: unknown } | undefined)?.view ?? state;
  state = fitState(saved, data);
  saveState();
  lastRequest = message.requestId;
  const result = render();
  report(result, arrived, performance.now() - arrived);
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
    case 'incoming': {
      // Said where the person looks: in place of the hint on an empty panel, or in the line about
      // the run that is shown now, until the new one is drawn.
      const text = strings ? formatString(strings.incoming, message.megabytes) : '';
      const line = document.querySelector('.run-info');
      if (!data) app.textContent = text;
      else if (line) line.textContent = text;
      break;
    }
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
