// One attention matrix too large to hold (N = 16 384 is 268 million weights), explored by panning
// and zooming. The host keeps the weights and answers tile requests; this view asks for the
// window it shows at about one block per device pixel, each block coloured by its largest weight.
// A small overview of the whole matrix, asked for once, is the minimap and the backdrop: while a
// new tile is on its way the previous one is drawn where its window now lies, over the overview,
// so the canvas never flashes blank.
import { clipWindow, fullWindow, type Tile, type Window } from '../src/core/tiles';
import type { ColourScale } from './colormap';
import type { ThemeColours } from './theme';
import { CellProbe } from './cellProbe';
import { canvasStack, captionText, sizeCanvases } from './heatmap';
import { tileImage, tileMax } from './tileImage';
import { format, hideTooltip, showTooltip } from './tooltip';
import {
  canZoomIn, canZoomOut, centreOn, ensureVisible, fitViewport, MAX_BLOCKS, MAX_CELL, panBy, placeWindow,
  resizeViewport, sameWindow, spanOf, tileRequest, tokenAt, viewportFor, visibleWindow, zoomAt, type TokenCell, type Viewport,
} from './viewport';
import { gutterWidth, PAD } from './zoomAxes';
import { bindPointer, keyAction, ZOOM_STEP, type KeyAction } from './zoomInput';
import { Minimap } from './zoomMinimap';
import { paintCells, paintFocus, type Layer } from './zoomPaint';
import { setEnabled, zoomToolbar, type ZoomToolbar } from './zoomToolbar';

export interface TileSource {
  n: number;
  tokens: string[]; // N labels
  /** The window pooled to at most rows × cols blocks (exact when the window fits). */
  tile(window: Window, rows: number, cols: number): Promise<Tile>;
}

/** Every word the view shows or announces; the caller passes localized ones. */
export interface ZoomStrings {
  zoomIn: string;
  zoomOut: string;
  fit: string;
  minimap: string;
  /** The word in the caption's "max 0.965". */
  max: string;
  query: string;
  key: string;
  weight: string;
  /** The shown window, {0}–{1} queries and {2}–{3} keys (1-based, inclusive). */
  window: string;
}

export const DEFAULT_ZOOM_STRINGS: ZoomStrings = {
  zoomIn: 'Zoom in',
  zoomOut: 'Zoom out',
  fit: 'Show the whole matrix',
  minimap: 'Overview of the whole matrix: press or drag to move the view',
  max: 'max',
  query: 'query',
  key: 'key',
  weight: 'weight',
  window: 'queries {0}–{1} × keys {2}–{3}',
};

export type DrawnKind = 'overview' | 'window' | 'cell';

export interface ZoomHeatmapOptions {
  strings?: Partial<ZoomStrings>;
  /** Colour scale; default viridis over [0, largest weight of the overview]. */
  scale?: ColourScale;
  /** Deepest zoom, CSS px per token; default 48. */
  maxCell?: number;
  /** Most blocks asked for per axis; default 512. */
  maxBlocks?: number;
  /** Blocks per axis while the whole matrix is in view, whatever the pixels: a size the source has ready. */
  wholeBlocks?: number;
  /** Overview blocks per axis; default 128. */
  overviewSize?: number;
  /** The minimap's CSS size; default the overview's blocks, at most 128. */
  minimapSize?: number;
  /** Called when a cell is locked (click, Enter) or released (undefined). */
  onLock?: (cell: TokenCell | undefined) => void;
  /** How long drawing took after a tile (or a cell's weight) arrived, in ms (performance.now()). */
  onDrawn?: (kind: DrawnKind, ms: number) => void;
  /** A tile request failed; default console.error. */
  onError?: (error: unknown) => void;
}

/** A tile and, once the colour scale is known, its image. */
interface Shown {
  tile: Tile;
  image?: HTMLCanvasElement;
}

/** Arrow keys pan by this part of the plot; with Shift by half of it. */
const KEY_PAN = 0.125;

