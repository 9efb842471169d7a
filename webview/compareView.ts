// Compare: two heads (of one sequence or of two) side by side, and their difference A − B in a
// diverging colour map centred on zero, so where A attends more reads red and where B does, blue.
import type { SequencePayload } from '../src/shared/protocol';
import { select } from './controls';
import { Heatmap, type Cell } from './heatmap';
import { format, hideTooltip, showTooltip } from './tooltip';
import type { ViewContext, ViewResult } from './viewContext';
import { EXACT_HEAD_TOKENS } from './remoteWeights';
import { absMaxOf, difference, maxOf, prepare, type Prepared } from './viewData';
import type { Pick } from './viewState';

function pickControls(ctx: ViewContext, which: 'compareA' | 'compareB', label: string): HTMLElement {
  const { sequences, strings: s } = ctx;
  const p = ctx.state[which];
  const seq = sequences[p.sequence];
  const group = document.createElement('fieldset');
  group.className = 'compare-pick';
  const legend = document.createElement('legend');
  legend.textContent = label;
  group.append(legend);
  const id = which === 'compareA' ? 'a' : 'b';
  const set = (patch: Partial<Pick>) => ctx.change({ [which]: { ...p, ...patch } });
  if (sequences.length > 1) {
    group.append(select(`compare-${id}-sequence`, s.sequence, sequences.map((q, i) => [String(i), q.label]), String(p.sequence),
      (v) => set({ sequence: Number(v), layer: 0, head: 0 })));
  }
  if (seq.layers > 1) {
    group.append(select(`compare-${id}-layer`, s.layer, Array.from({ length: seq.layers }, (_, l) => [String(l), `${s.layer} ${l + 1}`]),
      String(p.layer), (v) => set({ layer: Number(v) })));
  }
  group.append(select(`compare-${id}-head`, s.head, Array.from({ length: seq.heads }, (_, h) => [String(h), `${s.head} ${h + 1}`]),
    String(p.head), (v) => set({ head: Number(v) })));
  return group;
}

function describe(ctx: ViewContext, seq: SequencePayload, p: Pick): string {
  const layer = seq.layers > 1 ? ` · ${ctx.strings.layer} ${p.layer + 1}` : '';
  return `${seq.label}${layer} · ${ctx.strings.head} ${p.head + 1}`;
}

function heatmap(ctx: ViewContext, prepared: Prepared, caption: string, sequence: number, diverging: boolean): Heatmap {
  const s = ctx.strings;
  const tip = (map: Heatmap, cell: Cell | undefined, anchor: { x: number; y: number }) => {
    if (!cell) return hideTooltip();
    showTooltip(
      `${caption} · ${s.query} “${prepared.tokens[cell.q]}” → ${s.key} “${prepared.tokens[cell.k]}” · ${map.weightAt(cell).toPrecision(6)}`,
      anchor,
    );
  };
  return new Heatmap({ head: 0, tokens: prepared.tokens, n: prepared.n, weights: prepared.m }, caption, caption, tip, {
    scale: diverging ? { kind: 'diverging', max: absMaxOf(prepared.m) } : { kind: 'sequential', max: maxOf(prepared.m) },
    onLabel: (i) => ctx.host.revealTokens(sequence, [prepared.index[i]]),
    maxLabel: s.max,
  });
}

export function renderCompare(ctx: ViewContext): ViewResult {
  const { state: st, strings: s, sequences } = ctx;
  const picks = document.createElement('div');
  picks.className = 'compare-picks';
  picks.append(pickControls(ctx, 'compareA', s.compareA), pickControls(ctx, 'compareB', s.compareB));
  ctx.root.append(picks);
  const [a, b] = [st.compareA, st.compareB];
  const seqA = sequences[a.sequence];
  const seqB = sequences[b.sequence];
  const ma = ctx.head(a.sequence, a.layer, a.head);
  const mb = ctx.head(b.sequence, b.layer, b.head);
  if (!ma || !mb) {
    // Weights kept in the host come exact only up to a few hundred tokens.
    const p = document.createElement('p');
    p.className = 'hint';
    p.textContent = format(s.compareTooLong, Math.max(seqA.n, seqB.n), EXACT_HEAD_TOKENS);
    ctx.root.append(p);
    return { drawn: sequences.map(() => 0), done: Promise.resolve() };
  }
  const pa = prepare(seqA, ma, st);
  const pb = prepare(seqB, mb, st);
  const grid = document.createElement('div');
  grid.className = 'heads compare';
  ctx.root.append(grid);
  const maps = [heatmap(ctx, pa, `A · ${describe(ctx, seqA, a)}`, a.sequence, false), heatmap(ctx, pb, `B · ${describe(ctx, seqB, b)}`, b.sequence, false)];
  let legend: ViewResult['legend'];
  if (pa.n === pb.n) {
    const diff: Prepared = { ...pa, m: difference(pa.m, pb.m) };
    const map = heatmap(ctx, diff, `${s.difference} A − B`, a.sequence, true);
    map.element.classList.add('difference');
    maps.push(map);
    legend = map.colourScale;
  } else {
    const p = document.createElement('p');
    p.className = 'hint';
    p.textContent = format(s.compareNeedsSameLength, pa.n, pb.n);
    ctx.root.append(p);
  }
  const width = Math.floor(ctx.width / Math.min(maps.length, Math.max(1, Math.floor(ctx.width / 260)))) - 16;
  let count = 0;
  for (const m of maps) {
    grid.append(m.element);
    if (m.draw(ctx.theme, width)) count++;
  }
  const drawn = sequences.map((_, i) => (i === a.sequence ? count : 0));
  return { drawn, done: Promise.resolve(), legend };
}
