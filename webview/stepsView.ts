// Step by step through one head: Q, K, V → scores → scaled → masked → softmax → weighted values
// → output, each with a sentence or two on what happens. The host recomputes the head with the
// core whenever scaling or the causal mask is toggled, so the effect shows at once.
import { MAX_STEP_TOKENS, type StepsPayload, type StepTexts } from '../src/shared/protocol';
import { matrixPixels, parseColour, scaleCss, type ColourScale } from './colormap';
import { toggleButton } from './controls';
import { format } from './tooltip';
import type { ViewContext, ViewResult } from './viewContext';
import { absMaxOf, maxOf } from './viewData';
import { ALL_HEADS } from './viewState';

/** Up to this many rows and columns a matrix is a table of numbers; above it, a coloured image. */
const NUMBERS_UP_TO = 16;

function numberText(v: number): string {
  if (v === -Infinity) return '−∞';
  if (Number.isNaN(v)) return 'NaN';
  return v.toFixed(2).replace('-', '−');
}

/** Black or white text, whichever reads better on the cell colour. */
function inkFor(css: string): string {
  const [r, g, b] = parseColour(css);
  return 0.299 * r + 0.587 * g + 0.114 * b > 140 ? '#000' : '#fff';
}

function matrixTable(m: Float32Array, rows: string[], cols: string[], scale: ColourScale, caption: string): HTMLElement {
  const table = document.createElement('table');
  table.className = 'matrix';
  const cap = table.createCaption();
  cap.textContent = caption;
  const head = table.createTHead().insertRow();
  head.append(document.createElement('th'));
  for (const c of cols) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = c;
    head.append(th);
  }
  const body = table.createTBody();
  rows.forEach((r, i) => {
    const tr = body.insertRow();
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = r;
    tr.append(th);
    cols.forEach((_, j) => {
      const v = m[i * cols.length + j];
      const td = tr.insertCell();
      td.textContent = numberText(v);
      const bg = scaleCss(v, scale);
      td.style.background = bg;
      td.style.color = inkFor(bg);
    });
  });
  return table;
}

function matrixImage(m: Float32Array, rows: number, cols: number, scale: ColourScale, caption: string): HTMLElement {
  const figure = document.createElement('figure');
  figure.className = 'matrix-image';
  const cap = document.createElement('figcaption');
  cap.textContent = `${caption} · ${rows} × ${cols}`;
  const canvas = document.createElement('canvas');
  canvas.dataset.export = 'true';
  canvas.width = cols;
  canvas.height = rows;
  const cell = Math.max(1, Math.min(8, Math.floor(320 / Math.max(rows, cols))));
  canvas.style.width = `${cols * cell}px`;
  canvas.style.height = `${rows * cell}px`;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', caption);
  const g = canvas.getContext('2d');
  if (g) {
    const px = g.createImageData(cols, rows);
    matrixPixels(m, scale, px.data);
    g.putImageData(px, 0, 0);
  }
  figure.append(cap, canvas);
  return figure;
}

function matrix(m: Float32Array, rows: string[], cols: string[], caption: string, signed: boolean): HTMLElement {
  const scale: ColourScale = signed ? { kind: 'diverging', max: absMaxOf(m) } : { kind: 'sequential', max: maxOf(m) };
  if (rows.length > NUMBERS_UP_TO || cols.length > NUMBERS_UP_TO) return matrixImage(m, rows.length, cols.length, scale, caption);
  // A table wider than the panel scrolls on its own instead of widening the page.
  const scroll = document.createElement('div');
  scroll.className = 'matrix-scroll';
  scroll.append(matrixTable(m, rows, cols, scale, caption));
  return scroll;
}

function step(id: keyof StepTexts, ctx: ViewContext, ...content: HTMLElement[]): HTMLElement {
  const s = ctx.strings;
  const el = document.createElement('section');
  el.className = 'step';
  el.dataset.step = id;
  const h3 = document.createElement('h3');
  h3.textContent = s.stepNames[id];
  const p = document.createElement('p');
  p.textContent = s.stepExplanations[id];
  const row = document.createElement('div');
  row.className = 'step-matrices';
  row.append(...content);
  el.append(h3, p, row);
  return el;
}

