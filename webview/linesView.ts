// The head view: the tokens twice, queries on the left and keys on the right, joined by one line
// per weight whose opacity is the weight, in the colour of its head. Pointing at a token (or
// moving to it with the arrow keys) shows only its lines; chips switch heads on and off.
import { headColour } from './colormap';
import { toggleButton } from './controls';
import { format, hideTooltip, showTooltip } from './tooltip';
import type { ViewContext, ViewResult } from './viewContext';
import { prepare, type Prepared } from './viewData';

/** More rows than this would make a canvas taller than browsers allow, and lines unreadable. */
export const MAX_LINE_TOKENS = 512;
/** Lines fainter than this are not drawn: they would be invisible and cost time. */
const MIN_ALPHA = 0.01;
const ROW = 20;
const PAD = 8;
const COLUMN = 140;

type Side = 'query' | 'key';
interface Focus {
  side: Side;
  i: number;
}

interface Layout {
  width: number;
  height: number;
  xLeft: number;
  xRight: number;
}

function layout(width: number, n: number): Layout {
  const w = Math.max(360, Math.min(640, width));
  return { width: w, height: n * ROW + PAD * 2, xLeft: COLUMN, xRight: w - COLUMN };
}

const y = (i: number) => PAD + (i + 0.5) * ROW;

function drawLines(g: CanvasRenderingContext2D, lay: Layout, shown: { head: number; p: Prepared }[], focus: Focus | undefined): void {
  g.lineWidth = 1.5;
  for (const { head, p } of shown) {
    g.strokeStyle = headColour(head);
    const n = p.n;
    const rows = focus?.side === 'query' ? [focus.i] : Array.from({ length: n }, (_, i) => i);
    for (const q of rows) {
      const cols = focus?.side === 'key' ? [focus.i] : null;
      for (let j = 0; j < (cols ? 1 : n); j++) {
        const k = cols ? cols[0] : j;
        const w = p.m[q * n + k];
        if (!(w >= MIN_ALPHA)) continue;
        g.globalAlpha = Math.min(1, w);
        g.beginPath();
        g.moveTo(lay.xLeft + 4, y(q));
        g.lineTo(lay.xRight - 4, y(k));
        g.stroke();
      }
    }
  }
  g.globalAlpha = 1;
}

function drawTokens(g: CanvasRenderingContext2D, ctx: ViewContext, lay: Layout, tokens: string[], focus: Focus | undefined): void {
  const t = ctx.theme;
  g.font = `${t.fontSize}px ${t.fontFamily}`;
  g.textBaseline = 'middle';
  tokens.forEach((tok, i) => {
    for (const side of ['query', 'key'] as const) {
      const active = focus?.side === side && focus.i === i;
      g.fillStyle = active ? t.focus : t.foreground;
      g.textAlign = side === 'query' ? 'right' : 'left';
      g.fillText(tok, side === 'query' ? lay.xLeft - 4 : lay.xRight + 4, y(i), COLUMN - 12);
      if (active) {
        g.strokeStyle = t.focus;
        g.lineWidth = 2;
        const x = side === 'query' ? PAD : lay.xRight;
        g.strokeRect(x, y(i) - ROW / 2 + 1, COLUMN - PAD, ROW - 2);
      }
    }
  });
}

function chips(ctx: ViewContext, heads: number): HTMLElement {
  const s = ctx.strings;
  const bar = document.createElement('div');
  bar.className = 'head-chips';
  bar.setAttribute('role', 'group');
  bar.setAttribute('aria-label', s.headToggle);
  for (let h = 0; h < heads; h++) {
    const b = toggleButton(`${s.head} ${h + 1}`, !ctx.state.hiddenHeads.includes(h), (on) => {
      const hidden = new Set(ctx.state.hiddenHeads);
      if (on) hidden.delete(h);
      else hidden.add(h);
      ctx.change({ hiddenHeads: [...hidden].sort((a, b) => a - b) });
    });
    b.className = 'head-chip';
    b.dataset.head = String(h);
    const swatch = document.createElement('span');
    swatch.className = 'chip-swatch';
    swatch.style.background = headColour(h);
    b.prepend(swatch);
    bar.append(b);
  }
  return bar;
}