export class ZoomHeatmap {
  readonly element: HTMLElement;
  /** The focusable canvas on top, which takes input and carries the data-* state. */
  readonly canvas: HTMLCanvasElement;
  private readonly cells: HTMLCanvasElement;
  private readonly minimap: Minimap;
  private readonly figcaption: HTMLElement;
  private readonly toolbar: ZoomToolbar;
  private readonly strings: ZoomStrings;
  private readonly maxCell: number;
  private scale: ColourScale | undefined;
  private view: Viewport;
  private theme: ThemeColours | undefined;
  private gutter = PAD;
  private overview: Shown | undefined;
  private shown: Shown | undefined;
  /** Window tiles: one in flight at a time; the next is asked for where the view is when it lands. */
  private windowSeq = 0;
  private inFlight = false;
  private readonly probe: CellProbe;
  private lastTile: { key: string; tile: Promise<Tile> } | undefined;
  /** A window set before the first layout, shown once the plot has a size. */
  private initial: Window | undefined;
  private focus: TokenCell | undefined;
  private locked = false;
  private disposed = false;

  constructor(
    private readonly source: TileSource,
    private readonly caption: string,
    ariaLabel: string,
    private readonly options: ZoomHeatmapOptions = {},
  ) {
    this.strings = { ...DEFAULT_ZOOM_STRINGS, ...options.strings };
    this.maxCell = options.maxCell ?? MAX_CELL;
    this.scale = options.scale;
    this.view = fitViewport(source.n, 1);

    this.element = document.createElement('figure');
    this.element.className = 'heatmap zoom-heatmap';
    this.figcaption = document.createElement('figcaption');
    this.toolbar = zoomToolbar(this.strings, {
      zoomIn: () => this.zoomBy(ZOOM_STEP),
      zoomOut: () => this.zoomBy(1 / ZOOM_STEP),
      fit: () => this.fit(),
    });

    const body = document.createElement('div');
    body.className = 'zoom-body';
    const { stack, cells, overlay } = canvasStack(ariaLabel);
    this.cells = cells;
    this.canvas = overlay;
    this.canvas.classList.add('zoom-canvas');
    this.minimap = new Minimap(
      this.strings.minimap,
      (q, k) => this.setView(centreOn(this.view, q, k, this.maxCell)),
      (e) => this.onKey(e, false),
    );
    body.append(stack, this.minimap.element);
    this.element.append(this.figcaption, this.toolbar.element, body);
    this.updateCaption();
    this.probe = new CellProbe((w, rows, cols) => source.tile(w, rows, cols), {
      show: (cell, weight, anchor) => !this.disposed && this.tooltip(cell, weight, anchor),
      drawn: (ms) => options.onDrawn?.('cell', ms),
      fail: (e) => this.fail(e),
    });
    this.bindEvents();
    this.requestOverview();
  }

  /** The whole-token window in view. */
  get window(): Window {
    return this.view.side <= 1 && this.initial ? clipWindow(this.initial, this.source.n) : visibleWindow(this.view);
  }

  get isLocked(): boolean {
    return this.locked;
  }

  get colourScale(): ColourScale | undefined {
    return this.scale;
  }

  /** Shows all of w (clipped to N), as large as the zoom limits allow. */
  setWindow(w: Window): void {
    if (this.view.side <= 1) this.initial = w;
    else this.setView(viewportFor(w, this.source.n, this.view.side, this.maxCell));
  }

  /** Zooms by factor (> 1 in) around the locked cell, or the middle of the view. */
  zoomBy(factor: number): void {
    const v = this.view;
    const at = this.locked && this.focus ? placeWindow(v, cellWindow(this.focus)) : undefined;
    const x = at ? at.x + v.cell / 2 : v.side / 2;
    const y = at ? at.y + v.cell / 2 : v.side / 2;
    this.setView(zoomAt(v, factor, Math.min(v.side, Math.max(0, x)), Math.min(v.side, Math.max(0, y)), this.maxCell));
  }

  /** Moves the content by (dx, dy) CSS px, as a drag does. */
  panBy(dx: number, dy: number): void {
    this.setView(panBy(this.view, dx, dy, this.maxCell));
  }

