// What the person chose in the explorer: which view, which sequence, layer and head, filters.
// Kept in the webview's saved state (vscode.setState), so a reloaded window shows the same view;
// a saved state is checked against the data it meets before use, because the data may differ.
import type { MatrixFilters } from '../src/shared/protocol';
import type { Aggregate, HeadMetric } from './viewData';

export const VIEWS = ['heatmaps', 'model', 'lines', 'steps', 'compare', 'generate'] as const;
export type ViewKind = (typeof VIEWS)[number];

/** One side of a comparison. */
export interface Pick {
  sequence: number;
  layer: number;
  head: number;
}

export interface ViewState {
  view: ViewKind;
  sequence: number;
  layer: number;
  /** A head index, or −1 for all heads. */
  head: number;
  aggregate: Aggregate;
  rollout: boolean;
  threshold: number;
  topK: number;
  hideSpecial: boolean;
  sortBy: HeadMetric | 'layer';
  /** Heads switched off in the line view. */
  hiddenHeads: number[];
  stepsScale: boolean;
  stepsCausal: boolean;
  compareA: Pick;
  compareB: Pick;
  /** The generated token the generation view shows (0 = the first generated). */
  step: number;
}

export const ALL_HEADS = -1;

/** The filters of a state, as a tile request carries them. */
export function filtersOf(state: ViewState): MatrixFilters {
  return { threshold: state.threshold, topK: state.topK, hideSpecial: state.hideSpecial };
}

export function defaultState(): ViewState {
  return {
    view: 'heatmaps',
    sequence: 0,
    layer: 0,
    head: ALL_HEADS,
    aggregate: 'none',
    rollout: false,
    threshold: 0,
    topK: 0,
    hideSpecial: false,
    sortBy: 'layer',
    hiddenHeads: [],
    stepsScale: true,
    stepsCausal: false,
    compareA: { sequence: 0, layer: 0, head: 0 },
    compareB: { sequence: 0, layer: 0, head: 1 },
    step: 0,
  };
}

/** The shape of the data a state must fit. */
export interface DataShape {
  sequences: { layers: number; heads: number; n: number; generated?: number }[];
}

function int(v: unknown, lo: number, hi: number, fallback: number): number {
  return typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi ? v : fallback;
}

function oneOf<T extends string>(v: unknown, allowed: readonly T[], fallback: T): T {
  return allowed.includes(v as T) ? (v as T) : fallback;
}

function pickIn(v: unknown, shape: DataShape, fallback: Pick): Pick {
  const p = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  const sequence = int(p.sequence, 0, shape.sequences.length - 1, Math.min(fallback.sequence, shape.sequences.length - 1));
  const seq = shape.sequences[sequence] ?? { layers: 1, heads: 1 };
  return {
    sequence,
    layer: int(p.layer, 0, seq.layers - 1, 0),
    head: int(p.head, 0, seq.heads - 1, Math.min(fallback.head, seq.heads - 1)),
  };
}

/** A state that fits the data: anything unknown or out of range falls back to the default. */
export function fitState(raw: unknown, shape: DataShape): ViewState {
  const d = defaultState();
  const s = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const count = Math.max(1, shape.sequences.length);
  const sequence = int(s.sequence, 0, count - 1, 0);
  const seq = shape.sequences[sequence] ?? { layers: 1, heads: 1, n: 1 };
  const hidden = Array.isArray(s.hiddenHeads) ? s.hiddenHeads.filter((h) => int(h, 0, seq.heads - 1, -1) >= 0) : [];
  // The generation view is there for generated text only.
  const generated = shape.sequences[sequence]?.generated;
  const view = oneOf(s.view, VIEWS, d.view);
  return {
    view: view === 'generate' && generated === undefined ? d.view : view,
    sequence,
    layer: int(s.layer, 0, seq.layers - 1, 0),
    head: int(s.head, ALL_HEADS, seq.heads - 1, ALL_HEADS),
    aggregate: oneOf(s.aggregate, ['none', 'mean', 'max'] as const, d.aggregate),
    rollout: s.rollout === true && seq.layers > 1,
    threshold: typeof s.threshold === 'number' && s.threshold >= 0 && s.threshold <= 1 ? s.threshold : 0,
    topK: int(s.topK, 0, seq.n, 0),
    hideSpecial: s.hideSpecial === true,
    sortBy: oneOf(s.sortBy, ['layer', 'entropy', 'sparsity', 'max'] as const, d.sortBy),
    hiddenHeads: hidden as number[],
    stepsScale: s.stepsScale !== false,
    stepsCausal: s.stepsCausal === true,
    compareA: pickIn(s.compareA, shape, d.compareA),
    compareB: pickIn(s.compareB, shape, d.compareB),
    step: int(s.step, 0, Math.max(0, (generated ?? 0) - 1), Math.max(0, (generated ?? 0) - 1)),
  };
}
