// What every view is given to draw itself: the data, the choices, the strings and the ways back
// to the host. Views own nothing else, so switching views keeps no stale listeners around.
import type { Tile, Window } from '../src/core/tiles';
import type { MatrixChoice, MatrixFilters, RenderSettings, SequencePayload, StepsPayload, WebviewStrings } from '../src/shared/protocol';
import type { StateChange } from './controls';
import type { ThemeColours } from './theme';
import type { HeadStats } from './viewData';
import type { ViewState } from './viewState';

export interface HostLink {
  /** Recompute one head step by step; resolves with the host's answer. */
  requestSteps(sequence: number, layer: number, head: number, scale: boolean, causal: boolean): Promise<StepsPayload>;
  /** Highlight tokens of a sequence in the editor. */
  revealTokens(sequence: number, tokens: number[]): void;
  /** A window of a matrix of a sequence whose weights stay in the host, pooled to rows × cols. */
  requestTile(
    sequence: number, choice: MatrixChoice, filters: MatrixFilters, window: Window, rows: number, cols: number,
  ): Promise<{ tile: Tile; peak: number }>;
  /** Per-head entropy, sparsity and largest weight of a sequence whose weights stay in the host. */
  requestStats(sequence: number, causal: boolean): Promise<HeadStats>;
}

export interface ViewContext {
  root: HTMLElement;
  state: ViewState;
  sequences: SequencePayload[];
  settings: RenderSettings;
  strings: WebviewStrings;
  theme: ThemeColours;
  change: StateChange;
  host: HostLink;
  /**
   * Per-head summaries of a sequence, computed on first use and kept; undefined while the host
   * computes them for weights it keeps (the view is drawn again when they arrive).
   */
  stats(sequence: number): HeadStats | undefined;
  /**
   * One head's exact [N][N] weights: a view into the weights held here, or a copy fetched from the
   * host before the view was drawn (see viewNeeds); undefined when neither.
   */
  head(sequence: number, layer: number, head: number): Float32Array | undefined;
  /** How many tokens the views show of a sequence: N, less the special tokens when they are hidden. */
  shownTokens(sequence: number): number;
  /** Width the view may use, in CSS pixels. */
  width: number;
}

/** What a view reports after drawing. */
export interface ViewResult {
  /** Canvases with cells drawn, per sequence shown. */
  drawn: number[];
  /** Resolves when drawing that was deferred (after the first heatmap) is done. */
  done: Promise<void>;
  /** Resolves when the first heatmap's cells are on screen; default: when the view returns. */
  first?: Promise<void>;
  /** Lets go of what the view still waits for (tiles on their way) when it is replaced. */
  dispose?(): void;
  /** The colour scale the legend should show, if the view has one. */
  legend?: { kind: 'sequential' | 'diverging'; max: number; relative?: boolean };
}