function renderPayload(ctx: ViewContext, out: HTMLElement, st: StepsPayload, tokens: string[]): void {
  const dims = Array.from({ length: st.dHead }, (_, i) => `d${i + 1}`);
  out.replaceChildren(
    step('qkv', ctx, matrix(st.q, tokens, dims, 'Q', true), matrix(st.k, tokens, dims, 'K', true), matrix(st.v, tokens, dims, 'V', true)),
    step('scores', ctx, matrix(st.scores, tokens, tokens, 'Q · Kᵀ', true)),
    step('scaled', ctx, matrix(st.scaled, tokens, tokens, st.scale ? `Q · Kᵀ / √${st.dHead}` : 'Q · Kᵀ', true)),
    step('masked', ctx, matrix(st.masked, tokens, tokens, st.causal ? 'mask: causal' : 'mask: none', true)),
    step('softmax', ctx, matrix(st.weights, tokens, tokens, 'softmax', false)),
    step('weighted', ctx, matrix(st.output, tokens, dims, 'softmax · V', true)),
    step('output', ctx),
  );
  out.dataset.scale = String(st.scale);
  out.dataset.causal = String(st.causal);
}

export function renderSteps(ctx: ViewContext): ViewResult {
  const { state: s0, strings: s } = ctx;
  const seq = ctx.sequences[s0.sequence];
  const drawn = ctx.sequences.map(() => 0);
  const note = (text: string): ViewResult => {
    const p = document.createElement('p');
    p.className = 'hint';
    p.textContent = text;
    ctx.root.append(p);
    return { drawn, done: Promise.resolve() };
  };
  if (!seq.steps) return note(seq.file !== undefined ? format(s.stepsFromFile, seq.file) : s.stepsUnavailable);
  if (seq.n > MAX_STEP_TOKENS) return note(format(s.stepsTooLong, seq.n, MAX_STEP_TOKENS));
  const head = s0.head === ALL_HEADS ? 0 : s0.head;
  const title = document.createElement('h2');
  // A model's layers each have their heads: the title says which layer's head is taken apart.
  const layer = Math.min(s0.layer, seq.layers - 1);
  title.textContent = seq.layers > 1 || ctx.settings.model ? format(s.stepsLayerTitle, layer + 1, head + 1, seq.label) : format(s.stepsTitle, head + 1, seq.label);
  const toggles = document.createElement('div');
  toggles.className = 'step-toggles';
  toggles.setAttribute('role', 'group');
  toggles.setAttribute('aria-label', s.viewSteps);
  const scale = toggleButton(s.stepsScale, s0.stepsScale, (on) => ctx.change({ stepsScale: on }));
  scale.id = 'steps-scale';
  const causal = toggleButton(s.stepsCausal, s0.stepsCausal, (on) => ctx.change({ stepsCausal: on }));
  causal.id = 'steps-causal';
  toggles.append(scale, causal);
  const cost = document.createElement('p');
  cost.className = 'hint';
  cost.textContent = format(s.cost, seq.n, seq.n * seq.n);
  const out = document.createElement('div');
  out.className = 'steps';
  out.setAttribute('aria-busy', 'true');
  out.textContent = s.stepsLoading;
  ctx.root.append(title, toggles, cost, out);
  const done = ctx.host.requestSteps(s0.sequence, layer, head, s0.stepsScale, s0.stepsCausal).then(
    (payload) => {
      renderPayload(ctx, out, payload, seq.tokens);
      drawn[s0.sequence] = 1;
    },
    (e: unknown) => {
      out.textContent = e instanceof Error ? e.message : String(e);
    },
  ).finally(() => out.setAttribute('aria-busy', 'false'));
  return { drawn, done, legend: undefined };
}