  /** The whole matrix. */
  fit(): void {
    this.setView(fitViewport(this.source.n, this.view.side));
  }

  /** Stops drawing and ignores replies still on their way. */
  dispose(): void {
    this.disposed = true;
    this.probe.clear();
    if (this.focus) hideTooltip();
  }

  /**
   * Lays out for the given room (CSS px) and paints. The plot is square; the minimap goes beside
   * it when that leaves the plot 256 px, else below. The window in view stays in view.
   */
  draw(theme: ThemeColours, availableWidth: number, availableHeight = availableWidth): void {
    this.theme = theme;
    const ctx = this.cells.getContext('2d');
    if (!ctx || this.source.n < 1) return;
    this.gutter = gutterWidth(ctx, this.source.tokens, theme);
    const mini = this.options.minimapSize ?? Math.min(128, this.options.overviewSize ?? 128);
    const room = availableWidth - this.gutter - PAD;
    const besides = room - mini - 16 >= 256 ? room - mini - 16 : room;
    const side = Math.max(32, Math.floor(Math.min(besides, availableHeight - this.gutter - PAD)));
    const n = this.source.n;
    if (this.view.side > 1) this.view = resizeViewport(this.view, side, this.maxCell);
    else this.view = this.initial ? viewportFor(this.initial, n, side, this.maxCell) : fitViewport(n, side);
    const size = this.gutter + side + PAD;
    sizeCanvases([this.cells, this.canvas], size, size);
    this.minimap.layout(mini, n);
    this.paint();
    this.requestWindow();
  }

  private updateCaption(): void {
    // Until the overview sets the colour scale, the caption has no top to name.
    this.figcaption.textContent = this.scale ? captionText(this.caption, this.scale, this.strings.max) : this.caption;
  }

  private setView(v: Viewport): void {
    this.view = v;
    this.paint();
    this.requestWindow();
    if (this.locked && this.focus) this.probe.show(this.focus, this.anchorOf(this.focus), this.exactTiles());
  }

  // ---- tiles ----------------------------------------------------------------------------

  private requestOverview(): void {
    const n = this.source.n;
    if (n < 1) return;
    const size = Math.min(n, this.options.overviewSize ?? 128);
    this.tile(fullWindow(n), size, size).then((tile) => {
      if (this.disposed) return;
      const arrived = performance.now();
      this.overview = { tile };
      if (!this.scale) {
        // Block maxima of the whole matrix: their largest is the largest weight.
        this.scale = { kind: 'sequential', max: tileMax(tile) };
        this.updateCaption();
      }
      this.paint();
      this.options.onDrawn?.('overview', performance.now() - arrived);
    }, (e: unknown) => this.fail(e));
  }

  /**
   * Asks for the tile of the view unless it is shown or one is on its way: at most one window
   * request is in flight, so a drag sends one per reply rather than one per frame and the host
   * never queues work nobody will see. A reply that a newer request superseded is dropped.
   */
  private requestWindow(): void {
    if (this.disposed || this.view.side <= 1 || this.source.n < 1) return;
    const want = this.wanted(this.view);
    if (this.inFlight || (this.shown && shows(this.shown.tile, want))) return this.updateState();
    const id = ++this.windowSeq;
    this.inFlight = true;
    this.updateState();
    this.tile(want.window, want.rows, want.cols).then((tile) => {
      this.inFlight = false;
      if (this.disposed || id !== this.windowSeq) return;
      const arrived = performance.now();
      this.shown = { tile };
      this.paint();
      this.options.onDrawn?.('window', performance.now() - arrived);
      // The view may have moved while this tile was on its way.
      this.requestWindow();
    }, (e: unknown) => {
      this.inFlight = false;
      this.updateState();
      this.fail(e);
    });
  }

  /**
   * A tile from the source; the same request twice in a row is asked once (the whole matrix in view
   * at the overview's size is the overview itself).
   */
  private tile(window: Window, rows: number, cols: number): Promise<Tile> {
    const key = `${window.q0},${window.q1},${window.k0},${window.k1}:${rows}x${cols}`;
    if (this.lastTile?.key !== key) this.lastTile = { key, tile: this.source.tile(window, rows, cols) };
    return this.lastTile.tile;
  }

