// The gutters of a zoomable heatmap: token text once cells are big enough to read it (queries
// down the left, keys rotated across the top, as in heatmap.ts), token positions as ticks until
// then, so a view of 16 384 tokens still says where it is.
import type { ThemeColours } from './theme';
import { spanOf, tickStep, visibleWindow, type Viewport } from './viewport';

/** Smallest cell, in CSS px, at which token labels are still readable (as in heatmap.ts). */
export const LABEL_MIN_CELL = 12;
/** Widest gutter for labels, in CSS px. */
export const MAX_GUTTER = 96;
export const PAD = 4;
/** Ticks at least this far apart, in CSS px. */
const TICK_SPACING = 64;

/** Gutter width: the widest token (or tick number) plus padding, at most MAX_GUTTER. */
export function gutterWidth(ctx: CanvasRenderingContext2D, tokens: string[], theme: ThemeColours): number {
  ctx.font = `${theme.fontSize}px ${theme.fontFamily}`;
  let widest = ctx.measureText(String(tokens.length)).width;
  for (const t of tokens) widest = Math.max(widest, ctx.measureText(t).width);
  return Math.ceil(Math.min(MAX_GUTTER, widest + PAD * 3));
}

/** Draws the axis gutters of view v, the plot starting at (left, top). */
export function drawAxes(ctx: CanvasRenderingContext2D, v: Viewport, tokens: string[], left: number, top: number, theme: ThemeColours): void {
  if (v.cell >= LABEL_MIN_CELL) drawLabels(ctx, v, tokens, left, top, theme);
  else drawTicks(ctx, v, left, top, theme);
}

function drawLabels(ctx: CanvasRenderingContext2D, v: Viewport, tokens: string[], left: number, top: number, theme: ThemeColours): void {
  const w = visibleWindow(v);
  ctx.fillStyle = theme.foreground;
  ctx.font = `${Math.min(theme.fontSize, v.cell - 2)}px ${theme.fontFamily}`;
  ctx.textBaseline = 'middle';
  // Labels of cells cut by the plot's edge stay inside their gutter.
  ctx.save();
  ctx.beginPath();
  ctx.rect(0, top, left, v.side);
  ctx.clip();
  ctx.textAlign = 'right';
  for (let q = w.q0; q < w.q1; q++) ctx.fillText(tokens[q] ?? '', left - PAD, top + (q - v.q0 + 0.5) * v.cell, left - PAD * 2);
  ctx.restore();
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, 0, v.side, top);
  ctx.clip();
  ctx.textAlign = 'left';
  for (let k = w.k0; k < w.k1; k++) {
    ctx.save();
    ctx.translate(left + (k - v.k0 + 0.5) * v.cell, top - PAD);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText(tokens[k] ?? '', 0, 0, top - PAD * 2);
    ctx.restore();
  }
  ctx.restore();
}

/** Token positions at round numbers, a short mark against the plot's edge and the number beside it. */
function drawTicks(ctx: CanvasRenderingContext2D, v: Viewport, left: number, top: number, theme: ThemeColours): void {
  const step = tickStep(v.cell, TICK_SPACING);
  const span = spanOf(v);
  ctx.fillStyle = theme.muted;
  ctx.strokeStyle = theme.muted;
  ctx.lineWidth = 1;
  ctx.font = `${Math.min(theme.fontSize, 11)}px ${theme.fontFamily}`;
  ctx.textBaseline = 'middle';
  const ticks = (from: number) => {
    const out: number[] = [];
    for (let t = Math.ceil(from / step) * step; t <= Math.min(v.n, from + span) + 1e-9; t += step) out.push(t);
    return out;
  };
  ctx.beginPath();
  ctx.textAlign = 'right';
  for (const t of ticks(v.q0)) {
    const y = top + (t - v.q0) * v.cell;
    ctx.moveTo(left - PAD, y);
    ctx.lineTo(left, y);
    ctx.fillText(String(t), left - PAD - 2, y, left - PAD * 2);
  }
  ctx.textAlign = 'center';
  ctx.textBaseline = 'bottom';
  for (const t of ticks(v.k0)) {
    const x = left + (t - v.k0) * v.cell;
    ctx.moveTo(x, top - PAD);
    ctx.lineTo(x, top);
    // The last number stays inside the canvas rather than being cut at its right edge.
    const half = ctx.measureText(String(t)).width / 2;
    ctx.fillText(String(t), Math.min(x, left + v.side + PAD - half), top - PAD - 1);
  }
  ctx.stroke();
}
