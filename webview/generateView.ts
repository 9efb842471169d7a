// The generation view (Generate and Explore): a slider steps through the tokens the model
// generated; the text grows up to the chosen token, generated tokens marked; and the chosen
// token's row of attention (its weights over itself and every token before it) is drawn for
// every layer and head, a row each, layers one under the other, in the heatmaps' colour map.
import type { SequencePayload, WebviewStrings } from '../src/shared/protocol';
import { matrixPixels, type ColourScale } from './colormap';
import { canvasStack, sizeCanvases } from './heatmap';
import { format, hideTooltip, showTooltip } from './tooltip';
import type { ThemeColours } from './theme';
import type { ViewContext, ViewResult } from './viewContext';
import { maxOf } from './viewData';

const PAD = 4;
const ROW = 16;
const LAYER_GAP = 8;
const MIN_CELL = 4;
const MAX_CELL = 32;
/** Below this cell width the key labels do not fit. */
const LABEL_CELL = 12;
const MAX_LABEL = 96;

/** What the view draws for one chosen token: rows [L·H][K] over its K = p + 1 keys. */
interface Rows {
  /** The chosen token's position in the sequence. */
  p: number;
  keys: number;
  layers: number;
  heads: number;
  m: Float32Array;
}

export function renderGenerate(ctx: ViewContext): ViewResult {
  const { strings: s, state } = ctx;
  const index = state.sequence;
  const seq = ctx.sequences[index];
  const generated = seq.generated ?? 0;
  const first = seq.n - generated; // the first generated token's position
  const root = ctx.root;
  const stop = document.createElement('p');
  stop.className = 'generate-stop';
  stop.textContent = stopText(seq, s);
  if (generated === 0) {
    root.append(stop, grownText(seq, s, seq.n - 1));
    return { drawn: [], done: Promise.resolve() };
  }
  const step = Math.min(Math.max(0, state.step), generated - 1);
  const p = first + step;
  root.append(navigation(ctx, seq, step, generated, p), stop, grownText(seq, s, p));

  const rows = rowsOf(ctx, index, seq, p);
  if (!rows) {
    const missing = document.createElement('p');
    missing.textContent = s.fetching;
    root.append(missing);
    return { drawn: [], done: Promise.resolve() };
  }
  const hint = document.createElement('p');
  hint.className = 'hint';
  hint.textContent = s.generateRowsHint;
  const figure = document.createElement('figure');
  figure.className = 'generate-rows';
  root.append(hint, figure);
  const scale: ColourScale = { kind: 'sequential', max: maxOf(rows.m) };
  const drawn = drawRows(ctx, figure, seq, rows, scale, first);
  const counts: number[] = [];
  counts[index] = drawn ? 1 : 0;
  return { drawn: counts, done: Promise.resolve(), legend: { kind: 'sequential', max: scale.max } };
}

function stopText(seq: SequencePayload, s: WebviewStrings): string {
  const g = seq.generated ?? 0;
  if (g === 0 && seq.stop === 'special') return s.generateNone;
  switch (seq.stop) {
    case 'special':
      return format(s.generateStopSpecial, g);
    case 'context':
      return format(s.generateStopContext, g, seq.n);
    default:
      return format(s.generateStopCount, g);
  }
}

/** Previous and next buttons around a slider over the generated tokens, and which one is shown. */
function navigation(ctx: ViewContext, seq: SequencePayload, step: number, generated: number, p: number): HTMLElement {
  const s = ctx.strings;
  const nav = document.createElement('div');
  nav.className = 'generate-nav';
  nav.setAttribute('role', 'group');
  nav.setAttribute('aria-label', s.viewGenerate);
  const go = (to: number) => {
    const next = Math.min(generated - 1, Math.max(0, to));
    if (next !== step) ctx.change({ step: next });
  };
  const button = (id: string, text: string, to: number, disabled: boolean) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.id = id;
    b.textContent = text;
    // Focus stays on a disabled-looking button at either end, so the keyboard is never lost.
    b.setAttribute('aria-disabled', String(disabled));
    b.addEventListener('click', () => go(to));
    return b;
  };
  const label = document.createElement('label');
  label.htmlFor = 'generate-step';
  label.textContent = s.generateSlider;
  const slider = document.createElement('input');
  slider.type = 'range';
  slider.id = 'generate-step';
  slider.min = '1';
  slider.max = String(generated);
  slider.step = '1';
  slider.value = String(step + 1);
  const now = format(s.generateStepOf, step + 1, generated, seq.tokens[p]);
  slider.setAttribute('aria-valuetext', now);
  slider.addEventListener('input', () => go(Number(slider.value) - 1));
  const status = document.createElement('span');
  status.className = 'generate-step';
  status.setAttribute('aria-live', 'polite');
  status.textContent = now;
  // The token shown on one line; previous, the slider and next on the line below.
  const shownNow = document.createElement('div');
  shownNow.className = 'generate-now';
  shownNow.append(label, status);
  const row = document.createElement('div');
  row.className = 'generate-slider';
  row.append(button('generate-previous', `◀ ${s.generatePrevious}`, step - 1, step === 0), slider,
    button('generate-next', `${s.generateNext} ▶`, step + 1, step === generated - 1));
  nav.append(shownNow, row);
  return nav;
}

