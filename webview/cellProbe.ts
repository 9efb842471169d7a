// The exact weight of one cell for the tooltip. A pooled tile holds only block maxima, so when the
// tile on screen is not exact the cell is asked for alone (a 1 × 1 tile); replies for a cell the
// pointer has left are ignored, and recent answers are kept so moving back asks nothing.
import type { Tile, Window } from '../src/core/tiles';
import { exactWeight } from './tileImage';
import type { TokenCell } from './viewport';

/** Exact weights kept for cells hovered lately. */
const CACHE_SIZE = 512;

export interface CellProbeHooks {
  /** The weight of `cell`, or undefined while it is on its way; `anchor` is where the tooltip goes. */
  show(cell: TokenCell, weight: number | undefined, anchor: { x: number; y: number }): void;
  /** A new cell's weight is shown, `ms` after it arrived (or was found). */
  drawn(ms: number): void;
  fail(e: unknown): void;
}

export class CellProbe {
  private seq = 0;
  /** The cell whose weight is on its way, and the cell last shown. */
  private asked: string | undefined;
  private shown: string | undefined;
  private anchor = { x: 0, y: 0 };
  private readonly cache = new Map<string, number>();

  constructor(
    private readonly tile: (w: Window, rows: number, cols: number) => Promise<Tile>,
    private readonly hooks: CellProbeHooks,
  ) {}

  /** Shows `cell`, reading its weight from the first exact tile that holds it, else asking. */
  show(cell: TokenCell, anchor: { x: number; y: number }, tiles: (Tile | undefined)[]): void {
    const started = performance.now();
    const key = `${cell.q},${cell.k}`;
    const isNew = key !== this.shown;
    this.shown = key;
    this.anchor = anchor;
    let known = this.cache.get(key);
    for (const t of tiles) known ??= exactWeight(t, cell.q, cell.k);
    this.hooks.show(cell, known, anchor);
    if (known !== undefined) {
      if (isNew) this.hooks.drawn(performance.now() - started);
      return;
    }
    if (key === this.asked) return; // already on its way
    const id = ++this.seq;
    this.asked = key;
    this.tile({ q0: cell.q, q1: cell.q + 1, k0: cell.k, k1: cell.k + 1 }, 1, 1).then(
      (t) => {
        if (id !== this.seq) return;
        const arrived = performance.now();
        this.asked = undefined;
        this.remember(key, t.max[0]);
        this.hooks.show(cell, t.max[0], this.anchor);
        this.hooks.drawn(performance.now() - arrived);
      },
      (e: unknown) => {
        if (id !== this.seq) return;
        this.asked = undefined;
        this.hooks.fail(e);
      },
    );
  }

  /** No cell: a reply still on its way must not reopen the tooltip. */
  clear(): void {
    this.seq++;
    this.asked = undefined;
    this.shown = undefined;
  }

  private remember(key: string, value: number): void {
    this.cache.delete(key);
    this.cache.set(key, value);
    if (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as string);
  }
}
