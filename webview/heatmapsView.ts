// The heatmap view: for every sequence, one heatmap per head of the chosen layer, or one head
// large, or the heads aggregated, or the rollout across layers. The first heatmap is drawn at
// once; the rest follow in short slices so the panel answers while thousands of tokens draw.
import { OVERVIEW_BLOCKS } from '../src/core/tiles';
import { layerGroups } from '../src/shared/headGroups';
import type { MatrixChoice, SequencePayload } from '../src/shared/protocol';
import { groupSeparator } from './groupSeparator';
import { Heatmap, type Cell } from './heatmap';
import { format, hideTooltip, showTooltip } from './tooltip';
import type { ViewContext, ViewResult } from './viewContext';
import { chosenMatrix, keptTokens, maxOf, prepare, type Prepared } from './viewData';
import { ZoomHeatmap, type TileSource } from './zoomHeatmap';
import { ALL_HEADS, filtersOf } from './viewState';

/** Drawing pauses after this long so input is handled between heatmaps. */
const SLICE_MS = 24;

interface Planned {
  caption: string;
  aria: string;
  head: number;
  choice: MatrixChoice;
  /** A line goes before it: the first head of a group that shares a key/value head (not the first group). */
  startsGroup?: boolean;
}

/** One heatmap of the view: its element, and drawing it at a width. */
interface Drawable {
  element: HTMLElement;
  /**
   * Lays out and paints; resolves when cells are on screen (at once for weights held here, when
   * the overview lands for weights in the host), false when there was nothing to draw.
   */
  draw(width: number): Promise<boolean>;
  /** Stops asking for tiles (the view was replaced). */
  dispose?(): void;
}

function plan(ctx: ViewContext, seq: SequencePayload): Planned[] {
  const { state: st, strings: s } = ctx;
  const one = (caption: string, choice: MatrixChoice): Planned => ({
    caption, head: 0, choice, aria: `${caption}: ${format(s.heatmapLabel, 1)}`,
  });
  if (st.rollout && seq.layers > 1) return [one(s.rollout, { layer: st.layer, head: 0, aggregate: st.aggregate, rollout: true })];
  if (st.aggregate !== 'none') {
    const caption = st.aggregate === 'mean' ? s.meanOfHeads : s.maxOfHeads;
    return [one(`${s.layer} ${st.layer + 1} · ${caption}`, { layer: st.layer, head: 0, aggregate: st.aggregate, rollout: false })];
  }
  const all = st.head === ALL_HEADS;
  const heads = all ? Array.from({ length: seq.heads }, (_, h) => h) : [Math.min(st.head, seq.heads - 1)];
  const layerPrefix = seq.layers > 1 ? `${s.layer} ${st.layer + 1} · ` : '';
  const groups = layerGroups(seq.heads, seq.kvHeads, st.layer);
  return heads.map((h) => ({
    caption: groups.withKv(`${layerPrefix}${s.head} ${h + 1}`, h, s.kvHead),
    aria: groups.withKv(format(s.heatmapLabel, h + 1), h, s.kvHead),
    head: h,
    choice: { layer: st.layer, head: h, aggregate: 'none', rollout: false },
    startsGroup: all && groups.startsGroup(h),
  }));
}

/** A heatmap of weights held here: every cell exact, labels when they fit. */
function heldHeatmap(ctx: ViewContext, seq: SequencePayload, index: number, p: Planned, count: number): Drawable {
  const prepared = prepare(seq, chosenMatrix(seq, p.choice), ctx.state);
  const map = new Heatmap(
    { head: p.head, tokens: prepared.tokens, n: prepared.n, weights: prepared.m },
    p.caption,
    p.aria,
    (m, cell, anchor) => tooltipFor(ctx, seq, prepared, m, cell, anchor),
    {
      scale: { kind: 'sequential', max: maxOf(prepared.m) },
      maxCell: count === 1 ? 48 : 36,
      maxLabel: ctx.strings.max,
      onLabel: (i) => ctx.host.revealTokens(index, [prepared.index[i]]),
      onLock: (cell) => cell && ctx.host.revealTokens(index, [prepared.index[cell.q], prepared.index[cell.k]]),
    },
  );
  return { element: map.element, draw: (width) => Promise.resolve(map.draw(ctx.theme, width)) };
}

/**
 * A heatmap of weights kept in the host: an overview pooled to its pixels (block maxima, so a
 * sharp weight stays visible), zoom and pan that ask for the window on screen, and the exact
 * weight under the pointer.
 */
