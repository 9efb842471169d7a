// One attention matrix on a canvas: a pixel per cell in an offscreen image, scaled to the cell
// size in one drawImage, so N = 2048 costs one image rather than four million DOM nodes. Focus
// (hover, lock, keyboard) is drawn on an overlay canvas above it, so moving it never repaints cells.
import { matrixPixels, type ColourScale } from './colormap';
import { readTheme, type ThemeColours } from './theme';
import { maxOf } from './viewData';

export interface HeatmapData {
  head: number; // 0-based
  tokens: string[];
  n: number;
  weights: Float32Array; // [N][N], a view into the sequence's weights
}

export interface Cell {
  q: number;
  k: number;
}

export interface HeatmapOptions {
  /** Colour scale; default viridis over [0, largest weight]. */
  scale?: ColourScale;
  /** Called when a token label is clicked (index into `tokens`). */
  onLabel?: (index: number) => void;
  /** Called when a cell is locked (click, Enter) or released (undefined). */
  onLock?: (cell: Cell | undefined) => void;
  /** Largest cell in CSS pixels; default 36. */
  maxCell?: number;
  /** The localized word in the caption's "max 0.965"; default "max". */
  maxLabel?: string;
}

/** A heatmap's caption with the top of its colour scale: "Head 1 · max 0.965", or "± 0.3" when diverging. */
export function captionText(caption: string, scale: ColourScale, maxLabel: string): string {
  return scale.kind === 'sequential' ? `${caption} · ${maxLabel} ${scale.max.toFixed(3)}` : `${caption} · ±${scale.max.toFixed(3)}`;
}

/**
 * The two canvases of a heatmap, one above the other: cells (what exports copy) and the focusable
 * overlay that takes input and draws the focus, so moving the focus never repaints cells.
 */
export function canvasStack(ariaLabel: string): { stack: HTMLElement; cells: HTMLCanvasElement; overlay: HTMLCanvasElement } {
  const stack = document.createElement('div');
  stack.className = 'heatmap-stack';
  const cells = document.createElement('canvas');
  cells.className = 'heatmap-canvas';
  cells.dataset.export = 'true';
  const overlay = document.createElement('canvas');
  overlay.className = 'heatmap-overlay';
  overlay.tabIndex = 0;
  overlay.setAttribute('role', 'img');
  overlay.setAttribute('aria-label', ariaLabel);
  stack.append(cells, overlay);
  return { stack, cells, overlay };
}

/** Gives canvases a CSS size and a backing store at the screen's pixel ratio, which it returns. */
export function sizeCanvases(canvases: HTMLCanvasElement[], width: number, height: number): number {
  const dpr = window.devicePixelRatio || 1;
  for (const c of canvases) {
    c.width = Math.round(width * dpr);
    c.height = Math.round(height * dpr);
    c.style.width = `${width}px`;
    c.style.height = `${height}px`;
  }
  return dpr;
}

/** Smallest cell, in CSS pixels, at which token labels are still readable. */
const LABEL_MIN_CELL = 12;
const MAX_CELL = 36;
const MAX_LABEL_WIDTH = 96;
const PAD = 4;

export class Heatmap {
  readonly element: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly overlay: HTMLCanvasElement;
  private image: HTMLCanvasElement | undefined;
  private readonly scale: ColourScale;
  private cell = 1;
  private left = PAD;
  private top = PAD;
  private focus: Cell | undefined;
  private locked = false;

  constructor(
    private readonly data: HeatmapData,
    caption: string,
    ariaLabel: string,
    private readonly onFocus: (heatmap: Heatmap, cell: Cell | undefined, anchor: { x: number; y: number }) => void,
    private readonly options: HeatmapOptions = {},
  ) {
    this.scale = options.scale ?? { kind: 'sequential', max: maxOf(data.weights) };

    this.element = document.createElement('figure');
    this.element.className = 'heatmap';
    const figcaption = document.createElement('figcaption');
    figcaption.textContent = captionText(caption, this.scale, options.maxLabel ?? 'max');
    const { stack, cells, overlay } = canvasStack(ariaLabel);
    this.canvas = cells;
    this.overlay = overlay;
    this.overlay.dataset.head = String(data.head);
    this.element.append(figcaption, stack);
    this.bindEvents();
  }

  get head(): number {
    return this.data.head;
  }

  get n(): number {
    return this.data.n;
  }

