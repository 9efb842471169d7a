// The heatmap view: for every sequence, one heatmap per head of the chosen layer, or one head
// large, or the heads aggregated, or the rollout across layers. The first heatmap is drawn at
// once; the rest follow in short slices so the panel answers while thousands of tokens draw.
import type { SequencePayload } from '../src/shared/protocol';
import { Heatmap, type Cell } from './heatmap';
import { format, hideTooltip, showTooltip } from './tooltip';
import type { ViewContext, ViewResult } from './viewContext';
import { chosenMatrix, headMatrix, maxOf, prepare, type Prepared } from './viewData';
import { ALL_HEADS } from './viewState';

/** Drawing pauses after this long so input is handled between heatmaps. */
const SLICE_MS = 24;

interface Planned {
  caption: string;
  aria: string;
  head: number;
  matrix: () => Float32Array;
}

function plan(ctx: ViewContext, seq: SequencePayload): Planned[] {
  const { state: st, strings: s } = ctx;
  const one = (caption: string, head: number, matrix: () => Float32Array): Planned => ({
    caption, head, matrix, aria: `${caption}: ${format(s.heatmapLabel, head + 1)}`,
  });
  if (st.rollout && seq.layers > 1) return [one(s.rollout, 0, () => chosenMatrix(seq, { ...st, rollout: true }))];
  if (st.aggregate !== 'none') {
    const caption = st.aggregate === 'mean' ? s.meanOfHeads : s.maxOfHeads;
    return [one(`${s.layer} ${st.layer + 1} · ${caption}`, 0, () => chosenMatrix(seq, { ...st, rollout: false }))];
  }
  const heads = st.head === ALL_HEADS ? Array.from({ length: seq.heads }, (_, h) => h) : [Math.min(st.head, seq.heads - 1)];
  const layerPrefix = seq.layers > 1 ? `${s.layer} ${st.layer + 1} · ` : '';
  return heads.map((h) => ({
    caption: `${layerPrefix}${s.head} ${h + 1}`,
    aria: format(s.heatmapLabel, h + 1),
    head: h,
    matrix: () => headMatrix(seq, st.layer, h),
  }));
}

/** Width each heatmap may take: side by side when there is room, down to ~260px each. */
function perMapWidth(total: number, count: number): number {
  const perRow = Math.max(1, Math.min(count, Math.floor(total / 260)));
  return Math.floor(total / perRow) - 16;
}

function tooltipFor(ctx: ViewContext, prepared: Prepared, map: Heatmap, cell: Cell | undefined, anchor: { x: number; y: number }): void {
  if (!cell) return hideTooltip();
  const s = ctx.strings;
  showTooltip(
    `${s.head} ${map.head + 1} · ${s.query} ${prepared.index[cell.q] + 1} “${prepared.tokens[cell.q]}” → ` +
      `${s.key} ${prepared.index[cell.k] + 1} “${prepared.tokens[cell.k]}” · ${s.weight} ${map.weightAt(cell).toPrecision(6)}`,
    anchor,
  );
}

function section(ctx: ViewContext, seq: SequencePayload, index: number): { element: HTMLElement; pending: (() => Heatmap)[] } {
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
    const prepared = prepare(seq, p.matrix(), ctx.state);
    const map = new Heatmap(
      { head: p.head, tokens: prepared.tokens, n: prepared.n, weights: prepared.m },
      p.caption,
      p.aria,
      (m, cell, anchor) => tooltipFor(ctx, prepared, m, cell, anchor),
      {
        scale: { kind: 'sequential', max: maxOf(prepared.m) },
        maxCell: planned.length === 1 ? 48 : 36,
        maxLabel: ctx.strings.max,
        onLabel: (i) => ctx.host.revealTokens(index, [prepared.index[i]]),
        onLock: (cell) => cell && ctx.host.revealTokens(index, [prepared.index[cell.q], prepared.index[cell.k]]),
      },
    );
    grid.append(map.element);
    return map;
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
  const drawNext = (): void => {
    const job = queue.shift();
    if (!job) return;
    const map = job.make();
    if (map.draw(ctx.theme, job.width)) drawn[job.i]++;
  };
  drawNext();
  const done = new Promise<void>((resolve) => {
    const slice = (): void => {
      const start = performance.now();
      while (queue.length && performance.now() - start < SLICE_MS) drawNext();
      if (queue.length) setTimeout(slice, 0);
      else resolve();
    };
    if (queue.length) setTimeout(slice, 0);
    else resolve();
  });
  // Each heatmap is scaled to its own largest weight (its caption says which).
  return { drawn, done, legend: { kind: 'sequential', max: 1, relative: true } };
}