export function renderLines(ctx: ViewContext): ViewResult {
  const { state: st, strings: s } = ctx;
  const seq = ctx.sequences[st.sequence];
  const none = { drawn: ctx.sequences.map(() => 0), done: Promise.resolve() };
  const hint = document.createElement('p');
  hint.className = 'hint';
  hint.textContent = s.linesHint;
  ctx.root.append(chips(ctx, seq.heads), hint);
  const visible = Array.from({ length: seq.heads }, (_, h) => h).filter((h) => !st.hiddenHeads.includes(h));
  const n = ctx.shownTokens(st.sequence);
  // Weights kept in the host come exact only up to a few hundred tokens, as many as lines can show.
  const matrices = visible.map((head) => ({ head, m: ctx.head(st.sequence, st.layer, head) }));
  // Heads missing: the sequence is over the limit with its special tokens, fetched only up to it.
  const missing = matrices.some((x) => !x.m);
  if (n > MAX_LINE_TOKENS || missing) {
    hint.textContent = format(s.linesTooMany, missing ? seq.n : n, MAX_LINE_TOKENS);
    return none;
  }
  const shown = matrices.map(({ head, m }) => ({ head, p: prepare(seq, m as Float32Array, st) }));
  const tokens = shown[0]?.p.tokens ?? seq.tokens;
  const index = shown[0]?.p.index ?? Int32Array.from(seq.tokens, (_, i) => i);
  const lay = layout(ctx.width, n);
  const canvas = document.createElement('canvas');
  canvas.className = 'lines-canvas';
  canvas.dataset.export = 'true';
  canvas.tabIndex = 0;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', `${s.viewLines}: ${seq.label}`);
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(lay.width * dpr);
  canvas.height = Math.round(lay.height * dpr);
  canvas.style.width = `${lay.width}px`;
  canvas.style.height = `${lay.height}px`;
  ctx.root.append(canvas);
  const g = canvas.getContext('2d');
  if (!g) return none;

  let focus: Focus | undefined;
  const paint = (): void => {
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, lay.width, lay.height);
    drawLines(g, lay, shown, focus);
    drawTokens(g, ctx, lay, tokens, focus);
    canvas.dataset.focus = focus ? `${focus.side}:${focus.i}` : '';
  };
  const setFocus = (f: Focus | undefined, anchor?: { x: number; y: number }): void => {
    if (f?.side === focus?.side && f?.i === focus?.i) return;
    focus = f;
    paint();
    if (!f) return hideTooltip();
    const r = canvas.getBoundingClientRect();
    const at = anchor ?? { x: r.left + (f.side === 'query' ? lay.xLeft : lay.xRight), y: r.top + y(f.i) };
    showTooltip(`${f.side === 'query' ? s.query : s.key} ${index[f.i] + 1} “${tokens[f.i]}”`, at);
  };
  const tokenAt = (x: number, yy: number): Focus | undefined => {
    const i = Math.floor((yy - PAD) / ROW);
    if (i < 0 || i >= n) return undefined;
    if (x < lay.xLeft) return { side: 'query', i };
    if (x > lay.xRight) return { side: 'key', i };
    return undefined;
  };
  canvas.addEventListener('mousemove', (e) => setFocus(tokenAt(e.offsetX, e.offsetY), { x: e.clientX, y: e.clientY }));
  canvas.addEventListener('mouseleave', () => setFocus(undefined));
  canvas.addEventListener('click', (e) => {
    const f = tokenAt(e.offsetX, e.offsetY);
    if (f) ctx.host.revealTokens(st.sequence, [index[f.i]]);
  });
  canvas.addEventListener('keydown', (e) => {
    const cur = focus ?? { side: 'query' as Side, i: 0 };
    const next: Record<string, Focus> = {
      ArrowUp: { side: cur.side, i: Math.max(0, cur.i - 1) },
      ArrowDown: { side: cur.side, i: Math.min(n - 1, cur.i + 1) },
      ArrowLeft: { side: 'query', i: cur.i },
      ArrowRight: { side: 'key', i: cur.i },
    };
    if (next[e.key]) {
      e.preventDefault();
      setFocus(next[e.key]);
    } else if (e.key === 'Escape') {
      setFocus(undefined);
    } else if (e.key === 'Enter' && focus) {
      ctx.host.revealTokens(st.sequence, [index[focus.i]]);
    }
  });
  paint();
  return { drawn: ctx.sequences.map((_, i) => (i === st.sequence ? 1 : 0)), done: Promise.resolve() };
}