  get isLocked(): boolean {
    return this.locked;
  }

  get colourScale(): ColourScale {
    return this.scale;
  }

  /** [N][N] values → one RGBA pixel per cell; built on first draw, then reused. */
  private cellImage(): HTMLCanvasElement {
    if (this.image) return this.image;
    const { n, weights } = this.data;
    const img = document.createElement('canvas');
    img.width = Math.max(1, n);
    img.height = Math.max(1, n);
    const ctx = img.getContext('2d');
    if (ctx && n > 0) {
      const pixels = ctx.createImageData(n, n);
      matrixPixels(weights, this.scale, pixels.data); // [N][N][4]
      ctx.putImageData(pixels, 0, 0);
    }
    this.image = img;
    return img;
  }

  /** Lays out and paints for the given width; returns whether any cell was drawn. */
  draw(theme: ThemeColours, availableWidth: number): boolean {
    const { n, tokens } = this.data;
    const ctx = this.canvas.getContext('2d');
    if (!ctx || n === 0) return false;
    ctx.font = `${theme.fontSize}px ${theme.fontFamily}`;
    let widest = 0;
    // Measuring thousands of labels costs more than drawing; they are only shown when cells are big.
    if (n * LABEL_MIN_CELL <= availableWidth) for (const t of tokens) widest = Math.max(widest, ctx.measureText(t).width);
    const labelWidth = Math.min(MAX_LABEL_WIDTH, widest + PAD * 2);
    const fit = (availableWidth - labelWidth - PAD * 2) / n;
    // Whole pixels while cells are at least one pixel; below that the matrix is shrunk to fit.
    this.cell = fit >= 1 ? Math.min(this.options.maxCell ?? MAX_CELL, Math.floor(fit)) : Math.max(fit, 64 / n);
    const labels = this.cell >= LABEL_MIN_CELL;
    this.left = labels ? labelWidth : PAD;
    this.top = labels ? labelWidth : PAD;
    const side = n * this.cell;
    const width = Math.ceil(this.left + side + PAD);
    const height = Math.ceil(this.top + side + PAD);

    const dpr = sizeCanvases([this.canvas, this.overlay], width, height);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    // Enlarged cells stay sharp squares; a shrunk matrix is smoothed rather than sampled.
    ctx.imageSmoothingEnabled = this.cell * dpr < 1;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(this.cellImage(), this.left, this.top, side, side);
    if (labels) this.drawLabels(ctx, theme);
    this.drawOverlay(theme);
    // Where the cells are, for tools and tests that point at a cell or a label.
    Object.assign(this.overlay.dataset, { left: String(this.left), top: String(this.top), cell: String(this.cell), n: String(n) });
    return true;
  }

  private drawLabels(ctx: CanvasRenderingContext2D, theme: ThemeColours): void {
    const { tokens } = this.data;
    ctx.fillStyle = theme.foreground;
    ctx.font = `${Math.min(theme.fontSize, this.cell - 2)}px ${theme.fontFamily}`;
    ctx.textBaseline = 'middle';
    // Queries down the left side, right-aligned against the matrix.
    ctx.textAlign = 'right';
    tokens.forEach((t, q) => ctx.fillText(t, this.left - PAD, this.top + (q + 0.5) * this.cell, this.left - PAD * 2));
    // Keys across the top, rotated so long tokens still fit.
    ctx.textAlign = 'left';
    tokens.forEach((t, k) => {
      ctx.save();
      ctx.translate(this.left + (k + 0.5) * this.cell, this.top - PAD);
      ctx.rotate(-Math.PI / 2);
      ctx.fillText(t, 0, 0, this.top - PAD * 2);
      ctx.restore();
    });
  }

