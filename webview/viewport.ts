// Where a zoomable heatmap looks: a square plot `side` CSS px wide showing square cells of `cell`
// px, the token at its top-left corner at fractional (q0, k0). Fractional so that panning moves
// by pixels and zooming keeps the point under the pointer still; the tile a view asks for is the
// whole-token window that covers it. Pure math, no DOM: the unit tests run it in Node.
import { clipWindow, type Window } from '../src/core/tiles';

export interface Viewport {
  /** Tokens on each axis of the matrix. */
  n: number;
  /** Side of the square plot, in CSS px. */
  side: number;
  /** CSS px per token, the same on both axes. */
  cell: number;
  /** Query at the plot's top edge (fractional). */
  q0: number;
  /** Key at the plot's left edge (fractional). */
  k0: number;
}

/** An area in plot CSS px, from the plot's top-left corner. */
export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface TokenCell {
  q: number;
  k: number;
}

/** Largest cell by default: one token per 48 px, the deepest zoom. */
export const MAX_CELL = 48;

/** Edges this close to a whole token count as on it (float error from zooming). */
const EPS = 1e-6;

const clamp = (v: number, lo: number, hi: number): number => (Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : lo);

/** Smallest cell (the whole matrix fills the plot) and largest (maxCell, unless N is so small that fitting is larger). */
export function cellRange(n: number, side: number, maxCell = MAX_CELL): [number, number] {
  const fit = side / Math.max(1, n);
  return [fit, Math.max(fit, maxCell)];
}

/** Tokens visible along each axis. */
export function spanOf(v: Viewport): number {
  return v.side / v.cell;
}

/** The whole matrix. */
export function fitViewport(n: number, side: number): Viewport {
  return { n, side, cell: side / Math.max(1, n), q0: 0, k0: 0 };
}

/** Cell within its range and the window inside [0, N] on both axes. */
export function clampViewport(v: Viewport, maxCell = MAX_CELL): Viewport {
  const [lo, hi] = cellRange(v.n, v.side, maxCell);
  const cell = clamp(v.cell, lo, hi);
  const last = Math.max(0, v.n - v.side / cell);
  return { ...v, cell, q0: clamp(v.q0, 0, last), k0: clamp(v.k0, 0, last) };
}

/** Zooms by `factor` (> 1 in) keeping the token under plot point (x, y) under it, unless an edge stops it. */
export function zoomAt(v: Viewport, factor: number, x: number, y: number, maxCell = MAX_CELL): Viewport {
  if (!(factor > 0 && Number.isFinite(factor))) return v;
  const q = v.q0 + y / v.cell;
  const k = v.k0 + x / v.cell;
  const [lo, hi] = cellRange(v.n, v.side, maxCell);
  const cell = clamp(v.cell * factor, lo, hi);
  return clampViewport({ ...v, cell, q0: q - y / cell, k0: k - x / cell }, maxCell);
}

/** Moves the content by (dx, dy) CSS px, as a drag does: dragging right brings earlier keys into view. */
export function panBy(v: Viewport, dx: number, dy: number, maxCell = MAX_CELL): Viewport {
  return clampViewport({ ...v, q0: v.q0 - dy / v.cell, k0: v.k0 - dx / v.cell }, maxCell);
}

/** Centres the view on fractional token position (q, k), keeping the zoom. */
export function centreOn(v: Viewport, q: number, k: number, maxCell = MAX_CELL): Viewport {
  const half = spanOf(v) / 2;
  return clampViewport({ ...v, q0: q - half, k0: k - half }, maxCell);
}

/** Pans as little as needed for cell (q, k) to be wholly in view. */
export function ensureVisible(v: Viewport, cell: TokenCell, maxCell = MAX_CELL): Viewport {
  const span = spanOf(v);
  const into = (start: number, i: number) => (i < start ? i : i + 1 > start + span ? i + 1 - span : start);
  return clampViewport({ ...v, q0: into(v.q0, cell.q), k0: into(v.k0, cell.k) }, maxCell);
}

/** The token cell under plot point (x, y), if any. */
export function tokenAt(v: Viewport, x: number, y: number): TokenCell | undefined {
  if (!(x >= 0 && y >= 0 && x < v.side && y < v.side)) return undefined;
  const q = Math.floor(v.q0 + y / v.cell);
  const k = Math.floor(v.k0 + x / v.cell);
  return q >= 0 && q < v.n && k >= 0 && k < v.n ? { q, k } : undefined;
}

/** The whole-token window that covers the view (what a tile request asks for). */
export function visibleWindow(v: Viewport): Window {
  const span = spanOf(v);
  return clipWindow(
    {
      q0: Math.floor(v.q0 + EPS),
      q1: Math.ceil(v.q0 + span - EPS),
      k0: Math.floor(v.k0 + EPS),
      k1: Math.ceil(v.k0 + span - EPS),
    },
    v.n,
  );
}

