// Painting the zoomable heatmap: the cells canvas (tiles placed where their windows lie now, and
// the axis gutters) and the focus overlay above it, which hover repaints alone.
import type { Tile } from '../src/core/tiles';
import type { ThemeColours } from './theme';
import { clipPlacement, placeWindow, type TokenCell, type Viewport } from './viewport';
import { drawAxes } from './zoomAxes';

/** A tile and its image, drawn in order: the overview underneath, the latest window over it. */
export interface Layer {
  tile: Tile;
  image: HTMLCanvasElement;
}

/** Clears a canvas and sets it up for drawing in CSS px. */
function begin(canvas: HTMLCanvasElement): CanvasRenderingContext2D | undefined {
  const ctx = canvas.getContext('2d');
  if (!ctx) return undefined;
  const dpr = window.devicePixelRatio || 1;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, canvas.width / dpr, canvas.height / dpr);
  return ctx;
}

/** The plot starts at (at, at): layers clipped to it, then the gutters' labels or ticks. */
export function paintCells(canvas: HTMLCanvasElement, v: Viewport, at: number, layers: Layer[], tokens: string[], theme: ThemeColours): void {
  const ctx = begin(canvas);
  if (!ctx) return;
  // Blocks stay sharp when enlarged and are never smoothed together when shrunk: a block's colour is its max.
  ctx.imageSmoothingEnabled = false;
  for (const { tile, image } of layers) {
    const b = clipPlacement(placeWindow(v, tile.window), v.side, image.width, image.height);
    if (b) ctx.drawImage(image, b.sx, b.sy, b.sw, b.sh, at + b.dx, at + b.dy, b.dw, b.dh);
  }
  drawAxes(ctx, v, tokens, at, at, theme);
}

/** Faint guides along the focused row and column, and a firm outline on the cell itself. */
export function paintFocus(canvas: HTMLCanvasElement, v: Viewport, at: number, focus: TokenCell | undefined, locked: boolean, theme: ThemeColours): void {
  const ctx = begin(canvas);
  if (!ctx || !focus) return;
  const r = placeWindow(v, { q0: focus.q, q1: focus.q + 1, k0: focus.k, k1: focus.k + 1 });
  const c = Math.max(v.cell, 2);
  ctx.save();
  ctx.beginPath();
  ctx.rect(at, at, v.side, v.side);
  ctx.clip();
  ctx.strokeStyle = theme.focus;
  ctx.lineWidth = 1;
  ctx.globalAlpha = 0.5;
  ctx.strokeRect(at, at + r.y, v.side, c);
  ctx.strokeRect(at + r.x, at, c, v.side);
  ctx.globalAlpha = 1;
  ctx.lineWidth = locked ? 3 : 2;
  ctx.strokeRect(at + r.x, at + r.y, c, c);
  ctx.restore();
}