/**
 * The prompt and the generated text up to token p, each generated token marked (the chosen one
 * most). Built from the sequence's text and the tokens' ranges in it; without a text, from the
 * tokens themselves.
 */
function grownText(seq: SequencePayload, s: WebviewStrings, p: number): HTMLElement {
  const el = document.createElement('p');
  el.className = 'generate-text';
  el.setAttribute('aria-label', s.generateTextLabel);
  const first = seq.n - (seq.generated ?? 0);
  const text = seq.text ?? '';
  const end = (t: number) => seq.offsets[t * 2 + 1];
  const promptEnd = first > 0 ? Math.max(...Array.from({ length: first }, (_, t) => end(t))) : 0;
  let at = Math.max(0, promptEnd);
  el.append(text.slice(0, at));
  for (let t = first; t <= p; t++) {
    const start = seq.offsets[t * 2];
    if (start > at) el.append(text.slice(at, start));
    const mark = document.createElement('mark');
    mark.className = t === p ? 'generated current' : 'generated';
    mark.textContent = start >= 0 ? text.slice(start, end(t)) : seq.tokens[t];
    mark.title = `${t - first + 1}`;
    el.append(mark);
    at = Math.max(at, end(t));
  }
  return el;
}

/** The chosen token's row in every layer and head; undefined while heads are on their way. */
function rowsOf(ctx: ViewContext, index: number, seq: SequencePayload, p: number): Rows | undefined {
  const keys = p + 1;
  const m = new Float32Array(seq.layers * seq.heads * keys);
  for (let l = 0; l < seq.layers; l++) {
    for (let h = 0; h < seq.heads; h++) {
      const head = ctx.head(index, l, h);
      if (!head) return undefined;
      m.set(head.subarray(p * seq.n, p * seq.n + keys), (l * seq.heads + h) * keys);
    }
  }
  return { p, keys, layers: seq.layers, heads: seq.heads, m };
}

function linkColour(theme: ThemeColours): string {
  return getComputedStyle(document.body).getPropertyValue('--vscode-textLink-foreground').trim() || theme.focus;
}