  /** The tile a view needs at this screen's resolution. */
  private wanted(v: Viewport): { window: Window; rows: number; cols: number } {
    const cap = this.options.maxBlocks ?? MAX_BLOCKS;
    return tileRequest(v, window.devicePixelRatio || 1, cap, this.options.wholeBlocks);
  }

  private fail(e: unknown): void {
    if (this.disposed) return;
    if (this.options.onError) this.options.onError(e);
    else console.error(e);
  }

  private imageOf(s: Shown | undefined): HTMLCanvasElement | undefined {
    if (!s || !this.scale) return undefined;
    s.image ??= tileImage(s.tile, this.scale);
    return s.image;
  }

  // ---- painting -------------------------------------------------------------------------

  private paint(): void {
    if (!this.theme || this.view.side <= 1) return;
    const layers: Layer[] = [];
    for (const s of [this.overview, this.shown]) {
      const image = this.imageOf(s);
      if (s && image) layers.push({ tile: s.tile, image });
    }
    paintCells(this.cells, this.view, this.gutter, layers, this.source.tokens, this.theme);
    this.minimap.draw(this.imageOf(this.overview), this.view, this.theme);
    this.drawOverlay();
    this.updateState();
  }

  private drawOverlay(): void {
    if (this.theme) paintFocus(this.canvas, this.view, this.gutter, this.focus, this.locked, this.theme);
  }

  /** The state in data-* attributes for tests and tools, the window in words, the buttons' limits. */
  private updateState(): void {
    const v = this.view;
    const w = visibleWindow(v);
    const exact = !!this.shown?.tile.exact && sameWindow(this.shown.tile.window, w);
    const want = this.wanted(v);
    Object.assign(this.canvas.dataset, {
      q0: String(w.q0), q1: String(w.q1), k0: String(w.k0), k1: String(w.k1), n: String(v.n),
      exact: String(exact), cell: String(v.cell), left: String(this.gutter), top: String(this.gutter),
      // Something this view will draw has not arrived yet: its tile, or the overview that sets the colours.
      pending: String(this.inFlight || !this.scale || !this.shown || !shows(this.shown.tile, want)), locked: String(this.locked),
    });
    const t = this.toolbar;
    t.status.textContent = format(this.strings.window, w.q0 + 1, w.q1, w.k0 + 1, w.k1);
    setEnabled(t.zoomIn, canZoomIn(v, this.maxCell));
    setEnabled(t.zoomOut, canZoomOut(v, this.maxCell));
    setEnabled(t.fit, canZoomOut(v, this.maxCell));
  }

  // ---- the cell under focus ---------------------------------------------------------------

  /** Tiles the probe may read a cell's weight from, when they are exact. */
  private exactTiles(): (Tile | undefined)[] {
    return [this.shown?.tile, this.overview?.tile];
  }

  private tooltip(cell: TokenCell, weight: number | undefined, anchor: { x: number; y: number }): void {
    const s = this.strings;
    const t = this.source.tokens;
    showTooltip(
      `${s.query} ${cell.q + 1} “${t[cell.q] ?? ''}” → ${s.key} ${cell.k + 1} “${t[cell.k] ?? ''}” · ` +
        `${s.weight} ${weight === undefined ? '…' : weight.toPrecision(6)}`,
      anchor,
    );
  }

  private setFocus(cell: TokenCell | undefined, anchor?: { x: number; y: number }): void {
    this.focus = cell;
    this.drawOverlay();
    if (cell) return this.probe.show(cell, anchor ?? this.anchorOf(cell), this.exactTiles());
    this.probe.clear();
    hideTooltip();
  }

  private setLocked(locked: boolean): void {
    this.locked = locked;
    this.canvas.dataset.locked = String(locked);
    this.options.onLock?.(locked ? this.focus : undefined);
  }