/** A view that shows all of window w, centred on it, as large as the zoom limits allow. */
export function viewportFor(w: Window, n: number, side: number, maxCell = MAX_CELL): Viewport {
  const span = Math.max(1, w.q1 - w.q0, w.k1 - w.k0);
  const [lo, hi] = cellRange(n, side, maxCell);
  const cell = clamp(side / span, lo, hi);
  const half = side / cell / 2;
  return clampViewport({ n, side, cell, q0: (w.q0 + w.q1) / 2 - half, k0: (w.k0 + w.k1) / 2 - half }, maxCell);
}

/** The same tokens in view on a plot resized to `side` px (a fit view stays fit). */
export function resizeViewport(v: Viewport, side: number, maxCell = MAX_CELL): Viewport {
  return clampViewport({ ...v, side, cell: (v.cell * side) / v.side }, maxCell);
}

/** Pooled-block limit per axis by default: more blocks than this cost more than they show. */
export const MAX_BLOCKS = 512;

/** The tile to ask for: the visible window pooled to about one block per device pixel, at most `cap`. */
export function tileRequest(v: Viewport, dpr: number, cap = MAX_BLOCKS, whole?: number): { window: Window; rows: number; cols: number } {
  const window = visibleWindow(v);
  // The whole matrix may be asked for at a size the source keeps ready, whatever the pixels.
  const all = window.q0 === 0 && window.k0 === 0 && window.q1 === v.n && window.k1 === v.n;
  const target = all && whole !== undefined ? whole : Math.max(1, Math.min(cap, Math.ceil(v.side * dpr)));
  return { window, rows: Math.min(window.q1 - window.q0, target), cols: Math.min(window.k1 - window.k0, target) };
}

/** Where an image of window w lands in the plot: how the previous tile is placed while the next is on its way. */
export function placeWindow(v: Viewport, w: Window): Rect {
  return {
    x: (w.k0 - v.k0) * v.cell,
    y: (w.q0 - v.q0) * v.cell,
    w: (w.k1 - w.k0) * v.cell,
    h: (w.q1 - w.q0) * v.cell,
  };
}

/** The view's rectangle on an overview `size` px square showing the whole matrix. */
export function overviewRect(v: Viewport, size: number): Rect {
  const f = size / Math.max(1, v.n);
  const s = spanOf(v) * f;
  return { x: v.k0 * f, y: v.q0 * f, w: s, h: s };
}

/** The fractional token position at point (x, y) of an overview `size` px square. */
export function fromOverview(x: number, y: number, size: number, n: number): { q: number; k: number } {
  const f = n / Math.max(1, size);
  return { q: clamp(y * f, 0, n), k: clamp(x * f, 0, n) };
}

export function canZoomIn(v: Viewport, maxCell = MAX_CELL): boolean {
  return v.cell < cellRange(v.n, v.side, maxCell)[1] * (1 - EPS);
}

export function canZoomOut(v: Viewport, maxCell = MAX_CELL): boolean {
  return v.cell > cellRange(v.n, v.side, maxCell)[0] * (1 + EPS);
}

/** Tokens between axis ticks: 1, 2 or 5 × 10^k, the first that puts ticks at least minPx apart. */
export function tickStep(cell: number, minPx: number): number {
  const raw = minPx / Math.max(cell, Number.MIN_VALUE);
  if (raw <= 1) return 1;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

export function sameWindow(a: Window, b: Window): boolean {
  return a.q0 === b.q0 && a.q1 === b.q1 && a.k0 === b.k0 && a.k1 === b.k1;
}

/** A drawImage call: source rect in image pixels, destination in plot CSS px. */
export interface Blit {
  sx: number;
  sy: number;
  sw: number;
  sh: number;
  dx: number;
  dy: number;
  dw: number;
  dh: number;
}

/**
 * An image of iw × ih pixels placed at r, cut to the plot [0, side]²: the part of the source that
 * shows. At deep zoom the overview placed under the view is millions of pixels wide; drawing only
 * the visible part keeps each frame one small copy. Undefined when nothing of it shows.
 */
export function clipPlacement(r: Rect, side: number, iw: number, ih: number): Blit | undefined {
  const x0 = Math.max(0, r.x);
  const y0 = Math.max(0, r.y);
  const x1 = Math.min(side, r.x + r.w);
  const y1 = Math.min(side, r.y + r.h);
  if (!(x1 > x0 && y1 > y0 && r.w > 0 && r.h > 0)) return undefined;
  const fx = iw / r.w;
  const fy = ih / r.h;
  return {
    sx: (x0 - r.x) * fx,
    sy: (y0 - r.y) * fy,
    sw: (x1 - x0) * fx,
    sh: (y1 - y0) * fy,
    dx: x0,
    dy: y0,
    dw: x1 - x0,
    dh: y1 - y0,
  };
}