/** Draws the rows on a canvas with an overlay for the pointer and the keyboard; returns whether cells were drawn. */
function drawRows(ctx: ViewContext, figure: HTMLElement, seq: SequencePayload, rows: Rows, scale: ColourScale, first: number): boolean {
  const { theme, strings: s } = ctx;
  const { keys, layers, heads, p } = rows;
  const { stack, cells: canvas, overlay } = canvasStack(format(s.generateRowsLabel, seq.tokens[p]));
  const caption = document.createElement('figcaption');
  caption.textContent = `${format(s.generateRowsLabel, seq.tokens[p])} · ${s.max} ${scale.max.toFixed(3)}`;
  figure.append(caption, stack);

  const c2d = canvas.getContext('2d');
  if (!c2d) return false;
  const font = `${theme.fontSize}px ${theme.fontFamily}`;
  c2d.font = font;
  const rowLabel = (l: number, h: number) => format(s.generateRowShort, l + 1, h + 1);
  const leftWidth = Math.ceil(Math.max(...Array.from({ length: layers }, (_, l) => c2d.measureText(rowLabel(l, heads - 1)).width))) + PAD * 2;
  const cell = Math.max(MIN_CELL, Math.min(MAX_CELL, Math.floor((ctx.width - leftWidth - PAD * 2) / keys)));
  const labels = cell >= LABEL_CELL;
  const tokens = seq.tokens.slice(0, keys);
  const top = labels ? Math.min(MAX_LABEL, Math.ceil(Math.max(...tokens.map((t) => c2d.measureText(t).width))) + PAD * 3) : PAD * 3;
  const rowY = (r: number) => top + r * ROW + Math.floor(r / heads) * LAYER_GAP;
  const width = leftWidth + keys * cell + PAD;
  const height = rowY(layers * heads) + PAD;
  const dpr = sizeCanvases([canvas, overlay], width, height);
  c2d.setTransform(dpr, 0, 0, dpr, 0, 0);
  c2d.font = font;
  c2d.imageSmoothingEnabled = false;

  // Cells: one image a layer (heads × keys pixels), scaled up.
  for (let l = 0; l < layers; l++) {
    const img = document.createElement('canvas');
    img.width = keys;
    img.height = heads;
    const ictx = img.getContext('2d');
    if (!ictx) return false;
    const pixels = ictx.createImageData(keys, heads);
    matrixPixels(rows.m.subarray(l * heads * keys, (l + 1) * heads * keys), scale, pixels.data);
    ictx.putImageData(pixels, 0, 0);
    c2d.drawImage(img, leftWidth, rowY(l * heads), keys * cell, heads * ROW);
  }
  // Row labels, "L1 H1", right-aligned against the cells.
  c2d.fillStyle = theme.foreground;
  c2d.textBaseline = 'middle';
  c2d.textAlign = 'right';
  for (let r = 0; r < layers * heads; r++) c2d.fillText(rowLabel(Math.floor(r / heads), r % heads), leftWidth - PAD, rowY(r) + ROW / 2);
  // Key labels across the top; generated keys in the link colour, the chosen token underlined.
  const link = linkColour(theme);
  if (labels) {
    c2d.textAlign = 'left';
    tokens.forEach((t, k) => {
      c2d.save();
      c2d.fillStyle = k >= first ? link : theme.foreground;
      c2d.translate(leftWidth + (k + 0.5) * cell, top - PAD * 2);
      c2d.rotate(-Math.PI / 2);
      c2d.fillText(t, 0, 0, top - PAD * 3);
      c2d.restore();
    });
  }
  // A bar over the generated keys, so they read as generated even without labels.
  c2d.fillStyle = link;
  c2d.fillRect(leftWidth + first * cell, top - PAD - 1, (keys - first) * cell, 2);
  Object.assign(overlay.dataset, { left: String(leftWidth), top: String(top), cell: String(cell), row: String(ROW), keys: String(keys) });

  // The pointer or the arrow keys show the exact weight of a cell.
  let focus: { r: number; k: number } | undefined;
  const paintFocus = () => {
    const o = overlay.getContext('2d');
    if (!o) return;
    o.setTransform(dpr, 0, 0, dpr, 0, 0);
    o.clearRect(0, 0, width, height);
    if (!focus) return hideTooltip();
    o.strokeStyle = theme.focus;
    o.lineWidth = 2;
    o.strokeRect(leftWidth + focus.k * cell, rowY(focus.r), Math.max(cell, 2), ROW);
    const l = Math.floor(focus.r / heads);
    const h = focus.r % heads;
    const w = rows.m[focus.r * keys + focus.k];
    const box = overlay.getBoundingClientRect();
    showTooltip(
      `${s.layer} ${l + 1} · ${s.head} ${h + 1} · ${s.query} ${p + 1} “${seq.tokens[p]}” → ${s.key} ${focus.k + 1} “${seq.tokens[focus.k]}” · ${s.weight} ${w.toPrecision(6)}`,
      { x: box.left + leftWidth + (focus.k + 1) * cell, y: box.top + rowY(focus.r) + ROW },
    );
  };
  const cellAt = (x: number, y: number) => {
    const k = Math.floor((x - leftWidth) / cell);
    for (let r = 0; r < layers * heads; r++) {
      if (y >= rowY(r) && y < rowY(r) + ROW && k >= 0 && k < keys) return { r, k };
    }
    return undefined;
  };
  overlay.addEventListener('mousemove', (e) => {
    focus = cellAt(e.offsetX, e.offsetY);
    paintFocus();
  });
  overlay.addEventListener('mouseleave', () => {
    focus = undefined;
    paintFocus();
  });
  overlay.addEventListener('blur', () => {
    focus = undefined;
    paintFocus();
  });
  overlay.addEventListener('keydown', (e) => {
    const cur = focus ?? { r: 0, k: p };
    const last = layers * heads - 1;
    const moves: Record<string, { r: number; k: number }> = {
      ArrowUp: { r: Math.max(0, cur.r - 1), k: cur.k },
      ArrowDown: { r: Math.min(last, cur.r + 1), k: cur.k },
      ArrowLeft: { r: cur.r, k: Math.max(0, cur.k - 1) },
      ArrowRight: { r: cur.r, k: Math.min(keys - 1, cur.k + 1) },
      Home: { r: cur.r, k: 0 },
      End: { r: cur.r, k: keys - 1 },
    };
    if (moves[e.key]) {
      e.preventDefault();
      focus = moves[e.key];
      paintFocus();
    } else if (e.key === 'Escape') {
      focus = undefined;
      paintFocus();
    }
  });
  return true;
}