  private anchorOf(cell: TokenCell): { x: number; y: number } {
    const r = this.canvas.getBoundingClientRect();
    const p = placeWindow(this.view, cellWindow(cell));
    return { x: r.left + this.gutter + p.x + this.view.cell, y: r.top + this.gutter + p.y + this.view.cell };
  }

  private cellAt(x: number, y: number): TokenCell | undefined {
    return tokenAt(this.view, x - this.gutter, y - this.gutter);
  }

  // ---- input ------------------------------------------------------------------------------

  private bindEvents(): void {
    const inPlot = (x: number) => Math.min(this.view.side, Math.max(0, x - this.gutter));
    bindPointer(
      this.canvas,
      {
        hover: (x, y, client) => !this.locked && this.setFocus(this.cellAt(x, y), client),
        leave: () => !this.locked && this.setFocus(undefined),
        click: (x, y, client) => {
          // A click locks the cell under it; a second click, or Escape, releases it (as in heatmap.ts).
          const cell = this.cellAt(x, y);
          this.focus = cell;
          this.setLocked(!this.locked && cell !== undefined);
          this.setFocus(cell, client);
        },
        dragStart: () => !this.locked && this.setFocus(undefined),
        drag: (dx, dy) => this.panBy(dx, dy),
        wheel: (factor, x, y, client) => {
          this.setView(zoomAt(this.view, factor, inPlot(x), inPlot(y), this.maxCell));
          if (!this.locked) this.setFocus(this.cellAt(x, y), client);
        },
      },
      () => this.view.side,
    );
    this.canvas.addEventListener('keydown', (e) => this.onKey(e, true));
    this.canvas.addEventListener('blur', () => !this.locked && this.setFocus(undefined));
  }

  /**
   * Keys of the main canvas and the minimap: +/− zoom, Home fits, arrows pan (Shift: farther).
   * On the main canvas Enter or Space locks the hovered cell (or the one in the middle); while
   * locked, arrows move the locked cell and the view follows it; Escape releases.
   */
  private onKey(e: KeyboardEvent, main: boolean): void {
    const action = keyAction(e);
    if (!action || (!main && (action.kind === 'lock' || action.kind === 'release'))) return;
    e.preventDefault();
    this.act(action, main);
  }

  private act(a: KeyAction, main: boolean): void {
    switch (a.kind) {
      case 'zoom':
        return this.zoomBy(a.factor);
      case 'fit':
        return this.fit();
      case 'arrow': {
        if (main && this.locked && this.focus) return this.moveLocked(a.dq, a.dk, a.far ? 10 : 1);
        const step = this.view.side * (a.far ? 4 * KEY_PAN : KEY_PAN);
        return this.panBy(-a.dk * step, -a.dq * step);
      }
      case 'lock':
        return this.toggleLockFromKeys();
      case 'release':
        this.setLocked(false);
        return this.setFocus(undefined);
    }
  }

  private moveLocked(dq: number, dk: number, by: number): void {
    const n = this.source.n;
    const f = this.focus as TokenCell;
    const cell = { q: Math.min(n - 1, Math.max(0, f.q + dq * by)), k: Math.min(n - 1, Math.max(0, f.k + dk * by)) };
    this.focus = cell;
    this.options.onLock?.(cell);
    this.setView(ensureVisible(this.view, cell, this.maxCell));
  }

  private toggleLockFromKeys(): void {
    const v = this.view;
    const half = spanOf(v) / 2;
    const middle = { q: Math.min(v.n - 1, Math.floor(v.q0 + half)), k: Math.min(v.n - 1, Math.floor(v.k0 + half)) };
    const cell = this.focus ?? middle;
    this.focus = cell;
    this.setLocked(!this.locked);
    this.setFocus(cell);
  }
}

/** One token cell as a window. */
function cellWindow(c: TokenCell): Window {
  return { q0: c.q, q1: c.q + 1, k0: c.k, k1: c.k + 1 };
}

/** Whether a tile is the answer to a request (same window, same pooling). */
function shows(tile: Tile, want: { window: Window; rows: number; cols: number }): boolean {
  return sameWindow(tile.window, want.window) && tile.rows === want.rows && tile.cols === want.cols;
}
