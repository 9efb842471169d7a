// The model view: every head of every layer as a thumbnail, layers down, heads across. Heads can
// be sorted or coloured by entropy, sparsity or largest weight; a thumbnail opens the head large.
import { fullWindow } from '../src/core/tiles';
import { layerGroups } from '../src/shared/headGroups';
import { scaleCss } from './colormap';
import { groupSeparator } from './groupSeparator';
import { paintThumbnail, thumbCanvas, thumbnail } from './thumbnail';
import { format } from './tooltip';
import type { ViewContext, ViewResult } from './viewContext';
import { filtersOf } from './viewState';
import { headMatrix, headOrder, normalise, prepare, type HeadStats } from './viewData';

/** Below this many tokens the summaries are cheap enough to show without being asked for. */
const ALWAYS_STATS_TOKENS = 256;

/**
 * A thumbnail of weights kept in the host: the host pools the head to the thumbnail's pixels
 * (block maxima, the same rule as poolMax) and the canvas is painted when the tile arrives.
 */
function remoteThumbnail(ctx: ViewContext, layer: number, head: number, n: number, css: number): { canvas: HTMLCanvasElement; drawn: Promise<void> } {
  const canvas = thumbCanvas(css);
  const side = Math.min(n, canvas.width);
  const choice = { layer, head, aggregate: 'none' as const, rollout: false };
  const drawn = ctx.host.requestTile(ctx.state.sequence, choice, filtersOf(ctx.state), fullWindow(n), side, side)
    .then(({ tile }) => paintThumbnail(canvas, { m: tile.max, size: tile.rows }))
    .catch(() => undefined); // a thumbnail that cannot come stays blank; the heatmap view says why
  return { canvas, drawn };
}

function metricText(ctx: ViewContext, stats: HeadStats | undefined, i: number): string {
  if (!stats) return '';
  const s = ctx.strings;
  return `${s.entropy} ${stats.entropy[i].toFixed(2)} · ${s.sparsity} ${stats.sparsity[i].toFixed(2)} · ${s.maxWeight} ${stats.max[i].toFixed(2)}`;
}

export function renderModel(ctx: ViewContext): ViewResult {
  const { state: st, strings: s } = ctx;
  const seqIndex = st.sequence;
  const seq = ctx.sequences[seqIndex];
  const hint = document.createElement('p');
  hint.className = 'hint';
  hint.textContent = s.modelHint;
  const grid = document.createElement('div');
  grid.className = 'model-grid';
  grid.setAttribute('role', 'group');
  grid.setAttribute('aria-label', s.viewModel);
  ctx.root.append(hint, grid);
  const stats = st.sortBy !== 'layer' || seq.n <= ALWAYS_STATS_TOKENS ? ctx.stats(seqIndex) : undefined;
  const metric = st.sortBy === 'layer' ? undefined : st.sortBy;
  // A row holds the layer's label (64 + 6 px), every thumbnail (its side + 8 px, 6 px apart) and
  // the lines between groups of heads that share a key/value head (4 px each); ctx.width leaves 16 px spare.
  const lines = Math.max(0, ...Array.from({ length: seq.layers }, (_, l) => {
    const g = layerGroups(seq.heads, seq.kvHeads, l);
    return g.grouped ? g.kvHeads - 1 : 0;
  }));
  const room = ctx.width - 64 - 6 * seq.heads - 4 * lines;
  // Never below 32 px: past that a row scrolls sideways rather than wrap a layer's heads apart.
  const css = Math.max(32, Math.min(120, Math.floor(room / seq.heads) - 8));
  let drawn = 0;
  const pending: Promise<void>[] = [];
  const shown = ctx.shownTokens(seqIndex);
  for (let l = 0; l < seq.layers; l++) {
    const row = document.createElement('div');
    row.className = 'model-row';
    const label = document.createElement('span');
    label.className = 'model-layer';
    label.textContent = `${s.layer} ${l + 1}`;
    row.append(label);
    const colour = stats && metric ? normalise(stats[metric].subarray(l * seq.heads, (l + 1) * seq.heads)) : undefined;
    const order = stats ? headOrder(stats, l, seq.heads, st.sortBy) : Array.from({ length: seq.heads }, (_, h) => h);
    const groups = layerGroups(seq.heads, seq.kvHeads, l);
    // Lines between the groups that share a key/value head, while the heads are in their own order.
    const inOrder = order.every((h, i) => h === i);
    for (const h of order) {
      if (inOrder && groups.startsGroup(h)) row.append(groupSeparator('vertical'));
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'thumb';
      button.dataset.layer = String(l);
      button.dataset.head = String(h);
      const numbers = metricText(ctx, stats, l * seq.heads + h);
      const kv = groups.kvCaption(h, s.kvHead);
      button.setAttribute('aria-label', [format(s.thumbLabel, l + 1, h + 1), kv, numbers].filter(Boolean).join(' · '));
      button.title = [kv, numbers].filter(Boolean).join(' · ');
      const caption = document.createElement('span');
      caption.className = 'thumb-caption';
      caption.textContent = `${s.head} ${h + 1}${stats && metric ? ` · ${stats[metric][l * seq.heads + h].toFixed(2)}` : ''}`;
      if (seq.remote) {
        const thumb = remoteThumbnail(ctx, l, h, shown, css);
        pending.push(thumb.drawn);
        button.append(thumb.canvas, caption);
      } else {
        const prepared = prepare(seq, headMatrix(seq, l, h), st);
        button.append(thumbnail(prepared.m, prepared.n, css), caption);
      }
      if (colour) {
        // The bar under a thumbnail carries the metric in colour: the head's place between the layer's extremes.
        const bar = document.createElement('span');
        bar.className = 'thumb-bar';
        bar.style.background = scaleCss(colour[h], { kind: 'sequential', max: 1 });
        button.append(bar);
      }
      button.addEventListener('click', () => ctx.change({ view: 'heatmaps', layer: l, head: h, aggregate: 'none', rollout: false }));
      row.append(button);
      drawn++;
    }
    grid.append(row);
  }
  const drawnPerSequence = ctx.sequences.map((_, i) => (i === seqIndex ? drawn : 0));
  return { drawn: drawnPerSequence, done: Promise.all(pending).then(() => undefined), legend: { kind: 'sequential', max: 1, relative: true } };
}