function remoteHeatmap(ctx: ViewContext, index: number, p: Planned): Drawable {
  const seq = ctx.sequences[index];
  const { state: st, strings: s } = ctx;
  const keep = keptTokens(seq.special, st.hideSpecial);
  const tokens = keep ? Array.from(keep, (i) => seq.tokens[i]) : seq.tokens;
  const filters = filtersOf(st);
  const source: TileSource = {
    n: tokens.length,
    tokens,
    tile: async (window, rows, cols) => (await ctx.host.requestTile(index, p.choice, filters, window, rows, cols)).tile,
  };
  let markDrawn!: (ok: boolean) => void;
  const drawn = new Promise<boolean>((resolve) => (markDrawn = resolve));
  const map = new ZoomHeatmap(source, p.caption, p.aria, {
    // The whole matrix at the overview's size: weights kept blockwise have that one ready, and it
    // is one request for both the minimap and the view.
    wholeBlocks: OVERVIEW_BLOCKS,
    overviewSize: OVERVIEW_BLOCKS,
    strings: {
      zoomIn: s.zoomIn, zoomOut: s.zoomOut, fit: s.zoomFit, minimap: s.minimap, window: s.zoomWindow,
      max: s.max, query: s.query, key: s.key, weight: s.weight,
    },
    onDrawn: (kind) => kind === 'overview' && markDrawn(true),
    onError: (e) => {
      markDrawn(false);
      map.element.append(Object.assign(document.createElement('p'), { className: 'hint', textContent: e instanceof Error ? e.message : String(e) }));
    },
    onLock: (cell) => cell && ctx.host.revealTokens(index, [keep ? keep[cell.q] : cell.q, keep ? keep[cell.k] : cell.k]),
  });
  map.canvas.dataset.head = String(p.head);
  return {
    element: map.element,
    draw: (width) => {
      map.draw(ctx.theme, width);
      return drawn;
    },
    dispose: () => {
      markDrawn(false);
      map.dispose();
    },
  };
}

/** Width each heatmap may take: side by side when there is room, down to ~260px each. */
function perMapWidth(total: number, count: number): number {
  const perRow = Math.max(1, Math.min(count, Math.floor(total / 260)));
  return Math.floor(total / perRow) - 16;
}

function tooltipFor(
  ctx: ViewContext, seq: SequencePayload, prepared: Prepared, map: Heatmap, cell: Cell | undefined, anchor: { x: number; y: number },
): void {
  if (!cell) return hideTooltip();
  const s = ctx.strings;
  const one = ctx.state.aggregate === 'none' && !(ctx.state.rollout && seq.layers > 1);
  // One head names the key/value head it shares, when it shares one.
  const head = one ? layerGroups(seq.heads, seq.kvHeads, ctx.state.layer).withKv(`${s.head} ${map.head + 1}`, map.head, s.kvHead) : `${s.head} ${map.head + 1}`;
  showTooltip(
    `${head} · ${s.query} ${prepared.index[cell.q] + 1} “${prepared.tokens[cell.q]}” → ` +
      `${s.key} ${prepared.index[cell.k] + 1} “${prepared.tokens[cell.k]}” · ${s.weight} ${map.weightAt(cell).toPrecision(6)}`,
    anchor,
  );
}

function section(ctx: ViewContext, seq: SequencePayload, index: number): { element: HTMLElement; pending: (() => Drawable)[] } {
  const el = document.createElement('section');
  el.className = 'sequence';
  el.dataset.index = String(index);
  const h2 = document.createElement('h2');
  h2.textContent = `${seq.label} · ${seq.n} ${ctx.strings.tokens}`;
  const grid = document.createElement('div');
  grid.className = 'heads';
  el.append(h2, grid);
  const planned = plan(ctx, seq);
  const pending = planned.map((p) => () => {
    const item = seq.remote ? remoteHeatmap(ctx, index, p) : heldHeatmap(ctx, seq, index, p, planned.length);
    if (p.startsGroup) grid.append(groupSeparator('horizontal'));
    grid.append(item.element);
    return item;
  });
  return { element: el, pending };
}

export function renderHeatmaps(ctx: ViewContext): ViewResult {
  const sections = ctx.sequences.map((seq, i) => section(ctx, seq, i));
  for (const s of sections) ctx.root.append(s.element);
  const drawn = sections.map(() => 0);
  // Every heatmap to draw, in page order, with the width it gets.
  const queue = sections.flatMap((s, i) =>
    s.pending.map((make) => ({ i, make, width: perMapWidth(ctx.width, s.pending.length) })),
  );
  const landed: Promise<unknown>[] = [];
  const made: Drawable[] = [];
  const drawNext = (): void => {
    const job = queue.shift();
    if (!job) return;
    const item = job.make();
    made.push(item);
    landed.push(item.draw(job.width).then((ok) => ok && drawn[job.i]++));
  };
  drawNext();
  const first = landed[0] ?? Promise.resolve();
  const sliced = new Promise<void>((resolve) => {
    const slice = (): void => {
      const start = performance.now();
      while (queue.length && performance.now() - start < SLICE_MS) drawNext();
      if (queue.length) setTimeout(slice, 0);
      else resolve();
    };
    if (queue.length) setTimeout(slice, 0);
    else resolve();
  });
  const done = sliced.then(() => Promise.all(landed)).then(() => undefined);
  // Each heatmap is scaled to its own largest weight (its caption says which).
  const dispose = (): void => {
    queue.length = 0;
    for (const item of made) item.dispose?.();
  };
  return { drawn, done, first: first.then(() => undefined), dispose, legend: { kind: 'sequential', max: 1, relative: true } };
}
