// What every view is given to draw itself: the data, the choices, the strings and the ways back
// to the host. Views own nothing else, so switching views keeps no stale listeners around.
import type { RenderSettings, SequencePayload, StepsPayload, WebviewStrings } from '../src/shared/protocol';
import type { StateChange } from './controls';
import type { ThemeColours } from './theme';
import type { HeadStats } from './viewData';
import type { ViewState } from './viewState';

export interface HostLink {
  /** Recompute one head step by step; resolves with the host's answer. */
  requestSteps(sequence: number, head: number, scale: boolean, causal: boolean): Promise<StepsPayload>;
  /** Highlight tokens of a sequence in the editor. */
  revealTokens(sequence: number, tokens: number[]): void;
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
  /** Per-head summaries of a sequence, computed on first use and kept. */
  stats(sequence: number): HeadStats;
  /** Width the view may use, in CSS pixels. */
  width: number;
}

/** What a view reports after drawing. */
export interface ViewResult {
  /** Canvases with cells drawn, per sequence shown. */
  drawn: number[];
  /** Resolves when drawing that was deferred (after the first heatmap) is done. */
  done: Promise<void>;
  /** The colour scale the legend should show, if the view has one. */
  legend?: { kind: 'sequential' | 'diverging'; max: number; relative?: boolean };
}