  private drawOverlay(theme: ThemeColours): void {
    const ctx = this.overlay.getContext('2d');
    if (!ctx) return;
    const dpr = window.devicePixelRatio || 1;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, this.overlay.width, this.overlay.height);
    if (!this.focus) return;
    const { q, k } = this.focus;
    const side = this.data.n * this.cell;
    const c = Math.max(this.cell, 2);
    // Faint guides along the focused row and column, and a firm outline on the cell itself.
    ctx.strokeStyle = theme.focus;
    ctx.lineWidth = 1;
    ctx.globalAlpha = 0.5;
    ctx.strokeRect(this.left, this.top + q * this.cell, side, c);
    ctx.strokeRect(this.left + k * this.cell, this.top, c, side);
    ctx.globalAlpha = 1;
    ctx.lineWidth = this.locked ? 3 : 2;
    ctx.strokeRect(this.left + k * this.cell, this.top + q * this.cell, c, c);
  }

  weightAt(cell: Cell): number {
    return this.data.weights[cell.q * this.data.n + cell.k];
  }

  token(i: number): string {
    return this.data.tokens[i];
  }

  private cellAt(x: number, y: number): Cell | undefined {
    const k = Math.floor((x - this.left) / this.cell);
    const q = Math.floor((y - this.top) / this.cell);
    const n = this.data.n;
    return q >= 0 && q < n && k >= 0 && k < n ? { q, k } : undefined;
  }

  /** The token whose label is at (x, y), on either axis. */
  private labelAt(x: number, y: number): number | undefined {
    if (this.cell < LABEL_MIN_CELL) return undefined;
    const n = this.data.n;
    if (x < this.left && y >= this.top) {
      const q = Math.floor((y - this.top) / this.cell);
      return q < n ? q : undefined;
    }
    if (y < this.top && x >= this.left) {
      const k = Math.floor((x - this.left) / this.cell);
      return k < n ? k : undefined;
    }
    return undefined;
  }

  private anchorOf(cell: Cell): { x: number; y: number } {
    const r = this.overlay.getBoundingClientRect();
    return { x: r.left + this.left + (cell.k + 1) * this.cell, y: r.top + this.top + (cell.q + 1) * this.cell };
  }

  private setFocus(cell: Cell | undefined, theme: ThemeColours, anchor?: { x: number; y: number }): void {
    this.focus = cell;
    this.drawOverlay(theme);
    this.onFocus(this, cell, anchor ?? (cell ? this.anchorOf(cell) : { x: 0, y: 0 }));
  }

  private setLocked(locked: boolean): void {
    this.locked = locked;
    this.overlay.dataset.locked = String(locked);
    this.options.onLock?.(locked ? this.focus : undefined);
  }

  /** Hover follows the pointer; a click locks the focus cell, a second click releases it. */
  private bindEvents(): void {
    // The theme is read when an interaction happens, so a theme switch needs no re-binding.
    const theme = readTheme;
    this.overlay.addEventListener('mousemove', (e) => {
      if (this.locked) return;
      this.setFocus(this.cellAt(e.offsetX, e.offsetY), theme(), { x: e.clientX, y: e.clientY });
    });
    this.overlay.addEventListener('mouseleave', () => {
      if (!this.locked) this.setFocus(undefined, theme());
    });
    this.overlay.addEventListener('click', (e) => {
      const label = this.labelAt(e.offsetX, e.offsetY);
      if (label !== undefined) {
        this.options.onLabel?.(label);
        return;
      }
      const cell = this.cellAt(e.offsetX, e.offsetY);
      this.focus = cell;
      this.setLocked(!this.locked && cell !== undefined);
      this.setFocus(cell, theme(), { x: e.clientX, y: e.clientY });
    });
    this.overlay.addEventListener('keydown', (e) => this.onKey(e, theme()));
    this.overlay.addEventListener('blur', () => {
      if (!this.locked) this.setFocus(undefined, theme());
    });
  }

  private onKey(e: KeyboardEvent, theme: ThemeColours): void {
    const n = this.data.n;
    const cur = this.focus ?? { q: 0, k: 0 };
    const moves: Record<string, Cell> = {
      ArrowUp: { q: Math.max(0, cur.q - 1), k: cur.k },
      ArrowDown: { q: Math.min(n - 1, cur.q + 1), k: cur.k },
      ArrowLeft: { q: cur.q, k: Math.max(0, cur.k - 1) },
      ArrowRight: { q: cur.q, k: Math.min(n - 1, cur.k + 1) },
      Home: { q: cur.q, k: 0 },
      End: { q: cur.q, k: n - 1 },
    };
    if (moves[e.key]) {
      e.preventDefault();
      this.setFocus(moves[e.key], theme);
      // A locked focus moves with the keys and stays locked.
      if (this.locked) this.options.onLock?.(this.focus);
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      this.focus = cur;
      this.setLocked(!this.locked);
      this.setFocus(cur, theme);
    } else if (e.key === 'Escape') {
      this.setLocked(false);
      this.setFocus(undefined, theme);
    }
  }
}
